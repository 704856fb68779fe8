import { checkInFromLinkOutput, checkInLinkOutput, reminderLinkInput, reminderPageOutput, unsubscribeLinkOutput } from '../../../shared/schemas/reminders.ts';
import { listRemindersInput } from '../../../shared/schemas/steps.ts';
import { authedProcedure, publicProcedure, router } from '../../trpc.ts';
import { checkInFromLink, linkAnswer, lookupCheckInLink, lookupUnsubscribeLink, unsubscribeFromLink } from './reminder-links.service.ts';
import { listReminders } from './reminder-list.service.ts';

/**
 * Reminders, and the links of reminder mails (/check-in, /unsubscribe): PAMS serves those pages itself, and a
 * practice with its own frontend at APP_URL serves them with these procedures instead. The signed token is
 * the only credential, as on PAMS's pages.
 */
export const remindersRouter = router({
  list: authedProcedure
    .meta({ phi: true })
    .input(listRemindersInput)
    .output(reminderPageOutput)
    .query(({ ctx, input }) => listReminders(ctx, input)),
  lookupCheckIn: publicProcedure
    .meta({ phi: true })
    .input(reminderLinkInput)
    .output(checkInLinkOutput)
    .query(({ ctx, input }) => linkAnswer(lookupCheckInLink(ctx, input.token))),
  checkIn: publicProcedure
    .meta({ phi: true })
    .input(reminderLinkInput)
    .output(checkInFromLinkOutput)
    .mutation(({ ctx, input }) => linkAnswer(checkInFromLink(ctx, input.token))),
  lookupUnsubscribe: publicProcedure
    .input(reminderLinkInput)
    .output(unsubscribeLinkOutput)
    .query(({ ctx, input }) => linkAnswer(lookupUnsubscribeLink(ctx, input.token))),
  unsubscribe: publicProcedure
    .meta({ phi: true })
    .input(reminderLinkInput)
    .output(unsubscribeLinkOutput)
    .mutation(({ ctx, input }) => linkAnswer(unsubscribeFromLink(ctx, input.token))),
});
