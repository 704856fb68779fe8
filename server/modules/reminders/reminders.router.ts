import { reminderPageOutput } from '../../../shared/schemas/reminders.ts';
import { listRemindersInput } from '../../../shared/schemas/steps.ts';
import { authedProcedure, router } from '../../trpc.ts';
import { listReminders } from './reminder-list.service.ts';

export const remindersRouter = router({
  list: authedProcedure
    .meta({ phi: true })
    .input(listRemindersInput)
    .output(reminderPageOutput)
    .query(({ ctx, input }) => listReminders(ctx, input)),
});
