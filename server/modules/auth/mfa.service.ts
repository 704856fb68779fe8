import { encodeBase32LowerCaseNoPadding, encodeBase32NoPadding } from '@oslojs/encoding';
import { createTOTPKeyURI, verifyTOTPWithGracePeriod } from '@oslojs/otp';
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

function totpMatches(ctx: Pick<Ctx, 'config'>, encryptedKey: string, code: string): boolean {
  const key = Buffer.from(decryptString(ctx.config.encryptionKeys, encryptedKey), 'base64');
  return verifyTOTPWithGracePeriod(key, PERIOD_SECONDS, DIGITS, code, PERIOD_SECONDS);
}

/** Starts enrolment: a new key, stored encrypted; MFA is on only after `confirmMfa` proves the app has it. */
export async function enrolMfa(ctx: AuthedCtx) {
  const user = await ctx.em.findOneOrFail(User, { id: ctx.actor.userId });
  if (user.mfaEnabled) throw new AppError('CONFLICT', 'Two-factor authentication is already on', 'mfa-already-enabled');
  const key = crypto.getRandomValues(new Uint8Array(20));
  user.mfaSecret = encryptString(ctx.config.encryptionKeys, Buffer.from(key).toString('base64'));
  await ctx.em.flush();
  return { secret: encodeBase32NoPadding(key), uri: createTOTPKeyURI('PAMS', user.email, key, PERIOD_SECONDS, DIGITS) };
}

/** Turns MFA on and returns ten single-use recovery codes, shown this once and stored hashed. */
export async function confirmMfa(ctx: AuthedCtx, { code }: ConfirmMfaInput) {
  const user = await ctx.em.findOneOrFail(User, { id: ctx.actor.userId }, { populate: ['mfaSecret'] });
  if (user.mfaEnabled) throw new AppError('CONFLICT', 'Two-factor authentication is already on', 'mfa-already-enabled');
  if (!user.mfaSecret) throw new AppError('CONFLICT', 'Start enrolment first', 'mfa-not-enabled');
  if (!totpMatches(ctx, user.mfaSecret, code)) throw new AppError('BAD_REQUEST', 'That code is not valid', 'mfa-invalid-code');
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
  if (!passwordOk || !totpMatches(ctx, user.mfaSecret, code)) {
    throw new AppError('UNAUTHORIZED', 'Password or code is not valid', 'mfa-invalid-code');
  }
  user.mfaEnabled = false;
  user.mfaSecret = null;
  await ctx.em.nativeDelete(RecoveryCode, { user: user.id });
  recordAudit(ctx, { action: 'mfa.disabled', entityType: 'user', entityId: user.id });
  await ctx.em.flush();
  return { ok: true as const };
}

/** A TOTP code, or a recovery code that is burnt atomically so it works once even under a race. */
export async function checkSecondFactor(ctx: Ctx, user: User, input: VerifyMfaInput): Promise<boolean> {
  if ('code' in input) return !!user.mfaSecret && totpMatches(ctx, user.mfaSecret, input.code);
  const used = await ctx.em.nativeUpdate(
    RecoveryCode,
    { user: user.id, codeHash: hashSecret(normaliseRecoveryCode(input.recoveryCode)), usedAt: null },
    { usedAt: new Date() },
  );
  return used === 1;
}
