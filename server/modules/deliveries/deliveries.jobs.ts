import type { Agenda } from 'agenda';
import type { JobDeps } from '../../jobs.ts';
import { SEND_DELIVERY_MAILS } from './delivery-mail-queue.ts';
import { sendDeliveryMails } from './delivery-mail.service.ts';

/** Sends what is still pending: an email whose enqueue was lost, or whose retry time has come. */
export const SWEEP_DELIVERY_MAILS = 'deliveries.mail-sweep' as const;

export function defineDeliveryJobs(agenda: Agenda, deps: JobDeps): void {
  agenda.define(
    SEND_DELIVERY_MAILS,
    async () => {
      await sendDeliveryMails(deps);
    },
    { concurrency: 2, removeOnComplete: true },
  );
  agenda.define(
    SWEEP_DELIVERY_MAILS,
    async () => {
      await sendDeliveryMails(deps);
    },
    { concurrency: 1 },
  );
}

export async function scheduleDeliveryJobs(agenda: Agenda): Promise<void> {
  await agenda.every('1 minute', SWEEP_DELIVERY_MAILS);
}
