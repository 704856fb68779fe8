import type { Agenda } from 'agenda';
import type { JobDeps } from '../../jobs.ts';
import { escalateDueSos } from './sos-escalation.service.ts';
import { sendSosMails } from './sos-mail.service.ts';
import { ESCALATE_SOS, SEND_SOS_MAILS } from './sos-queue.ts';

export function defineSosJobs(agenda: Agenda, deps: JobDeps): void {
  agenda.define(
    SEND_SOS_MAILS,
    async () => {
      await sendSosMails(deps);
    },
    { concurrency: 2, removeOnComplete: true },
  );
  // Escalates what is due, then sends every pending SOS email: an escalation's, one whose enqueue was lost, or one whose retry time has come.
  agenda.define(
    ESCALATE_SOS,
    async () => {
      const escalated = await escalateDueSos(deps);
      if (escalated) deps.log.info({ job: ESCALATE_SOS, escalated }, 'SOS requests escalated');
      await sendSosMails(deps);
    },
    { concurrency: 1 },
  );
}

/** Every 30 s: an escalation is at most half a minute late. */
export async function scheduleSosJobs(agenda: Agenda): Promise<void> {
  await agenda.every('30 seconds', ESCALATE_SOS);
}
