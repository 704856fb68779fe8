import { z } from 'zod';
import { calendarDate, email, instantOutput, password, pastOrToday, text } from './common.ts';
import { practiceOutput, practiceRef } from './practices.ts';
import { userOutput } from './users.ts';

export const loginInput = z.object({ email, password: text().min(1, 'is required').max(256) });
export type LoginInput = z.infer<typeof loginInput>;

const totpCode = text()
  .trim()
  .max(6)
  .regex(/^\d{6}$/, 'must be 6 digits');
const recoveryCode = text()
  .trim()
  .max(11)
  .toLowerCase()
  .regex(/^[a-z0-9]{5}-?[a-z0-9]{5}$/, 'must be a recovery code like abcde-12345');

export const verifyMfaInput = z.union([z.object({ code: totpCode }), z.object({ recoveryCode })]);
export type VerifyMfaInput = z.infer<typeof verifyMfaInput>;

export const changePasswordInput = z.object({ currentPassword: text().min(1).max(256), newPassword: password });
export type ChangePasswordInput = z.infer<typeof changePasswordInput>;

export const requestPasswordResetInput = z.object({ email });
export type RequestPasswordResetInput = z.infer<typeof requestPasswordResetInput>;

export const resetPasswordInput = z.object({ token: text().min(10).max(200), newPassword: password });
export type ResetPasswordInput = z.infer<typeof resetPasswordInput>;

const signUpName = text().trim().min(1, 'is required').max(100);

/** A patient creates their own account at a practice that allows it. */
export const signUpInput = z.object({
  /** The practice's id or its slug (a slug never looks like a UUID, so the two cannot be confused). */
  practice: practiceRef,
  givenName: signUpName,
  familyName: signUpName,
  birthDate: calendarDate.refine(pastOrToday, 'must not be in the future'),
  email,
  password,
});
export type SignUpInput = z.infer<typeof signUpInput>;

export const verifyEmailInput = z.object({ token: text().min(10).max(200) });
export type VerifyEmailInput = z.infer<typeof verifyEmailInput>;

export const confirmMfaInput = z.object({ code: totpCode });
export type ConfirmMfaInput = z.infer<typeof confirmMfaInput>;

export const disableMfaInput = z.object({ password: text().min(1).max(256), code: totpCode });
export type DisableMfaInput = z.infer<typeof disableMfaInput>;

export const revokeSessionInput = z.object({ id: text().min(1).max(32) });
export type RevokeSessionInput = z.infer<typeof revokeSessionInput>;

/** A new login session (also set as the session cookie). */
export const loginOutput = z.object({
  token: z.string().describe('The session token, for `Authorization: Bearer`'),
  expiresAt: instantOutput,
  mfaRequired: z.boolean().describe('True: the session is pending and can only complete auth.verifyMfa'),
});

export const meOutput = z.object({
  user: userOutput,
  practice: practiceOutput,
  mfaEnrolmentRequired: z.boolean().describe('The practice requires two-factor authentication and this user has not enrolled yet'),
});

export const sessionOutput = z.object({
  id: z.string(),
  current: z.boolean().describe("True for the caller's own session"),
  createdAt: instantOutput,
  expiresAt: instantOutput,
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
});
export const sessionListOutput = z.array(sessionOutput);

export const mfaEnrolmentOutput = z.object({
  secret: z.string().describe('The TOTP key in base32, to type into an authenticator app'),
  uri: z.string().describe('The same key as an otpauth:// URI, for a QR code'),
});

export const recoveryCodesOutput = z.object({
  recoveryCodes: z.array(z.string()).describe('Ten single-use codes, shown this once'),
});
