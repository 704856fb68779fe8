import type { DeliveryRequestStatus } from '../../../shared/schemas/deliveries.ts';
import type { JobDeps } from '../../jobs.ts';
import type { Mail } from '../../mailer.ts';
import { type MailOutbox, sendClaimedMails } from '../../mail-outbox.ts';

/** How long a worker may hold a claimed email before another may take it over (it died, say). */
const LEASE_MS = 2 * 60_000;
const BATCH = 50;

/** The status emails wait on their event rows. Never given up: the patient is told of every change. */
const deliveryOutbox: MailOutbox = { table: 'delivery_event', status: 'mail_status', sentAt: 'mailed_at', nextAttemptAt: 'next_mail_at', lastError: 'last_mail_error' };

type Claimed = { id: string; attempts: number; status: DeliveryRequestStatus; delivery_id: string; email: string | null; practice_name: string };

/**
 * Sends the pending status emails until none is due. Each batch is claimed with SKIP LOCKED and a lease,
 * so workers side by side never take the same row; a failed send is put back with a later attempt time.
 * The email goes to the portal account that asked (the patient, or the guardian of a dependent); one
 * deactivated since is skipped.
 */
export async function sendDeliveryMails({ orm, clock, mailer, log, config }: Pick<JobDeps, 'orm' | 'clock' | 'mailer' | 'log' | 'config'>): Promise<{ sent: number; failed: number }> {
  const conn = orm.em.fork().getConnection();
  let sent = 0;
  let failed = 0;
  for (;;) {
    const now = clock.now();
    const claimed = await conn.execute<Claimed[]>(
      `update delivery_event e set lease_until = ?, mail_attempts = e.mail_attempts + 1
       from delivery_request d, users u, practice pr
       where e.id in (select id from delivery_event where mail_status = 'pending' and next_mail_at <= ? and (lease_until is null or lease_until < ?)
                      order by next_mail_at limit ? for update skip locked)
         and d.id = e.delivery_id and u.id = d.requested_by and pr.id = e.practice_id
       returning e.id, e.mail_attempts as attempts, e.status, e.delivery_id, case when u.status = 'active' then u.email end as email, pr.name as practice_name`,
      [new Date(now.getTime() + LEASE_MS), now, now, BATCH],
    );
    if (!claimed.length) return { sent, failed };
    const batch = await sendClaimedMails(conn, clock, deliveryOutbox, claimed, async (e) => {
      if (!e.email) return 'skipped';
      await mailer.send(deliveryMail({ ...e, email: e.email }, config.appUrl));
      return 'sent';
    });
    sent += batch.sent;
    failed += batch.failed;
    if (batch.failed) {
      log.warn({ job: 'deliveries.send-mails', failed: batch.failed }, 'delivery emails failed; they will be retried');
      return { sent, failed }; // the mail server is struggling: leave the rest to the next sweep
    }
  }
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
