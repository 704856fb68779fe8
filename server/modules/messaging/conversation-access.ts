import { type FilterQuery, LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../../context.ts';
import { AppError, notFound } from '../../errors.ts';
import type { Audience } from '../notifications/publish-notifications.ts';
import { visiblePatients } from '../patients/patient-access.ts';
import { Conversation } from './conversation.entity.ts';

/**
 * Who may read a conversation, from the patient's rules (patient-access.ts) at the time of asking: staff
 * who may see the patient read both kinds; the patient and their guardians only `care-team` ones, and
 * never learn that a `staff` one exists.
 */
export function visibleConversations(actor: Actor): FilterQuery<Conversation> {
  const ofVisiblePatients = { patient: visiblePatients(actor) } as FilterQuery<Conversation>;
  return actor.role === 'patient' ? { $and: [ofVisiblePatients, { kind: 'care-team' }] } : ofVisiblePatients;
}

/** The conversation, if the actor may read it; otherwise NOT_FOUND, whether it exists or not. */
export async function findVisibleConversation(em: EntityManager, actor: Actor, id: string): Promise<Conversation> {
  const conversation = await em.findOne(Conversation, { $and: [{ id }, visibleConversations(actor)] });
  if (!conversation) throw notFound('Conversation');
  return conversation;
}

/**
 * The conversation a message is written in: one the actor may read, locked (its row only) so that writes to
 * it are serialised, with its patient loaded in the same query; a merged patient's conversations are
 * read-only (CONFLICT `patient-merged`, as findWritablePatient refuses any write naming that patient).
 */
export async function findWritableConversation(em: EntityManager, actor: Actor, id: string): Promise<Conversation> {
  const conversation = await em.findOne(
    Conversation,
    { $and: [{ id }, visibleConversations(actor)] },
    { populate: ['patient'], strategy: 'joined', lockMode: LockMode.PESSIMISTIC_WRITE, lockTableAliases: ['c0'] },
  );
  if (!conversation) throw notFound('Conversation');
  if (conversation.patient.status === 'merged') throw new AppError('CONFLICT', 'This record was merged into another: use that one', 'patient-merged');
  return conversation;
}

/**
 * `visibleConversations` for user `u` (a row of users) and conversation `c` with its patient `p`, as SQL:
 * the mail job checks it again when an email falls due.
 */
export const userMayReadSql = `(u.role = 'admin'
  or (u.role = 'clinician' and exists (select 1 from care_team_member t where t.patient_id = c.patient_id and t.clinician_id = u.id))
  or (u.role = 'patient' and c.kind = 'care-team'
      and (p.portal_user_id = u.id or exists (select 1 from guardianship g where g.dependent_id = c.patient_id and g.guardian_id = u.id))))`;

/**
 * Who a new message is for: the care team (and, in a `care-team` conversation, the patient's portal
 * account and guardians), and admins who have written in it or began it (an admin sees every patient, so
 * is told only of conversations they joined). publishNotifications keeps the practice's active users, less the sender.
 */
export function audienceOf(conversation: Conversation): Audience {
  return {
    careTeam: true,
    portal: conversation.kind === 'care-team',
    query: {
      sql: `select m.sender_id from message m join users a on a.id = m.sender_id and a.role = 'admin' where m.conversation_id = ?
            union select c.created_by from conversation c join users a on a.id = c.created_by and a.role = 'admin' where c.id = ?`,
      params: [conversation.id, conversation.id],
    },
  };
}
