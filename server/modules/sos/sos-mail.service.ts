import type { SosStatus } from '../../../shared/schemas/sos.ts';
import { sosNotice } from '../../../shared/schemas/sos.ts';
import type { UserRole } from '../../../shared/enums.ts';
import type { JobDeps } from '../../jobs.ts';
import { drainMailOutbox, type MailOutbox } from '../../mail-outbox.ts';
import type { Mail } from '../../mailer.ts';
import { SEND_SOS_MAILS } from './sos-queue.ts';

const sosOutbox: MailOutbox = {
  table: 'sos_mail',
  alias: 'm',
  status: 'status',
  sentAt: 'sent_at',
  nextAttemptAt: 'next_attempt_at',
  attempts: 'attempts',
  lastError: 'last_error',
  job: SEND_SOS_MAILS,
  kind: 'SOS',
};

type Claimed = {
  id: string;
  attempts: number;
  step: number;
  sos_id: string;
  sos_status: SosStatus;
  email: string | null;
  role: UserRole;
  practice_name: string;
  emergency_number: string;
  escalation_minutes: number;
};

/**
 * Sends the pending SOS emails until none is due (drainMailOutbox: claimed by lease, retried). A call for
 * an answer that someone has given since is skipped, as is one to an account deactivated since; the
 * confirmation to whoever raised it is always sent.
 */
export async function sendSosMails({ orm, clock, mailer, log, config }: Pick<JobDeps, 'orm' | 'clock' | 'mailer' | 'log' | 'config'>): Promise<{ sent: number; failed: number }> {
  const conn = orm.em.fork().getConnection();
  return drainMailOutbox(
    { conn, clock, log },
    sosOutbox,
    {
      from: 'sos_request s, users u, practice pr',
      on: 's.id = m.sos_id and u.id = m.user_id and pr.id = m.practice_id',
      returning: `m.step, m.sos_id, s.status as sos_status, case when u.status = 'active' then u.email end as email, u.role,
                  pr.name as practice_name, pr.emergency_number, pr.sos_escalation_minutes as escalation_minutes`,
    },
    async (m: Claimed) => {
      if (!m.email) return 'skipped';
      if (m.role !== 'patient' && m.sos_status !== 'open') return 'skipped';
      await mailer.send(sosMail({ ...m, email: m.email }, config.appUrl));
      return 'sent';
    },
  );
}

/**
 * The emails say that an SOS waits, and link to it: never who raised it, what they wrote, where they are
 * or their number, since mail passes through servers outside the practice. The confirmation carries the
 * emergency number: PAMS is not an emergency service.
 */
function sosMail(m: Claimed & { email: string }, appUrl: string): Mail {
  if (m.role === 'patient') {
    const text = [
      `${m.practice_name} has received your SOS request; a clinician will call you back.`,
      '',
      sosNotice(m.emergency_number),
      '',
      'Follow it in your patient portal:',
      `${appUrl}/portal/sos/${m.sos_id}`,
    ].join('\n');
    return { to: m.email, subject: `SOS request received: in an emergency call ${m.emergency_number}`, text };
  }
  const waited = m.step === 0 ? 'needs an answer' : `has had no answer for ${m.step * m.escalation_minutes} minutes`;
  const text = [
    `An SOS request from a patient of ${m.practice_name} ${waited}.`,
    '',
    'Open it to acknowledge it and call the patient back:',
    `${appUrl}/sos/${m.sos_id}`,
    '',
    "For the patient's privacy this email does not say who sent it or what it says.",
  ].join('\n');
  return { to: m.email, subject: m.step === 0 ? 'An SOS request needs an answer' : 'SOS request still unanswered', text };
}
