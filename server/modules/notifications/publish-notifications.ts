import type { EntityManager } from '@mikro-orm/postgresql';
import type { NotificationData, NotificationKind } from '../../../shared/schemas/notifications.ts';
import { newId } from '../../ids.ts';
import { pgArray } from '../../pg-array.ts';
import { executePrepared } from '../../prepared-statements.ts';
import type { SqlCondition } from '../patients/patient-access.ts';
import { Notification } from './notification.entity.ts';

/**
 * Who is told: the patient's portal users (the patient and their guardians), its care team, named users,
 * and the user ids a query selects (SQL with its parameters).
 */
export type Audience = { portal?: boolean; careTeam?: boolean; users?: readonly (string | null | undefined)[]; query?: SqlCondition };

export type PublishedEvent<K extends NotificationKind> = {
  kind: K;
  practiceId: string;
  /** Whose data it concerns (null for an event about no patient): each recipient's access to it is checked again on delivery. */
  patientId: string | null;
  subject: { type: string; id: string };
  data: NotificationData<K>;
  to: Audience;
  /** Who caused it, if a user did: they are not told of their own act. */
  by?: string | null;
};

/**
 * Publishes an event, and says to whom: one notification row per recipient (all stamped with one instant), persisted by the caller's next flush, so in the
 * caller's transaction. The insert's trigger NOTIFYs the listening server processes, and PostgreSQL
 * delivers a NOTIFY only on commit: an event that is rolled back is never announced, nor kept.
 */
export async function publishNotifications<K extends NotificationKind>(em: EntityManager, event: PublishedEvent<K>): Promise<string[]> {
  // One instant for all of the event's rows: with its kind, subject and data it tells one event's rows apart (readPracticeEvents).
  const createdAt = new Date();
  const recipients = await recipientsOf(em, event);
  for (const user of recipients) {
    em.create(Notification, {
      id: newId(),
      practice: event.practiceId,
      user,
      kind: event.kind,
      patient: event.patientId,
      subjectType: event.subject.type,
      subjectId: event.subject.id,
      data: event.data,
      createdAt,
    });
  }
  return recipients;
}

/** The audience's active users of the event's practice, each once, less its author. */
async function recipientsOf(em: EntityManager, { practiceId, patientId, to, by }: PublishedEvent<NotificationKind>): Promise<string[]> {
  const sources: string[] = [];
  const params: unknown[] = [];
  if (patientId && to.portal) {
    sources.push('select portal_user_id as id from patient where id = ?', 'select guardian_id from guardianship where dependent_id = ?');
    params.push(patientId, patientId);
  }
  if (patientId && to.careTeam) {
    sources.push('select clinician_id from care_team_member where patient_id = ?');
    params.push(patientId);
  }
  const named = (to.users ?? []).filter((id): id is string => Boolean(id));
  if (named.length) {
    sources.push('select unnest(?::uuid[])');
    params.push(pgArray(named));
  }
  if (to.query) {
    sources.push(to.query.sql);
    params.push(...to.query.params);
  }
  if (!sources.length) return [];
  const rows = await executePrepared<{ id: string }>(
    em,
    `select u.id from users u where u.id in (${sources.join(' union ')}) and u.practice_id = ? and u.status = 'active' and u.id is distinct from ? order by u.id`,
    [...params, practiceId, by ?? null],
  );
  return rows.map((r) => r.id);
}
