import type { Agenda } from 'agenda';
import type { JobDeps } from '../../jobs.ts';
import { EXTRACT_NOTE, extractNoteData } from './extraction-queue.ts';
import { requeueLostExtractions } from './extraction-requeue.service.ts';
import { RetryExtractionLater, runExtraction } from './extraction.service.ts';
import { ExtractionError } from './extraction.ts';

export const REQUEUE_EXTRACTIONS = 'notes.requeue-extractions' as const;

export function defineNoteJobs(agenda: Agenda, deps: JobDeps): void {
  agenda.define(
    EXTRACT_NOTE,
    async (job) => {
      const data = extractNoteData.parse(job.attrs.data);
      try {
        await runExtraction({ ...deps, log: deps.log.child({ job: EXTRACT_NOTE, jobId: String(job.attrs._id), requestId: data.requestId }) }, data);
      } catch (err) {
        // Agenda keeps a failure's message as the job's failReason, which `jobs.list` shows; a database
        // error's message may quote parameters (step titles). Our own errors are PHI-free; others keep their name.
        if (err instanceof RetryExtractionLater || err instanceof ExtractionError) throw err;
        throw new Error(err instanceof Error ? err.name : 'extraction failed');
      }
    },
    // The delay comes from the attempt count kept on the note; a final failure is not retried.
    { backoff: ({ error }) => (error instanceof RetryExtractionLater ? error.delayMs : null), concurrency: 4, lockLifetime: deps.config.llm.timeoutMs + 60_000 },
  );
  agenda.define(
    REQUEUE_EXTRACTIONS,
    async () => {
      await requeueLostExtractions(deps);
    },
    { concurrency: 1 },
  );
}

export async function scheduleNoteJobs(agenda: Agenda): Promise<void> {
  await agenda.every('1 minute', REQUEUE_EXTRACTIONS);
}
