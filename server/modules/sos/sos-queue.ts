import type { Agenda } from 'agenda';
import type { Logger } from '../../logger.ts';

export const SEND_SOS_MAILS = 'sos.send-mails' as const;
export const ESCALATE_SOS = 'sos.escalate' as const;

/**
 * Asks a worker to send the pending SOS emails now. The pending rows are the work (sos_mail); should this
 * enqueue fail after the change committed, the escalation sweep sends them instead.
 */
export async function enqueueSosMails(agenda: Agenda, log: Logger): Promise<void> {
  await agenda.now(SEND_SOS_MAILS, {}).catch((err: Error) => log.warn({ err: { name: err.name } }, 'SOS mail job not enqueued; the sweep sends it'));
}
