import { idInput } from '../../../shared/schemas/common.ts';
import { addendumInput, createNoteInput, listNotesInput, noteOutput, notePageOutput, noteWithAddendaOutput } from '../../../shared/schemas/notes.ts';
import { authedProcedure, clinicianProcedure, router } from '../../trpc.ts';
import { addAddendum, createNote, getNote, listNotes, retryExtraction } from './notes.service.ts';

export const notesRouter = router({
  create: clinicianProcedure
    .meta({ phi: true })
    .input(createNoteInput)
    .output(noteOutput)
    .mutation(({ ctx, input }) => createNote(ctx, input)),
  addendum: clinicianProcedure
    .meta({ phi: true })
    .input(addendumInput)
    .output(noteOutput)
    .mutation(({ ctx, input }) => addAddendum(ctx, input)),
  byId: authedProcedure
    .meta({ phi: true })
    .input(idInput)
    .output(noteWithAddendaOutput)
    .query(({ ctx, input }) => getNote(ctx, input)),
  list: authedProcedure
    .meta({ phi: true })
    .input(listNotesInput)
    .output(notePageOutput)
    .query(({ ctx, input }) => listNotes(ctx, input)),
  retryExtraction: clinicianProcedure
    .meta({ phi: true })
    .input(idInput)
    .output(noteOutput)
    .mutation(({ ctx, input }) => retryExtraction(ctx, input)),
});
