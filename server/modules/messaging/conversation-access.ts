import type { FilterQuery, LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../../context.ts';
import { notFound } from '../../errors.ts';
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
export async function findVisibleConversation(em: EntityManager, actor: Actor, id: string, lockMode?: LockMode): Promise<Conversation> {
  const conversation = await em.findOne(Conversation, { $and: [{ id }, visibleConversations(actor)] }, lockMode ? { lockMode } : {});
  if (!conversation) throw notFound('Conversation');
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
 * Who a new message is for, worked out when it is sent: the care team (and, in a `care-team`
 * conversation, the patient's portal account and guardians), and admins who have written in it (an
 * admin sees every patient, so is told only of conversations they joined). Active users of the practice
 * only, less the sender.
 */
export async function audienceOf(em: EntityManager, conversation: Conversation, senderId: string): Promise<string[]> {
  const patientId = conversation.patient.id;
  const portal = conversation.kind === 'care-team' ? 'union select portal_user_id from patient where id = ? union select guardian_id from guardianship where dependent_id = ?' : '';
  const rows = await em.execute<{ id: string }[]>(
    `select u.id from users u
     where u.id in (select clinician_id from care_team_member where patient_id = ? ${portal}
                    union select m.sender_id from message m join users a on a.id = m.sender_id and a.role = 'admin' where m.conversation_id = ?
                    union select c.created_by from conversation c join users a on a.id = c.created_by and a.role = 'admin' where c.id = ?)
       and u.practice_id = ? and u.status = 'active' and u.id <> ?
     order by u.id`,
    [patientId, ...(portal ? [patientId, patientId] : []), conversation.id, conversation.id, conversation.practice.id, senderId],
  );
  return rows.map((r) => r.id);
}
