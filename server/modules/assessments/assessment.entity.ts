import { defineEntity, p } from '@mikro-orm/core';
import { assessmentStatuses } from '../../../shared/schemas/assessments.ts';
import type { AnswerValue } from '../../../shared/schemas/questionnaires.ts';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { Patient } from '../patients/patient.entity.ts';
import { Practice } from '../practices/practice.entity.ts';
import { QuestionnaireVersion } from '../questionnaires/questionnaire-version.entity.ts';
import { Questionnaire } from '../questionnaires/questionnaire.entity.ts';

/** A questionnaire being answered for a patient. Scores are set once, on submit, by the server. */
export const AssessmentSchema = defineEntity({
  name: 'Assessment',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    practice: () => p.manyToOne(Practice),
    patient: () => p.manyToOne(Patient),
    questionnaire: () => p.manyToOne(Questionnaire),
    questionnaireVersion: () => p.manyToOne(QuestionnaireVersion),
    status: p.enum(assessmentStatuses),
    assignedToPatient: p.boolean().default(false),
    answers: p.json<Record<string, AnswerValue>>(),
    /** A JS number at runtime (float8 is read as one); the builder's own type would also admit a string. */
    total: p.double().$type<number>().nullable(),
    subscales: p.json<Record<string, number>>().nullable(),
    severity: p.string().length(64).nullable(),
    severityLabel: p.string().length(200).nullable(),
    flags: p.json<{ code: string; label: string }[]>().nullable(),
    /** An amendment is a new assessment pointing at the one it corrects; submitted ones never change. */
    amends: () => p.manyToOne(Assessment).nullable(),
    startedBy: p.uuid(),
    submittedBy: p.uuid().nullable(),
    submittedAt: p.datetime().nullable(),
    /** Set together when an assessment started by mistake is abandoned (status `abandoned`). */
    abandonedBy: p.uuid().nullable(),
    abandonedAt: p.datetime().nullable(),
    abandonReason: p.string().length(500).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
  indexes: [{ properties: ['patient', 'questionnaire', 'submittedAt'] }, { properties: ['practice', 'createdAt', 'id'] }],
  filters: practiceFilter(),
});
export class Assessment extends AssessmentSchema.class {}
AssessmentSchema.setClass(Assessment);
