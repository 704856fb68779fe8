import type { LoginInput, RevokeSessionInput, VerifyMfaInput } from '../../../shared/schemas/auth.ts';
import { decoyPasswordHash, verifyPassword } from '../../auth/password.ts';
import { createSession } from '../../auth/session.ts';
import type { AuthedCtx, Ctx } from '../../context.ts';
import { AppError, notFound } from '../../errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { User } from '../users/user.entity.ts';
import { checkSecondFactor } from './mfa.service.ts';
import { Session } from './session.entity.ts';

const invalidCredentials = () => new AppError('UNAUTHORIZED', 'Email or password is incorrect', 'invalid-credentials');

/**
 * Password login. Unknown email, wrong password and an account that may not log in (invited,
 * deactivated) give one error, after the same Argon2 work. With MFA on, the session it returns is
 * pending: it can only complete `auth.verifyMfa`.
 */
export async function login(ctx: Ctx, { email, password }: LoginInput) {
  await ctx.loginLimiter.attempt(email, ctx.meta.ip);
  const user = await ctx.em.findOne(User, { email }, { populate: ['passwordHash', 'practice'], filters: false });
  const ok = await verifyPassword(user?.passwordHash ?? decoyPasswordHash, password);
  if (!user || !ok || user.status !== 'active') {
    recordAudit(ctx, { action: 'auth.login-failed', practiceId: user?.practice.id ?? null, actorId: user?.id ?? null, entityType: 'user', entityId: user?.id });
    await ctx.em.flush();
    throw invalidCredentials();
  }
  await ctx.loginLimiter.succeeded(email, ctx.meta.ip);
  const { session, token } = createSession(ctx.em, user, ctx, user.mfaEnabled);
  recordAudit(ctx, { action: user.mfaEnabled ? 'auth.password-verified' : 'auth.login', practiceId: user.practice.id, actorId: user.id, entityType: 'user', entityId: user.id });
  await ctx.em.flush();
  ctx.cookie.set(token, session.expiresAt);
  return { token, expiresAt: session.expiresAt.toISOString(), mfaRequired: Boolean(user.mfaEnabled) };
}

/** The second step: a TOTP or recovery code turns the pending session into a new, full one. */
export async function verifyMfa(ctx: Ctx, input: VerifyMfaInput) {
  const actor = ctx.actor;
  if (!actor?.sessionId || !actor.mfaPending) throw new AppError('UNAUTHORIZED', 'Log in with your password first', 'invalid-credentials');
  const user = await ctx.em.findOneOrFail(User, { id: actor.userId }, { populate: ['mfaSecret'], filters: false });
  await ctx.loginLimiter.attempt(user.email, ctx.meta.ip);
  const audit = { practiceId: actor.practiceId, actorId: actor.userId, entityType: 'user', entityId: user.id };
  if (!(await checkSecondFactor(ctx, user, input))) {
    recordAudit(ctx, { ...audit, action: 'auth.mfa-failed' });
    await ctx.em.flush();
    throw new AppError('UNAUTHORIZED', 'That code is not valid', 'mfa-invalid-code');
  }
  await ctx.loginLimiter.succeeded(user.email, ctx.meta.ip);
  await ctx.em.nativeDelete(Session, { id: actor.sessionId });
  const { session, token } = createSession(ctx.em, user, ctx, false);
  recordAudit(ctx, { ...audit, action: 'auth.login', detail: { mfa: 'recoveryCode' in input ? 'recovery-code' : 'totp' } });
  await ctx.em.flush();
  ctx.cookie.set(token, session.expiresAt);
  return { token, expiresAt: session.expiresAt.toISOString(), mfaRequired: false };
}

export async function logout(ctx: AuthedCtx) {
  if (ctx.actor.sessionId) await ctx.em.nativeDelete(Session, { id: ctx.actor.sessionId });
  recordAudit(ctx, { action: 'auth.logout', entityType: 'user', entityId: ctx.actor.userId });
  await ctx.em.flush();
  ctx.cookie.clear();
  return { ok: true as const };
}

/** Who the caller is: loaded with the credential at the start of this request, so no second query. */
export async function me(ctx: AuthedCtx) {
  return { ...ctx.actor.identity, mfaEnrolmentRequired: ctx.actor.mfaEnrolmentRequired };
}

export async function listSessions(ctx: AuthedCtx) {
  const sessions = await ctx.em.find(Session, { user: ctx.actor.userId, expiresAt: { $gt: ctx.clock.now() } }, { orderBy: { createdAt: 'desc' } });
  return sessions.map((s) => ({
    id: s.id,
    current: s.id === ctx.actor.sessionId,
    createdAt: s.createdAt.toISOString(),
    expiresAt: s.expiresAt.toISOString(),
    ip: s.ip ?? null,
    userAgent: s.userAgent ?? null,
  }));
}

export async function revokeSession(ctx: AuthedCtx, { id }: RevokeSessionInput) {
  const deleted = await ctx.em.nativeDelete(Session, { id, user: ctx.actor.userId });
  if (!deleted) throw notFound('Session');
  recordAudit(ctx, { action: 'session.revoked', entityType: 'session', entityId: id });
  await ctx.em.flush();
  return { ok: true as const };
}
