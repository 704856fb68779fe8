import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';

/**
 * Append-only: written through `recordAudit`, never updated (a trigger refuses UPDATE and DELETE).
 * Ids are plain columns, not relations, so the trail outlives what it points at. No PHI in `detail`.
 */
export const AuditEventSchema = defineEntity({
  name: 'AuditEvent',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    at: p.datetime().onCreate(() => new Date()),
    practiceId: p.uuid().nullable(),
    actorId: p.uuid().nullable(),
    action: p.string().length(64),
    entityType: p.string().length(64).nullable(),
    entityId: p.string().length(64).nullable(),
    requestId: p.string().length(64).nullable(),
    ip: p.string().length(64).nullable(),
    detail: p.json<Record<string, string | number | boolean | null>>().nullable(),
  },
  indexes: [{ properties: ['practiceId', 'at', 'id'] }],
  filters: practiceFilter('practiceId'),
});
export class AuditEvent extends AuditEventSchema.class {}
AuditEventSchema.setClass(AuditEvent);
