import type { ErrorReason } from '../shared/errors.ts';

export type AppErrorCode = 'BAD_REQUEST' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'TOO_MANY_REQUESTS';

/** The one error services throw. Its code is a tRPC code, so the router maps it one to one. */
export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly reason: ErrorReason | null;
  /** Per-field messages, as for zod input errors, when a rule needs the database to check a field. */
  readonly fieldErrors: Record<string, string[]> | null;
  constructor(code: AppErrorCode, message: string, reason: ErrorReason | null = null, fieldErrors: Record<string, string[]> | null = null) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.reason = reason;
    this.fieldErrors = fieldErrors;
  }
}

export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} not found`);
