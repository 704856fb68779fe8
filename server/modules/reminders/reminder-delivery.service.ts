import type { EntityManager } from '@mikro-orm/postgresql';
import type { Mail } from '../../mailer.ts';
import type { JobDeps } from '../../jobs.ts';
import { drainMailOutbox, dueMailCount, type MailOutbox } from '../../mail-outbox.ts';
import { reminderLag } from '../../observability/metrics.ts';
import { CHECK_IN_LINK_TTL_MS, signLink } from './reminder-links.ts';

/** The instant a delivery's reminder was due: its day at the plan item's time of day, in the patient's zone (SQL, from three columns). */
const reminderTime = (day: string, timeOfDay: string, timeZone: string) => `((${day} + ${timeOfDay}::time) at time zone ${timeZone})`;

/** Where the sweep parks a plan item past its end date: nothing is due until its schedule changes. */
const NO_MORE_REMINDERS = '9999-12-31T00:00:00Z';

/**
 * Finds every active plan item with a reminder due and creates that day's delivery rows: the in-app one
 * delivered at once, the email one pending for the deliver jobs (skipped for a patient with no email, or
 * who opted out of reminder emails). The day is the latest occurrence whose
 * reminder time (in the patient's zone) has passed, so a sweep after three days of downtime makes one
 * catch-up reminder, not three; an item past its end date makes none. The unique (step, day, channel)
 * key makes this exactly-once across any number of concurrent sweeps. The in-app one is also a
 * `reminder.due` notification for the patient's portal users (the patient, guardians), in the same
 * statement: its insert trigger announces it to their streams (notifications module). Stamped with the
 * wall clock, as every notification is (the streams' retention window reads it). Returns the emails made pending.
 *
 * Only items whose bookmark (`next_reminder_at`) is due or unset are read, through a partial index, and
 * the same statement moves each bookmark on to its next occurrence: a sweep costs what is due, not every
 * active plan item of every practice.
 */
export async function createDueReminders({ orm, clock }: Pick<JobDeps, 'orm' | 'clock'>): Promise<{ created: number; emails: number }> {
  const now = clock.now();
  const total = { created: 0, emails: 0 };
  for (;;) {
    const batch = await sweepBatch(orm.em.fork().getConnection(), now);
    total.created += batch.created;
    total.emails += batch.emails;
    if (batch.swept < SWEEP_BATCH) return total;
  }
}

/** Plan items per statement: each batch's row locks are held for a short statement, not the whole sweep. */
const SWEEP_BATCH = 1000;

/**
 * One batch of the sweep. Its plan items (and their patients, for the foreign keys of what it inserts)
 * are locked as they are read, skipping any a request holds: a sweep never waits for a call's row lock,
 * so it cannot deadlock with one (a new note cancelling a patient's plan items locks them in its own
 * order); a skipped item is still due, for the next batch or sweep.
 */
async function sweepBatch(conn: ReturnType<EntityManager['getConnection']>, now: Date): Promise<{ swept: number; created: number; emails: number }> {
  const [row] = await conn.execute<{ swept: string; created: string; emails: string; in_app_lags: number[] }[]>(
    `with local as (
       select s.id as step_id, s.practice_id, s.patient_id, s.cadence, s.start_date, s.end_date, s.time_of_day,
              case when p.reminder_email_opt_out_at is null then p.email end as email, p.time_zone,
              (?::timestamptz at time zone p.time_zone) as local_now
       from step s join patient p on p.id = s.patient_id
       where s.kind = 'plan' and s.state = 'active' and (s.next_reminder_at is null or s.next_reminder_at <= ?)
       limit ${SWEEP_BATCH}
       for update of s skip locked for key share of p skip locked
     ), latest as (
       select *, case when local_now::time >= time_of_day::time then local_now::date else local_now::date - 1 end as candidate from local
     ), due as (
       select *, case when candidate < start_date then null
                      when cadence = 'weekly' then candidate - ((candidate - start_date) % 7)
                      else candidate end as day
       from latest
     ), advanced as (
       update step s set next_reminder_at = case when n.next_day > n.end_date then ?::timestamptz
                                                 else ${reminderTime('n.next_day', 'n.time_of_day', 'n.time_zone')} end
       from (select step_id, end_date, time_of_day, time_zone,
                    case when day is null then start_date when cadence = 'weekly' then day + 7 else day + 1 end as next_day
             from due) n
       where s.id = n.step_id
     ), inserted as (
       insert into reminder_delivery (id, practice_id, patient_id, step_id, local_day, channel, status, attempts, next_attempt_at, created_at, sent_at)
       select uuidv7(), practice_id, patient_id, step_id, day, channel.name,
              case when channel.name = 'in-app' then 'sent' when email is null then 'skipped' else 'pending' end,
              0, case when channel.name = 'email' and email is not null then ?::timestamptz end, ?::timestamptz,
              case when channel.name = 'in-app' then ?::timestamptz end
       from due cross join (values ('in-app'), ('email')) as channel(name)
       where day >= start_date and (end_date is null or day <= end_date)
       on conflict (step_id, local_day, channel) do nothing
       returning practice_id, patient_id, step_id, local_day, channel, status, sent_at
     ), notified as (
       insert into notification (id, practice_id, user_id, kind, patient_id, subject_type, subject_id, data, created_at)
       select uuidv7(), i.practice_id, u.id, 'reminder.due', i.patient_id, 'step', i.step_id, jsonb_build_object('stepId', i.step_id, 'day', i.local_day), now()
       from inserted i
       join lateral (select portal_user_id as id from patient where id = i.patient_id union select guardian_id from guardianship where dependent_id = i.patient_id) r on true
       join users u on u.id = r.id and u.practice_id = i.practice_id and u.status = 'active'
       where i.channel = 'in-app'
     )
     select (select count(*) from local) as swept, count(*) as created, count(*) filter (where i.status = 'pending') as emails,
            coalesce(array_agg(extract(epoch from i.sent_at - ${reminderTime('i.local_day', 'd.time_of_day', 'd.time_zone')})::float8) filter (where i.channel = 'in-app'), '{}') as in_app_lags
     from inserted i join due d on d.step_id = i.step_id`,
    [now, now, NO_MORE_REMINDERS, now, now, now],
  );
  for (const lag of row?.in_app_lags ?? []) reminderLag.labels('in-app').observe(lag);
  return { swept: Number(row?.swept ?? 0), created: Number(row?.created ?? 0), emails: Number(row?.emails ?? 0) };
}

