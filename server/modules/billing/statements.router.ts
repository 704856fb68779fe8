import { statementInput, statementOutput } from '../../../shared/schemas/billing.ts';
import { authedProcedure, router } from '../../trpc.ts';
import { patientStatement } from './statements.service.ts';

export const statementsRouter = router({
  byPatient: authedProcedure
    .meta({ phi: true })
    .input(statementInput)
    .output(statementOutput)
    .query(({ ctx, input }) => patientStatement(ctx, input)),
});
