import { encodeBase32LowerCaseNoPadding, encodeBase32NoPadding } from '@oslojs/encoding';
import { createTOTPKeyURI, verifyHOTP } from '@oslojs/otp';
import type { ConfirmMfaInput, DisableMfaInput, VerifyMfaInput } from '../../../shared/schemas/auth.ts';
import { verifyPassword } from '../../auth/password.ts';
import { hashSecret } from '../../auth/secret-token.ts';
import type { AuthedCtx, Ctx } from '../../context.ts';
import { decryptString, encryptString } from '../../encryption.ts';
import { AppError } from '../../errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { User } from '../users/user.entity.ts';
import { RecoveryCode } from './recovery-code.entity.ts';

const PERIOD_SECONDS = 30;
const DIGITS = 6;
const RECOVERY_CODE_COUNT = 10;

const normaliseRecoveryCode = (code: string) => code.replace('-', '').toLowerCase();

/** The time step whose code `code` is, of the current one and one either side (clock drift), or null. */
function matchedTotpStep(ctx: Pick<Ctx, 'config' | 'clock'>, encryptedKey: string, code: string): number | null {
  const key = Buffer.from(decryptString(ctx.config.encryptionKeys, encryptedKey), 'base64');
  const now = Math.floor(ctx.clock.now().getTime() / (PERIOD_SECONDS * 1000));
  return [now - 1, now, now + 1].find((step) => verifyHOTP(key, BigInt(step), DIGITS, code)) ?? null;
}

/**
 * A TOTP code is good once: it must match, and its step must be later than the last one this user
 * spent. The compare-and-set is one UPDATE, so two concurrent logins with one code cannot both pass.
 */
async function spendTotpCode(ctx: Pick<Ctx, 'config' | 'clock' | 'em'>, user: User, code: string): Promise<boolean> {
  const step = user.mfaSecret ? matchedTotpStep(ctx, user.mfaSecret, code) : null;
  if (step === null) return false;
  const spent = await ctx.em.nativeUpdate(User, { id: user.id, $or: [{ totpLastStep: null }, { totpLastStep: { $lt: step } }] }, { totpLastStep: step }, { filters: false });
  return spent === 1;
}

/** Starts enrolment: a new key, stored encrypted; MFA is on only after `confirmMfa` proves the app has it. */
export async function enrolMfa(ctx: AuthedCtx) {
  const user = await ctx.em.findOneOrFail(User, { id: ctx.actor.userId });
  if (user.mfaEnabled) throw new AppError('CONFLICT', 'Two-factor authentication is already on', 'mfa-already-enabled');
  const key = crypto.getRandomValues(new Uint8Array(20));
  user.mfaSecret = encryptString(ctx.config.encryptionKeys, Buffer.from(key).toString('base64'));
  user.totpLastStep = null; // no code of the new key has been used
  await ctx.em.flush();
  return { secret: encodeBase32NoPadding(key), uri: createTOTPKeyURI('PAMS', user.email, key, PERIOD_SECONDS, DIGITS) };
}

/** Turns MFA on and returns ten single-use recovery codes, shown this once and stored hashed. */
export async function confirmMfa(ctx: AuthedCtx, { code }: ConfirmMfaInput) {
  const user = await ctx.em.findOneOrFail(User, { id: ctx.actor.userId }, { populate: ['mfaSecret'] });
  if (user.mfaEnabled) throw new AppError('CONFLICT', 'Two-factor authentication is already on', 'mfa-already-enabled');
  if (!user.mfaSecret) throw new AppError('CONFLICT', 'Start enrolment first', 'mfa-not-enabled');
  if (!(await spendTotpCode(ctx, user, code))) throw new AppError('BAD_REQUEST', 'That code is not valid', 'mfa-invalid-code');
  user.mfaEnabled = true;
  await ctx.em.nativeDelete(RecoveryCode, { user: user.id });
  const recoveryCodes = Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const raw = encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(7))).slice(0, 10);
    ctx.em.create(RecoveryCode, { user, codeHash: hashSecret(raw) });
    return `${raw.slice(0, 5)}-${raw.slice(5)}`;
  });
  recordAudit(ctx, { action: 'mfa.enabled', entityType: 'user', entityId: user.id });
  await ctx.em.flush();
  return { recoveryCodes };
}

export async function disableMfa(ctx: AuthedCtx, { password, code }: DisableMfaInput) {
  const user = await ctx.em.findOneOrFail(User, { id: ctx.actor.userId }, { populate: ['mfaSecret', 'passwordHash'] });
  if (!user.mfaEnabled || !user.mfaSecret) throw new AppError('CONFLICT', 'Two-factor authentication is off', 'mfa-not-enabled');
  const passwordOk = await verifyPassword(user.passwordHash ?? '', password);
  if (!passwordOk || !(await spendTotpCode(ctx, user, code))) {
    throw new AppError('UNAUTHORIZED', 'Password or code is not valid', 'mfa-invalid-code');
  }
  user.mfaEnabled = false;
  user.mfaSecret = null;
  await ctx.em.nativeDelete(RecoveryCode, { user: user.id });
  recordAudit(ctx, { action: 'mfa.disabled', entityType: 'user', entityId: user.id });
  await ctx.em.flush();
  return { ok: true as const };
}

/** A TOTP code or a recovery code, each spent atomically so it works once even under a race. */
export async function checkSecondFactor(ctx: Ctx, user: User, input: VerifyMfaInput): Promise<boolean> {
  if ('code' in input) return spendTotpCode(ctx, user, input.code);
  const used = await ctx.em.nativeUpdate(RecoveryCode, { user: user.id, codeHash: hashSecret(normaliseRecoveryCode(input.recoveryCode)), usedAt: null }, { usedAt: new Date() });
  return used === 1;
}
