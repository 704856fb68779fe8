import {
  listNotificationsInput,
  markNotificationsReadInput,
  notificationListOutput,
  notificationOutput,
  notificationStreamInput,
  practiceEventOutput,
  practiceStreamInput,
  unreadCountOutput,
} from '../../../shared/schemas/notifications.ts';
import { adminProcedure, authedProcedure, router } from '../../trpc.ts';
import { listNotifications, markNotificationsRead, unreadNotificationCount } from './notifications.service.ts';

export const notificationsRouter = router({
  list: authedProcedure
    .meta({ phi: true })
    .input(listNotificationsInput)
    .output(notificationListOutput)
    .query(({ ctx, input }) => listNotifications(ctx, input)),
  unreadCount: authedProcedure.output(unreadCountOutput).query(({ ctx }) => unreadNotificationCount(ctx)),
  markRead: authedProcedure
    .input(markNotificationsReadInput)
    .output(unreadCountOutput)
    .mutation(({ ctx, input }) => markNotificationsRead(ctx, input)),
  /** Server-Sent Events: `tracked(id, notification)`, resumable with `lastEventId` (README, Live notifications). */
  stream: authedProcedure
    .meta({ phi: true, events: notificationOutput })
    .input(notificationStreamInput)
    .subscription(({ ctx, input, signal }) => ctx.live.open(ctx, input.lastEventId, signal)),
  /** The practice's events, each once with its recipients, for an admin watching (`pams events tail`); resumable the same way. */
  practiceStream: adminProcedure
    .meta({ phi: true, events: practiceEventOutput })
    .input(practiceStreamInput)
    .subscription(({ ctx, input, signal }) => ctx.live.openPractice(ctx, input, signal)),
});
