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

/** TOO_MANY_REQUESTS with the seconds until a retry can succeed: trpc.ts sends them as `Retry-After`. */
export class RateLimitedError extends AppError {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterMs: number) {
    super('TOO_MANY_REQUESTS', message, 'rate-limited');
    this.retryAfterSeconds = retryAfterSeconds(retryAfterMs);
  }
}

/** Whole seconds, at least 1: `Retry-After: 0` would invite an immediate retry that fails again. */
export const retryAfterSeconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));
