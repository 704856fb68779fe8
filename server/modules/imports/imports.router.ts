import {
  addImportRowsInput,
  addImportRowsOutput,
  beginImportInput,
  beginImportOutput,
  cancelImportOutput,
  commitImportInput,
  commitImportOutput,
  importIdInput,
} from '../../../shared/schemas/imports.ts';
import { adminProcedure, router } from '../../trpc.ts';
import { addImportRows, beginImport, cancelImport, commitImport } from './imports.service.ts';

/** Staged imports of patients and records (see shared/schemas/imports.ts): begin, add batches, commit or cancel. */
export const importsRouter = router({
  begin: adminProcedure
    .input(beginImportInput)
    .output(beginImportOutput)
    .mutation(({ ctx, input }) => beginImport(ctx, input)),
  add: adminProcedure
    .input(addImportRowsInput)
    .output(addImportRowsOutput)
    .mutation(({ ctx, input }) => addImportRows(ctx, input)),
  commit: adminProcedure
    .meta({ phi: true })
    .input(commitImportInput)
    .output(commitImportOutput)
    .mutation(({ ctx, input }) => commitImport(ctx, input)),
  cancel: adminProcedure
    .input(importIdInput)
    .output(cancelImportOutput)
    .mutation(({ ctx, input }) => cancelImport(ctx, input)),
});