/** Pending emails whose time has come, for deciding how many deliver jobs to start. */
export async function countDueEmails({ orm, clock }: Pick<JobDeps, 'orm' | 'clock'>): Promise<number> {
  return dueMailCount(orm.em.fork().getConnection(), clock, reminderOutbox);
}

const reminderOutbox: MailOutbox = {
  table: 'reminder_delivery',
  alias: 'd',
  status: 'status',
  sentAt: 'sent_at',
  nextAttemptAt: 'next_attempt_at',
  attempts: 'attempts',
  lastError: 'last_error',
  job: 'reminders.deliver',
  kind: 'reminder',
};

type Claimed = {
  id: string;
  attempts: number;
  email: string | null;
  title: string;
  step_state: string;
  practice_name: string;
  practice_id: string;
  patient_id: string;
  step_id: string;
  local_day: string;
  /** When the reminder was due, in seconds since 1970. */
  due_epoch: number;
};

/** Sends pending reminder emails until none is due (drainMailOutbox: claimed by lease, retried). */
export async function deliverDueEmails({ orm, clock, mailer, log, config }: Pick<JobDeps, 'orm' | 'clock' | 'mailer' | 'log' | 'config'>): Promise<{ sent: number; failed: number }> {
  const conn = orm.em.fork().getConnection();
  return drainMailOutbox(
    { conn, clock, log },
    reminderOutbox,
    {
      from: 'step s, patient p, practice pr',
      on: 's.id = d.step_id and p.id = d.patient_id and pr.id = d.practice_id',
      returning: `case when p.reminder_email_opt_out_at is null then p.email end as email, s.title, s.state as step_state,
                  pr.name as practice_name, d.practice_id, d.patient_id, d.step_id, d.local_day::text as local_day,
                  extract(epoch from ${reminderTime('d.local_day', 's.time_of_day', 'p.time_zone')})::float8 as due_epoch`,
    },
    async (d: Claimed, now) => {
      // The step ended, or the patient opted out, after the row was made.
      if (d.step_state !== 'active' || !d.email) return 'cancelled';
      await mailer.send(reminderMail({ ...d, email: d.email }, config, now));
      reminderLag.labels('email').observe(clock.now().getTime() / 1000 - d.due_epoch);
      return 'sent';
    },
  );
}

/**
 * The reminder mail: a one-click check-in link for this item and day, and an unsubscribe link, also as
 * RFC 8058 headers so mail apps offer their own "unsubscribe" button (a POST that needs no page).
 */
function reminderMail(d: Claimed & { email: string }, { appUrl, encryptionKeys }: JobDeps['config'], now: Date): Mail {
  const ids = { practiceId: d.practice_id, patientId: d.patient_id };
  const checkIn = `${appUrl}/check-in?token=${signLink(encryptionKeys, { purpose: 'check-in', ...ids, stepId: d.step_id, localDay: d.local_day, expiresAt: now.getTime() + CHECK_IN_LINK_TTL_MS })}`;
  const unsubscribe = `${appUrl}/unsubscribe?token=${signLink(encryptionKeys, { purpose: 'unsubscribe', ...ids })}`;
  const text = [
    `A reminder from ${d.practice_name}:`,
    '',
    `  ${d.title}`,
    '',
    `When you have done it, check in so the reminders stop. This link works for ${CHECK_IN_LINK_TTL_MS / 3_600_000} hours:`,
    checkIn,
    '',
    `Or check in at ${appUrl}.`,
    '',
    'To stop these emails (the reminders in the app go on):',
    unsubscribe,
  ].join('\n');
  return {
    to: d.email,
    subject: `Reminder: ${d.title}`,
    text,
    headers: { 'List-Unsubscribe': `<${unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
  };
}
