import { defineEntity, p } from '@mikro-orm/core';
import { importTypes } from '../../../shared/schemas/imports.ts';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { Practice } from '../practices/practice.entity.ts';

/**
 * A staged import: batches of rows are validated and staged (import_row) as they arrive, and written
 * together, in one transaction, when the import is committed. That makes an import sent in many
 * batches all or nothing. Sessions left uncommitted expire (see imports.service.ts).
 */
export const ImportSessionSchema = defineEntity({
  name: 'ImportSession',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    practice: () => p.manyToOne(Practice),
    /** Only the user who began an import may add to it, commit or cancel it. */
    userId: p.uuid(),
    type: p.enum(importTypes),
    skipInvalid: p.boolean(),
    /** Rows refused so far: any, without skipInvalid, and the commit is refused. */
    invalidRows: p.integer().default(0),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  indexes: [{ properties: ['createdAt'] }],
  filters: practiceFilter(),
});
export class ImportSession extends ImportSessionSchema.class {}
ImportSessionSchema.setClass(ImportSession);
