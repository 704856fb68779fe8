import type { EntityManager } from '@mikro-orm/postgresql';
import type { ListNotificationsInput, MarkNotificationsReadInput, NotificationKind, NotificationOutput, PracticeEventOutput } from '../../../shared/schemas/notifications.ts';
import type { Actor, AuthedCtx } from '../../context.ts';
import { keyset, newestFirst, toPage } from '../../pagination.ts';
import { pgArray } from '../../pg-array.ts';
import { auditRead } from '../audit/audit.service.ts';
import { visiblePatients, visiblePatientsSql } from '../patients/patient-access.ts';
import { Notification } from './notification.entity.ts';

const sort = newestFirst('createdAt');

type NotificationRow = { id: string; kind: string; patientId: string | null; data: unknown; createdAt: Date; readAt: Date | null };

export function toNotificationDto(n: NotificationRow): NotificationOutput {
  return {
    id: n.id,
    kind: n.kind as NotificationKind,
    patientId: n.patientId,
    data: n.data,
    createdAt: n.createdAt.toISOString(),
    readAt: n.readAt?.toISOString() ?? null,
  } as NotificationOutput;
}

const fromEntity = (n: Notification): NotificationRow => ({ ...n, patientId: n.patient?.id ?? null, readAt: n.readAt ?? null });

/** The caller's own notifications that they may still see: about no patient, or about one they see now (patient-access.ts). */
const mine = (actor: Actor) => ({ user: actor.userId, $or: [{ patient: null }, { patient: visiblePatients(actor) }] });

const countUnread = (ctx: AuthedCtx) => ctx.em.count(Notification, { ...mine(ctx.actor), readAt: null });

/** Newest first, with the unread count, for clients that do not keep a stream open. */
export async function listNotifications(ctx: AuthedCtx, input: ListNotificationsInput) {
  const { where, orderBy } = keyset(input.cursor, sort);
  const rows = await ctx.em.find(Notification, { $and: [where, mine(ctx.actor), input.unreadOnly ? { readAt: null } : {}] }, { orderBy, limit: input.limit + 1 });
  const page = toPage(rows, input.limit, sort, (n) => toNotificationDto(fromEntity(n)));
  // The events name the patients they concern: which patients' events a user saw is audited as any list of them.
  await auditRead(ctx, { action: 'notification.listed', entityType: 'notification', detail: { results: page.items.length } });
  return { ...page, unreadCount: await countUnread(ctx) };
}

export async function unreadNotificationCount(ctx: AuthedCtx) {
  return { unreadCount: await countUnread(ctx) };
}

/** Marks the caller's notifications read, the ones named or all; ids that are not theirs are passed over. */
export async function markNotificationsRead(ctx: AuthedCtx, input: MarkNotificationsReadInput) {
  const which = 'ids' in input ? { id: { $in: input.ids } } : {};
  await ctx.em.nativeUpdate(Notification, { user: ctx.actor.userId, readAt: null, ...which }, { readAt: ctx.clock.now() });
  return { unreadCount: await countUnread(ctx) };
}

/** Which rows a stream reads: those named (by a NOTIFY), or those after an id (a resume or a catch-up), within the retention window. */
export type StreamSelection = { ids: readonly string[] } | { after: string; since: Date };
export const STREAM_PAGE = 100;

/**
 * The actor's notifications of `selection` that they may see now, oldest first, as DTOs: a hand-written
 * query (a stream reads on every event) with the practice, the recipient and patient-access.ts's rule.
 */
export async function readForStream(em: EntityManager, actor: Actor, selection: StreamSelection): Promise<NotificationOutput[]> {
  const visible = visiblePatientsSql(actor);
  const [which, params] = 'ids' in selection ? ['n.id = any(?::uuid[])', [pgArray(selection.ids)]] : ['n.id > ? and n.created_at > ?', [selection.after, selection.since]];
  const rows = await em.execute<{ id: string; kind: string; patient_id: string | null; data: unknown; created_at: string | Date; read_at: string | Date | null }[]>(
    `select n.id, n.kind, n.patient_id, n.data, n.created_at, n.read_at from notification n left join patient p on p.id = n.patient_id
     where n.practice_id = ? and n.user_id = ? and ${which} and (n.patient_id is null or (p.id is not null and ${visible.sql}))
     order by n.id limit ${STREAM_PAGE}`,
    [actor.practiceId, actor.userId, ...params, ...visible.params],
  );
  return rows.map((r) => toNotificationDto({ id: r.id, kind: r.kind, patientId: r.patient_id, data: r.data, createdAt: new Date(r.created_at), readAt: r.read_at ? new Date(r.read_at) : null }));
}

/** The rows of one event: published together, they share the practice, kind, subject, data and instant (publish-notifications.ts). */
const SAME_EVENT = 'o.practice_id = n.practice_id and o.created_at = n.created_at and o.kind = n.kind and o.subject_type = n.subject_type and o.subject_id = n.subject_id and o.data = n.data';

/**
 * The practice's events of `selection` for an admin watching it, each once, oldest first: an event is its
 * first row (the smallest id of its rows), carrying all its recipients. Rows are still read with the rule
 * of the reads (the caller still an admin of the practice; a merged-away patient's rows are gone).
 */
export async function readPracticeEvents(em: EntityManager, actor: Actor, selection: StreamSelection, kinds: readonly NotificationKind[] | undefined): Promise<PracticeEventOutput[]> {
  const visible = visiblePatientsSql(actor);
  const [which, params] = 'ids' in selection ? ['n.id = any(?::uuid[])', [pgArray(selection.ids)]] : ['n.id > ? and n.created_at > ?', [selection.after, selection.since]];
  const [ofKinds, kindParams] = kinds ? ['and n.kind = any(?::text[])', [pgArray(kinds)]] : ['', []];
  const rows = await em.execute<{ id: string; kind: string; patient_id: string | null; subject_type: string; subject_id: string; data: unknown; created_at: string | Date; recipient_ids: string[] }[]>(
    `select n.id, n.kind, n.patient_id, n.subject_type, n.subject_id, n.data, n.created_at,
       array(select o.user_id from notification o where ${SAME_EVENT} order by o.id)::text[] as recipient_ids
     from notification n left join patient p on p.id = n.patient_id
     where n.practice_id = ? and ${which} ${ofKinds} and (n.patient_id is null or (p.id is not null and ${visible.sql}))
       and exists (select 1 from users u where u.id = ? and u.practice_id = n.practice_id and u.role = 'admin')
       and not exists (select 1 from notification o where ${SAME_EVENT} and o.id < n.id)
     order by n.id limit ${STREAM_PAGE}`,
    [actor.practiceId, ...params, ...kindParams, ...visible.params, actor.userId],
  );
  return rows.map(
    (r) =>
      ({
        id: r.id,
        kind: r.kind as NotificationKind,
        patientId: r.patient_id,
        subject: { type: r.subject_type, id: r.subject_id },
        recipientIds: r.recipient_ids,
        data: r.data,
        createdAt: new Date(r.created_at).toISOString(),
      }) as PracticeEventOutput,
  );
}

/** The retention sweep: events older than the window go, read or not (a client offline longer starts again from the list). */
export async function deleteExpiredNotifications(em: EntityManager, before: Date): Promise<number> {
  return em.nativeDelete(Notification, { createdAt: { $lt: before } }, { filters: false });
}
