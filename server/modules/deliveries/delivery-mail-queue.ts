import type { Agenda } from 'agenda';
import type { Logger } from '../../logger.ts';

export const SEND_DELIVERY_MAILS = 'deliveries.send-mails' as const;

/**
 * Asks a worker to send the pending status emails now. The pending rows are the work (delivery_event);
 * should this enqueue fail after the change committed, the minute's sweep sends them instead.
 */
export async function enqueueDeliveryMails(agenda: Agenda, log: Logger): Promise<void> {
  await agenda.now(SEND_DELIVERY_MAILS, {}).catch((err: Error) => log.warn({ err: { name: err.name } }, 'delivery mail job not enqueued; the sweep sends it'));
}
