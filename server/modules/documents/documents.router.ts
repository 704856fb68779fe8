import { idInput } from '../../../shared/schemas/common.ts';
import { createDocumentInput, deleteDocumentInput, documentOutput, documentPageOutput, listDocumentsInput } from '../../../shared/schemas/documents.ts';
import { authedProcedure, clinicianProcedure, router } from '../../trpc.ts';
import { createDocument, deleteDocument, getDocument, listDocuments } from './documents.service.ts';

/** A patient's documents: staff, the patient and their guardians alike, by the record's rules (document-access.ts). */
export const documentsRouter = router({
  create: authedProcedure
    .meta({ phi: true })
    .input(createDocumentInput)
    .output(documentOutput)
    .mutation(({ ctx, input }) => createDocument(ctx, input)),
  list: authedProcedure
    .meta({ phi: true })
    .input(listDocumentsInput)
    .output(documentPageOutput)
    .query(({ ctx, input }) => listDocuments(ctx, input)),
  byId: authedProcedure
    .meta({ phi: true })
    .input(idInput)
    .output(documentOutput)
    .query(({ ctx, input }) => getDocument(ctx, input)),
  delete: clinicianProcedure
    .meta({ phi: true })
    .input(deleteDocumentInput)
    .output(documentOutput)
    .mutation(({ ctx, input }) => deleteDocument(ctx, input)),
});
