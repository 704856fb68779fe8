import type { Agenda } from 'agenda';
import type { JobDeps } from '../../jobs.ts';
import { deleteExpiredNotifications } from './notifications.service.ts';

export const SWEEP_NOTIFICATIONS = 'notifications.retention-sweep' as const;

export function defineNotificationJobs(agenda: Agenda, { orm, clock, config, log }: JobDeps): void {
  agenda.define(
    SWEEP_NOTIFICATIONS,
    async () => {
      const deleted = await deleteExpiredNotifications(orm.em.fork(), new Date(clock.now().getTime() - config.notifications.retentionMs));
      if (deleted) log.info({ job: SWEEP_NOTIFICATIONS, deleted }, 'expired notifications deleted');
    },
    { concurrency: 1 },
  );
}

export async function scheduleNotificationJobs(agenda: Agenda): Promise<void> {
  await agenda.every('1 hour', SWEEP_NOTIFICATIONS);
}
