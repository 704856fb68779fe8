import type { AuditEventOutput, ListAuditInput } from '../../../shared/schemas/audit.ts';
import type { AuthedCtx, Ctx } from '../../context.ts';
import { newId } from '../../ids.ts';
import { keyset, newestFirst, toPage } from '../../pagination.ts';
import { AuditEvent } from './audit-event.entity.ts';

const sort = newestFirst('at');

export type AuditEntry = {
  action: string;
  entityType?: string;
  entityId?: string;
  /** Defaults to the caller's; given for events without a logged-in caller (login, invite accept). */
  practiceId?: string | null;
  actorId?: string | null;
  detail?: Record<string, string | number | boolean | null>;
};

type Caller = Pick<Ctx, 'em' | 'actor' | 'meta'>;

function auditRow({ actor, meta }: Caller, entry: AuditEntry) {
  return {
    id: newId(),
    at: new Date(),
    practiceId: entry.practiceId === undefined ? (actor?.practiceId ?? null) : entry.practiceId,
    actorId: entry.actorId === undefined ? (actor?.userId ?? null) : entry.actorId,
    action: entry.action,
    entityType: entry.entityType ?? null,
    entityId: entry.entityId ?? null,
    requestId: meta.requestId,
    ip: meta.ip,
    detail: entry.detail ?? null,
  };
}

/** Audits a change: persisted with the caller's unit of work, so it commits (or not) with the change. */
export function recordAudit(caller: Caller, entry: AuditEntry): void {
  caller.em.create(AuditEvent, auditRow(caller, entry));
}

/** Audits a read: a read has nothing else to commit, so its row is written at once, in one INSERT. */
export async function auditRead(caller: Caller, entry: AuditEntry): Promise<void> {
  await caller.em.insert(AuditEvent, auditRow(caller, entry));
}

function toAuditEventDto(e: AuditEvent): AuditEventOutput {
  return {
    id: e.id,
    at: e.at.toISOString(),
    actorId: e.actorId ?? null,
    action: e.action,
    entityType: e.entityType ?? null,
    entityId: e.entityId ?? null,
    requestId: e.requestId ?? null,
    ip: e.ip ?? null,
    detail: e.detail ?? null,
  };
}

export async function listAudit(ctx: AuthedCtx, input: ListAuditInput) {
  const { where, orderBy } = keyset(input.cursor, sort);
  const rows = await ctx.em.find(
    AuditEvent,
    {
      ...where,
      ...(input.since || input.until ? { at: { ...(input.since && { $gte: new Date(input.since) }), ...(input.until && { $lt: new Date(input.until) }) } } : {}),
      ...(input.actorId && { actorId: input.actorId }),
      ...(input.action && { action: input.action }),
      ...(input.entityId && { entityId: input.entityId }),
    },
    { orderBy, limit: input.limit + 1 },
  );
  return toPage(rows, input.limit, sort, toAuditEventDto);
}
