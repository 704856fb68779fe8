import { z } from 'zod';
import { instantOutput, pageInput, pageOutput, text, uuid } from './common.ts';

export const extractionStates = ['pending', 'done', 'failed'] as const;
export type ExtractionState = (typeof extractionStates)[number];

/** A note body: free text, up to ~50 pages. */
export const noteBody = text().trim().min(1, 'is required').max(100_000, 'must be at most 100,000 characters');

export const createNoteInput = z.object({ patientId: uuid, body: noteBody });
export type CreateNoteInput = z.infer<typeof createNoteInput>;

/** Notes never change: a correction or an afterthought is an addendum linked to the note. */
export const addendumInput = z.object({ id: uuid, body: noteBody });
export type AddendumInput = z.infer<typeof addendumInput>;

export const listNotesInput = pageInput.extend({ patientId: uuid });
export type ListNotesInput = z.infer<typeof listNotesInput>;

/* Outputs */
/** Where extracting the note's care steps stands. */
export const noteExtractionOutput = z.object({
  state: z.enum(extractionStates),
  reason: z.string().nullable().describe('Why it failed, or what it left out'),
  attempts: z.number(),
  stepsCreated: z.number(),
  stepsRejected: z.number().describe('Extracted items refused: their passage not in the note, or an invalid schedule'),
});

export const noteOutput = z.object({
  id: z.string(),
  patientId: z.string(),
  authorId: z.string(),
  addendumToId: z.string().nullable().describe('The note this addendum adds to; null for a note'),
  body: z.string(),
  createdAt: instantOutput,
  extraction: noteExtractionOutput.nullable().describe('Null for an addendum, which is not extracted'),
});
export type NoteOutput = z.infer<typeof noteOutput>;
export const notePageOutput = pageOutput(noteOutput);

/** A note with its addenda, oldest first. */
export const noteWithAddendaOutput = noteOutput.extend({ addenda: z.array(noteOutput) });
