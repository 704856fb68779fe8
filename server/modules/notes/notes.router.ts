import { idInput } from '../../../shared/schemas/common.ts';
import { addendumInput, createNoteInput, listNotesInput } from '../../../shared/schemas/notes.ts';
import { authedProcedure, clinicianProcedure, router } from '../../trpc.ts';
import { addAddendum, createNote, getNote, listNotes, retryExtraction } from './notes.service.ts';

export const notesRouter = router({
  create: clinicianProcedure.input(createNoteInput).mutation(({ ctx, input }) => createNote(ctx, input)),
  addendum: clinicianProcedure.input(addendumInput).mutation(({ ctx, input }) => addAddendum(ctx, input)),
  byId: authedProcedure.input(idInput).query(({ ctx, input }) => getNote(ctx, input)),
  list: authedProcedure.input(listNotesInput).query(({ ctx, input }) => listNotes(ctx, input)),
  retryExtraction: clinicianProcedure.input(idInput).mutation(({ ctx, input }) => retryExtraction(ctx, input)),
});
