import { changePasswordInput, loginInput, loginOutput, meOutput, requestPasswordResetInput, resetPasswordInput, signUpInput, verifyEmailInput, verifyMfaInput } from '../../../shared/schemas/auth.ts';
import { okOutput } from '../../../shared/schemas/common.ts';
import { authedProcedure, publicProcedure, router } from '../../trpc.ts';
import { login, logout, me, verifyMfa } from './auth.service.ts';
import { changePassword, requestPasswordReset, resetPassword } from './password.service.ts';
import { signUp, verifyEmail } from './sign-up.service.ts';

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
  /** A patient creates their own account, where the practice allows it; the same answer whether or not the email has one. */
  signUp: publicProcedure
    .input(signUpInput)
    .output(okOutput)
    .mutation(({ ctx, input }) => signUp(ctx, input)),
  /** The sign-up mail's link: makes the account and its own new, self-registered patient record. */
  verifyEmail: publicProcedure
    .input(verifyEmailInput)
    .output(okOutput)
    .mutation(({ ctx, input }) => verifyEmail(ctx, input)),
});
