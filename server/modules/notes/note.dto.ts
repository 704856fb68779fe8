import type { NoteOutput } from '../../../shared/schemas/notes.ts';
import type { Note } from './note.entity.ts';

export function toNoteDto(note: Note, body: string): NoteOutput {
  return {
    id: note.id,
    patientId: note.patient.id,
    authorId: note.authorId,
    addendumToId: note.addendumTo?.id ?? null,
    body,
    createdAt: note.createdAt.toISOString(),
    extraction: note.extractionState
      ? { state: note.extractionState, reason: note.extractionReason ?? null, attempts: note.extractionAttempts, stepsCreated: note.stepsCreated, stepsRejected: note.stepsRejected }
      : null,
  };
}
