import { defineModule } from '../../module-manifest.ts';
import { ReminderDelivery } from './reminder-delivery.entity.ts';
import { defineReminderJobs, scheduleReminderJobs } from './reminders.jobs.ts';
import { remindersRouter } from './reminders.router.ts';

export const remindersModule = defineModule({
  routers: { reminders: remindersRouter },
  entities: [ReminderDelivery],
  defineJobs: defineReminderJobs,
  scheduleJobs: (agenda, { config }) => scheduleReminderJobs(agenda, config),
});
