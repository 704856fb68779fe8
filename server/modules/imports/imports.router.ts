import { addImportRowsInput, beginImportInput, commitImportInput, importIdInput } from '../../../shared/schemas/imports.ts';
import { adminProcedure, router } from '../../trpc.ts';
import { addImportRows, beginImport, cancelImport, commitImport } from './imports.service.ts';

/** Staged imports of patients and records (see shared/schemas/imports.ts): begin, add batches, commit or cancel. */
export const importsRouter = router({
  begin: adminProcedure
    .meta({ openapi: true })
    .input(beginImportInput)
    .mutation(({ ctx, input }) => beginImport(ctx, input)),
  add: adminProcedure
    .meta({ openapi: true })
    .input(addImportRowsInput)
    .mutation(({ ctx, input }) => addImportRows(ctx, input)),
  commit: adminProcedure
    .meta({ openapi: true, phi: true })
    .input(commitImportInput)
    .mutation(({ ctx, input }) => commitImport(ctx, input)),
  cancel: adminProcedure
    .meta({ openapi: true })
    .input(importIdInput)
    .mutation(({ ctx, input }) => cancelImport(ctx, input)),
});
