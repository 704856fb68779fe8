import { LockMode } from '@mikro-orm/core';
import type { ChangePasswordInput, RequestPasswordResetInput, ResetPasswordInput } from '../../../shared/schemas/auth.ts';
import { hashPassword, verifyPassword } from '../../auth/password.ts';
import { generateSecretToken, parseSecretToken, secretMatches } from '../../auth/secret-token.ts';
import { invalidateUserSessions } from '../../auth/session.ts';
import type { AuthedCtx, Ctx } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { revokeUserTokens } from '../tokens/tokens.service.ts';
import { User } from '../users/user.entity.ts';
import { PasswordReset } from './password-reset.entity.ts';

const RESET_TTL_MS = 60 * 60 * 1000;

/**
 * Changing the password ends every other session of the user. API tokens stay: they are separate
 * credentials for scripts (an HL7 feed, a nightly export), listed with their last use and revoked one by
 * one, and a routine change must not stop them. Suspected compromise is what a reset is for.
 */
export async function changePassword(ctx: AuthedCtx, { currentPassword, newPassword }: ChangePasswordInput) {
  const user = await ctx.em.findOneOrFail(User, { id: ctx.actor.userId }, { populate: ['passwordHash'] });
  if (!(await verifyPassword(user.passwordHash ?? '', currentPassword))) {
    throw new AppError('UNAUTHORIZED', 'Current password is incorrect', 'invalid-credentials');
  }
  user.passwordHash = await hashPassword(newPassword);
  await invalidateUserSessions(ctx.em, user.id, ctx.actor.sessionId);
  recordAudit(ctx, { action: 'auth.password-changed', entityType: 'user', entityId: user.id });
  await ctx.em.flush();
  return { ok: true as const };
}

/** Always answers the same, whether or not the email has an account: no enumeration. */
export async function requestPasswordReset(ctx: Ctx, { email }: RequestPasswordResetInput) {
  await ctx.loginLimiter.attempt(`reset:${email}`, ctx.meta.ip);
  const user = await ctx.em.findOne(User, { email, status: 'active' }, { filters: false, populate: ['practice'] });
  if (user) {
    const { id, token, secretHash } = generateSecretToken();
    ctx.em.create(PasswordReset, { id, user, secretHash, expiresAt: new Date(Date.now() + RESET_TTL_MS) });
    recordAudit(ctx, { action: 'auth.password-reset-requested', practiceId: user.practice.id, actorId: user.id, entityType: 'user', entityId: user.id });
    await ctx.em.flush();
    // The answer is the same whatever happens here (no enumeration); a failed send is logged, and the user asks again.
    await ctx.mailer
      .send({
        to: user.email,
        subject: 'Reset your PAMS password',
        text: `Someone asked to reset your PAMS password. If it was you, open this link within an hour:\n\n${ctx.config.appUrl}/reset-password?token=${token}\n\nOr run: pams password reset ${token} --url ${ctx.config.appUrl}\n\nIf it was not you, ignore this message.`,
      })
      .catch((err: Error & { code?: string }) => ctx.log.warn({ err: { name: err.name, code: err.code } }, 'password reset mail not sent'));
  }
  return { ok: true as const };
}

/**
 * Single use, one hour. A reset means "my account may be compromised": every credential of the user
 * ends, every session (the caller has none) and every API token, and so do the other reset links.
 */
export async function resetPassword(ctx: Ctx, { token, newPassword }: ResetPasswordInput) {
  const invalid = () => new AppError('BAD_REQUEST', 'This reset link is invalid or has expired', 'reset-token-invalid');
  const parsed = parseSecretToken(token);
  if (!parsed) throw invalid();
  const passwordHash = await hashPassword(newPassword);
  return ctx.em.transactional(async (em) => {
    const reset = await em.findOne(PasswordReset, { id: parsed.id }, { populate: ['user', 'user.practice'], filters: false, lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!reset || reset.usedAt || reset.expiresAt <= new Date() || !secretMatches(parsed.secret, reset.secretHash)) throw invalid();
    if (reset.user.status !== 'active') throw invalid();
    reset.usedAt = new Date();
    reset.user.passwordHash = passwordHash;
    await invalidateUserSessions(em, reset.user.id);
    await revokeUserTokens(em, reset.user.id);
    await em.nativeUpdate(PasswordReset, { user: reset.user.id, usedAt: null }, { usedAt: reset.usedAt });
    recordAudit({ ...ctx, em }, { action: 'auth.password-reset', practiceId: reset.user.practice.id, actorId: reset.user.id, entityType: 'user', entityId: reset.user.id });
    return { ok: true as const };
  });
}
