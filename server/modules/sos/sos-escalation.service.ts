import type { JobDeps } from '../../jobs.ts';
import { publishNotifications } from '../notifications/publish-notifications.ts';
import { SosMail } from './sos-mail.entity.ts';

type Escalated = { id: string; practice_id: string; escalation_step: number; routed_to: string[] };

/**
 * Escalates every open SOS whose next step is due: step n once it has waited n × the practice's escalation
 * minutes unacknowledged. It goes to every active clinician and admin of the practice (who may then see
 * it), as a live event and an email. The step moves on in the same conditional UPDATE that finds it due,
 * in one transaction with the events and the email rows: a second worker (or a rerun after a crash) waits on
 * the row, then finds the step already taken, so each step is sent once. A worker down for a while sends
 * one escalation for the missed period, at the step the waiting has reached, not one per missed step.
 */
export async function escalateDueSos({ orm, clock }: Pick<JobDeps, 'orm' | 'clock'>): Promise<number> {
  const now = clock.now();
  return orm.em.fork().transactional(async (em) => {
    const rows = await em.execute<Escalated[]>(
      `update sos_request s
          set escalation_step = floor(extract(epoch from ?::timestamptz - s.created_at) / (pr.sos_escalation_minutes * 60))::int,
              routed_to = array(select unnest(s.routed_to) union select u.id from users u where u.practice_id = s.practice_id and u.role in ('clinician', 'admin') and u.status = 'active')
         from practice pr
        where pr.id = s.practice_id and s.status = 'open'
          and s.created_at + make_interval(mins => pr.sos_escalation_minutes * (s.escalation_step + 1)) <= ?::timestamptz
       returning s.id, s.practice_id, s.escalation_step, s.routed_to`,
      [now, now],
    );
    for (const sos of rows) {
      const staff = await em.execute<{ id: string }[]>(`select id from users where practice_id = ? and role in ('clinician', 'admin') and status = 'active'`, [sos.practice_id]);
      await publishNotifications(em, {
        kind: 'sos.escalated',
        practiceId: sos.practice_id,
        patientId: null,
        subject: { type: 'sos', id: sos.id },
        data: { sosId: sos.id, step: sos.escalation_step },
        to: { users: staff.map((u) => u.id) },
      });
      for (const { id: user } of staff) em.create(SosMail, { practice: sos.practice_id, sos: sos.id, step: sos.escalation_step, user, status: 'pending', nextAttemptAt: now });
    }
    return rows.length;
  });
}
