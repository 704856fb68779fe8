import { confirmMfaInput, disableMfaInput } from '../../../shared/schemas/auth.ts';
import { authedProcedure, router } from '../../trpc.ts';
import { confirmMfa, disableMfa, enrolMfa } from './mfa.service.ts';

const enrolment = authedProcedure.meta({ allowWithoutMfa: true });

export const mfaRouter = router({
  enrol: enrolment.mutation(({ ctx }) => enrolMfa(ctx)),
  confirm: enrolment.input(confirmMfaInput).mutation(({ ctx, input }) => confirmMfa(ctx, input)),
  disable: authedProcedure.input(disableMfaInput).mutation(({ ctx, input }) => disableMfa(ctx, input)),
});
