import { defineEntity, p } from '@mikro-orm/core';
import type { QuestionnaireDefinition } from '../../../shared/schemas/questionnaires.ts';
import { newId } from '../../ids.ts';
import { Questionnaire } from './questionnaire.entity.ts';

/**
 * One version of a questionnaire: its resolved definition (bank items inlined). Versions are never
 * changed: new content is a new version, and assessments pin the version they were started on.
 */
export const QuestionnaireVersionSchema = defineEntity({
  name: 'QuestionnaireVersion',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    questionnaire: () => p.manyToOne(Questionnaire),
    version: p.integer(),
    definition: p.json<QuestionnaireDefinition>(),
    contentHash: p.string().length(64),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  uniques: [{ properties: ['questionnaire', 'version'] }],
});
export class QuestionnaireVersion extends QuestionnaireVersionSchema.class {}
QuestionnaireVersionSchema.setClass(QuestionnaireVersion);
