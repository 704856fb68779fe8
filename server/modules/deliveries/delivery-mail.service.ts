import type { DeliveryRequestStatus } from '../../../shared/schemas/deliveries.ts';
import type { JobDeps } from '../../jobs.ts';
import type { Mail } from '../../mailer.ts';
import { drainMailOutbox, type MailOutbox } from '../../mail-outbox.ts';

/** The status emails wait on their event rows. Never given up: the patient is told of every change. */
const deliveryOutbox: MailOutbox = {
  table: 'delivery_event',
  alias: 'e',
  status: 'mail_status',
  sentAt: 'mailed_at',
  nextAttemptAt: 'next_mail_at',
  attempts: 'mail_attempts',
  lastError: 'last_mail_error',
  job: 'deliveries.send-mails',
  kind: 'delivery',
};

type Claimed = { id: string; attempts: number; status: DeliveryRequestStatus; delivery_id: string; email: string | null; practice_name: string };

/**
 * Sends the pending status emails until none is due (drainMailOutbox: claimed by lease, retried). The email goes to the portal account that asked (the patient, or the guardian of a dependent); one
 * deactivated since is skipped.
 */
export async function sendDeliveryMails({ orm, clock, mailer, log, config }: Pick<JobDeps, 'orm' | 'clock' | 'mailer' | 'log' | 'config'>): Promise<{ sent: number; failed: number }> {
  const conn = orm.em.fork().getConnection();
  return drainMailOutbox(
    { conn, clock, log },
    deliveryOutbox,
    {
      from: 'delivery_request d, users u, practice pr',
      on: 'd.id = e.delivery_id and u.id = d.requested_by and pr.id = e.practice_id',
      returning: `e.status, e.delivery_id, case when u.status = 'active' then u.email end as email, pr.name as practice_name`,
    },
    async (e: Claimed) => {
      if (!e.email) return 'skipped';
      await mailer.send(deliveryMail({ ...e, email: e.email }, config.appUrl));
      return 'sent';
    },
  );
}

/** What each status tells the patient, without saying what was asked for or where it goes. */
const news: Record<DeliveryRequestStatus, string> = {
  requested: 'we have received your delivery request',
  approved: 'your delivery request was approved',
  declined: 'your delivery request was declined',
  dispatched: 'your delivery is on its way',
  delivered: 'your delivery was marked delivered',
  failed: 'your delivery could not be completed',
  cancelled: 'your delivery request was cancelled',
};

/**
 * The status email: the news and a link to the request in the portal. No medication, quantity, address,
 * reason or tracking reference: mail passes through servers outside the practice; the portal shows them.
 */
function deliveryMail(e: Claimed & { email: string }, appUrl: string): Mail {
  const text = [
    `An update from ${e.practice_name}: ${news[e.status]}.`,
    '',
    'See the details in your patient portal:',
    `${appUrl}/portal/deliveries/${e.delivery_id}`,
    '',
    'For your privacy this email does not say what was requested or where it is going.',
  ].join('\n');
  return { to: e.email, subject: `Delivery request update: ${e.status}`, text };
}
