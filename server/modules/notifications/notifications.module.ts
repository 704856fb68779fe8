import { defineModule } from '../../module-manifest.ts';
import { Notification } from './notification.entity.ts';
import { defineNotificationJobs, scheduleNotificationJobs } from './notifications.jobs.ts';
import { notificationsRouter } from './notifications.router.ts';

export const notificationsModule = defineModule({
  routers: { notifications: notificationsRouter },
  entities: [Notification],
  defineJobs: defineNotificationJobs,
  scheduleJobs: (agenda) => scheduleNotificationJobs(agenda),
});
