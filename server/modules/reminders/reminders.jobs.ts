import type { Agenda } from 'agenda';
import type { Config } from '../../config.ts';
import type { JobDeps } from '../../jobs.ts';
import { countDueEmails, createDueReminders, deliverDueEmails } from './reminder-delivery.service.ts';

export const SWEEP_REMINDERS = 'reminders.sweep' as const;
export const DELIVER_REMINDERS = 'reminders.deliver' as const;

/** Deliver jobs started per sweep: enough for every worker to share the sending, few enough to stay cheap. */
const MAX_PARALLEL_DELIVERIES = 4;
const EMAILS_PER_DELIVER_JOB = 200;

export function defineReminderJobs(agenda: Agenda, deps: JobDeps): void {
  agenda.define(
    SWEEP_REMINDERS,
    async () => {
      const { created } = await createDueReminders(deps);
      // Also picks up emails whose retry time has come and claims a dead worker left behind.
      const due = await countDueEmails(deps);
      const jobs = Math.min(MAX_PARALLEL_DELIVERIES, Math.ceil(due / EMAILS_PER_DELIVER_JOB));
      for (let i = 0; i < jobs; i++) await agenda.now(DELIVER_REMINDERS, {});
      if (created || due) deps.log.info({ job: SWEEP_REMINDERS, created, dueEmails: due, deliverJobs: jobs }, 'reminders swept');
    },
    { concurrency: 1 },
  );
  agenda.define(
    DELIVER_REMINDERS,
    async () => {
      await deliverDueEmails(deps);
    },
    { concurrency: 2, removeOnComplete: true },
  );
}

export async function scheduleReminderJobs(agenda: Agenda, config: Pick<Config, 'reminderSweepInterval'>): Promise<void> {
  await agenda.every(config.reminderSweepInterval, SWEEP_REMINDERS);
}
