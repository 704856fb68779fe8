import type { Agenda } from 'agenda';
import type { JobDeps } from '../../jobs.ts';
import { sendMessageMails } from './message-mail.service.ts';

/**
 * The "new message" emails fall due a delay after their message, so a sweep every minute sends them: the
 * outbox rows are the work (claimed by lease, so workers side by side never mail twice), and one recurring
 * job costs one indexed query a minute where a delayed job per message would be a queue row per message.
 */
export const SEND_MESSAGE_MAILS = 'messaging.send-mails' as const;

export function defineMessagingJobs(agenda: Agenda, deps: JobDeps): void {
  agenda.define(
    SEND_MESSAGE_MAILS,
    async () => {
      await sendMessageMails(deps);
    },
    { concurrency: 1 },
  );
}

export async function scheduleMessagingJobs(agenda: Agenda): Promise<void> {
  await agenda.every('1 minute', SEND_MESSAGE_MAILS);
}
