import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { Patient } from '../patients/patient.entity.ts';
import { Practice } from '../practices/practice.entity.ts';

export const recordKinds = ['allergy', 'medication', 'condition', 'observation', 'history'] as const;

/**
 * One entry of a patient's clinical record. Its fields live in `data`, validated by the kind's zod schema
 * in shared/schemas/records.ts; the columns beside it are what lists filter and sort on.
 */
export const ClinicalRecordSchema = defineEntity({
  name: 'ClinicalRecord',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    practice: () => p.manyToOne(Practice),
    patient: () => p.manyToOne(Patient).deleteRule('cascade'),
    kind: p.enum(recordKinds),
    status: p.string().length(40),
    data: p.json<Record<string, unknown>>(),
    /** When it happened (observation time, onset, start), else when it was recorded: the list order. */
    occurredAt: p.datetime(),
    version: p.integer().default(1),
    /**
     * For imported entries (CSV, HL7), their natural key: the source's id, or a digest of what identifies the
     * entry. Importing the same entry again finds it here instead of adding a copy.
     */
    importKey: p.string().length(200).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    createdBy: p.uuid(),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
    updatedBy: p.uuid(),
  },
  indexes: [{ properties: ['patient', 'kind', 'occurredAt', 'id'] }],
  uniques: [{ properties: ['patient', 'kind', 'importKey'] }],
  filters: practiceFilter(),
});
export class ClinicalRecord extends ClinicalRecordSchema.class {}
ClinicalRecordSchema.setClass(ClinicalRecord);
