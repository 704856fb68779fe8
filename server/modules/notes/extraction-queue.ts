import type { Agenda } from 'agenda';
import { z } from 'zod';

export const EXTRACT_NOTE = 'notes.extract' as const;

/** `requestId`: the request that enqueued it (none for the requeue sweep), so the job's log lines join that request's. */
export const extractNoteData = z.object({ noteId: z.uuid(), practiceId: z.uuid(), requestId: z.string().optional() });
export type ExtractNoteData = z.infer<typeof extractNoteData>;

/** The job carries ids only: no PHI in the queue. */
export async function enqueueExtraction(agenda: Agenda, data: ExtractNoteData): Promise<void> {
  await agenda.now(EXTRACT_NOTE, data);
}
