import { z } from 'zod';
import { pageInput, text, uuid } from './common.ts';

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
