import { confirmMfaInput, disableMfaInput, mfaEnrolmentOutput, recoveryCodesOutput } from '../../../shared/schemas/auth.ts';
import { okOutput } from '../../../shared/schemas/common.ts';
import { authedProcedure, router } from '../../trpc.ts';
import { confirmMfa, disableMfa, enrolMfa } from './mfa.service.ts';

const enrolment = authedProcedure.meta({ allowWithoutMfa: true });

export const mfaRouter = router({
  enrol: enrolment.output(mfaEnrolmentOutput).mutation(({ ctx }) => enrolMfa(ctx)),
  confirm: enrolment
    .input(confirmMfaInput)
    .output(recoveryCodesOutput)
    .mutation(({ ctx, input }) => confirmMfa(ctx, input)),
  disable: authedProcedure
    .input(disableMfaInput)
    .output(okOutput)
    .mutation(({ ctx, input }) => disableMfa(ctx, input)),
});
