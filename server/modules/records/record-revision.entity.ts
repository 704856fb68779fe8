import { defineEntity, p } from '@mikro-orm/core';
import { revisionActions } from '../../../shared/schemas/records.ts';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { Practice } from '../practices/practice.entity.ts';

/** Who changed what, when: one row per version of a clinical record, with its fields before and after. */
export const RecordRevisionSchema = defineEntity({
  name: 'RecordRevision',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    practice: () => p.manyToOne(Practice),
    recordId: p.uuid().index(),
    version: p.integer(),
    action: p.enum(revisionActions),
    changedBy: p.uuid(),
    changedAt: p.datetime().onCreate(() => new Date()),
    before: p.json<{ status: string; data: Record<string, unknown> }>().nullable(),
    after: p.json<{ status: string; data: Record<string, unknown> }>(),
  },
  filters: practiceFilter(),
});
export class RecordRevision extends RecordRevisionSchema.class {}
RecordRevisionSchema.setClass(RecordRevision);
