import { z } from 'zod';
import { email, password, text } from './common.ts';

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

export const confirmMfaInput = z.object({ code: totpCode });
export type ConfirmMfaInput = z.infer<typeof confirmMfaInput>;

export const disableMfaInput = z.object({ password: text().min(1).max(256), code: totpCode });
export type DisableMfaInput = z.infer<typeof disableMfaInput>;

export const revokeSessionInput = z.object({ id: text().min(1).max(32) });
export type RevokeSessionInput = z.infer<typeof revokeSessionInput>;
