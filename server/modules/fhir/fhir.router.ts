import { exportFhirInput, exportFhirOutput } from '../../../shared/schemas/fhir.ts';
import { adminProcedure, router } from '../../trpc.ts';
import { exportFhirPage } from './fhir.service.ts';

/** Bulk exports, page by page (`pams export fhir` and GET /fhir/$export stream these pages). */
export const exportsRouter = router({
  fhir: adminProcedure
    .meta({ phi: true })
    .input(exportFhirInput)
    .output(exportFhirOutput)
    .query(({ ctx, input }) => exportFhirPage(ctx, input)),
});
