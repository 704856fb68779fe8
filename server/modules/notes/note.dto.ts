import type { Note } from './note.entity.ts';

export type NoteDto = ReturnType<typeof toNoteDto>;

export function toNoteDto(note: Note, body: string) {
  return {
    id: note.id,
    patientId: note.patient.id,
    authorId: note.authorId,
    addendumToId: note.addendumTo?.id ?? null,
    body,
    createdAt: note.createdAt.toISOString(),
    /** Null for an addendum, which is not extracted. */
    extraction: note.extractionState
      ? { state: note.extractionState, reason: note.extractionReason ?? null, attempts: note.extractionAttempts, stepsCreated: note.stepsCreated, stepsRejected: note.stepsRejected }
      : null,
  };
}
