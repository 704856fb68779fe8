import type { Agenda } from 'agenda';
import type { JobDeps } from '../../jobs.ts';
import { EXTRACT_NOTE, extractNoteData } from './extraction-queue.ts';
import { requeueLostExtractions } from './extraction-requeue.service.ts';
import { RetryExtractionLater, runExtraction } from './extraction.service.ts';

export const REQUEUE_EXTRACTIONS = 'notes.requeue-extractions' as const;

export function defineNoteJobs(agenda: Agenda, deps: JobDeps): void {
  agenda.define(
    EXTRACT_NOTE,
    async (job) => {
      const data = extractNoteData.parse(job.attrs.data);
      await runExtraction({ ...deps, log: deps.log.child({ job: EXTRACT_NOTE, jobId: String(job.attrs._id) }) }, data);
    },
    // The delay comes from the attempt count kept on the note; a final failure is not retried.
    { backoff: ({ error }) => (error instanceof RetryExtractionLater ? error.delayMs : null), concurrency: 4, lockLifetime: deps.config.llm.timeoutMs + 60_000 },
  );
  agenda.define(REQUEUE_EXTRACTIONS, async () => {
    await requeueLostExtractions(deps);
  }, { concurrency: 1 });
}

export async function scheduleNoteJobs(agenda: Agenda): Promise<void> {
  await agenda.every('1 minute', REQUEUE_EXTRACTIONS);
}
