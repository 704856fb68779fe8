import { changePasswordInput, loginInput, requestPasswordResetInput, resetPasswordInput, verifyMfaInput } from '../../../shared/schemas/auth.ts';
import { authedProcedure, publicProcedure, router } from '../../trpc.ts';
import { login, logout, me, verifyMfa } from './auth.service.ts';
import { changePassword, requestPasswordReset, resetPassword } from './password.service.ts';

const setUp = { allowWithoutMfa: true };

export const authRouter = router({
  login: publicProcedure.input(loginInput).mutation(({ ctx, input }) => login(ctx, input)),
  verifyMfa: publicProcedure.input(verifyMfaInput).mutation(({ ctx, input }) => verifyMfa(ctx, input)),
  logout: authedProcedure.meta(setUp).mutation(({ ctx }) => logout(ctx)),
  me: authedProcedure.meta(setUp).query(({ ctx }) => me(ctx)),
  changePassword: authedProcedure
    .meta(setUp)
    .input(changePasswordInput)
    .mutation(({ ctx, input }) => changePassword(ctx, input)),
  requestPasswordReset: publicProcedure.input(requestPasswordResetInput).mutation(({ ctx, input }) => requestPasswordReset(ctx, input)),
  resetPassword: publicProcedure.input(resetPasswordInput).mutation(({ ctx, input }) => resetPassword(ctx, input)),
});
