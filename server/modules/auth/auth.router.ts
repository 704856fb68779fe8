import { changePasswordInput, loginInput, loginOutput, meOutput, requestPasswordResetInput, resetPasswordInput, verifyMfaInput } from '../../../shared/schemas/auth.ts';
import { okOutput } from '../../../shared/schemas/common.ts';
import { authedProcedure, publicProcedure, router } from '../../trpc.ts';
import { login, logout, me, verifyMfa } from './auth.service.ts';
import { changePassword, requestPasswordReset, resetPassword } from './password.service.ts';

const setUp = { allowWithoutMfa: true };

export const authRouter = router({
  login: publicProcedure
    .input(loginInput)
    .output(loginOutput)
    .mutation(({ ctx, input }) => login(ctx, input)),
  verifyMfa: publicProcedure
    .input(verifyMfaInput)
    .output(loginOutput)
    .mutation(({ ctx, input }) => verifyMfa(ctx, input)),
  logout: authedProcedure
    .meta(setUp)
    .output(okOutput)
    .mutation(({ ctx }) => logout(ctx)),
  me: authedProcedure
    .meta(setUp)
    .output(meOutput)
    .query(({ ctx }) => me(ctx)),
  changePassword: authedProcedure
    .meta(setUp)
    .input(changePasswordInput)
    .output(okOutput)
    .mutation(({ ctx, input }) => changePassword(ctx, input)),
  requestPasswordReset: publicProcedure
    .input(requestPasswordResetInput)
    .output(okOutput)
    .mutation(({ ctx, input }) => requestPasswordReset(ctx, input)),
  resetPassword: publicProcedure
    .input(resetPasswordInput)
    .output(okOutput)
    .mutation(({ ctx, input }) => resetPassword(ctx, input)),
});
