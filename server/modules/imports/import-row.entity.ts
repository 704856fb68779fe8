import { defineEntity, p } from '@mikro-orm/core';
import { ImportSession } from './import-session.entity.ts';

/**
 * One valid row of a staged import, with its parsed fields. Written and read with plain SQL only (bulk);
 * reached through its session, which carries the practice.
 * Patient rows: `mrn`, `externalId`, and `targetId` the patient they update (null: a new patient).
 * Record rows: `recordKey` (the record's natural key) and `targetId` the patient it belongs to.
 */
export const ImportRowSchema = defineEntity({
  name: 'ImportRow',
  properties: {
    session: () => p.manyToOne(ImportSession).primary().deleteRule('cascade'),
    line: p.integer().primary(),
    mrn: p.string().length(32).nullable(),
    externalId: p.string().length(100).nullable(),
    recordKey: p.string().length(200).nullable(),
    targetId: p.uuid().nullable(),
    data: p.json<Record<string, unknown>>(),
  },
  indexes: [{ properties: ['session', 'mrn'] }, { properties: ['session', 'externalId'] }, { properties: ['session', 'recordKey'] }],
});
export class ImportRow extends ImportRowSchema.class {}
ImportRowSchema.setClass(ImportRow);
