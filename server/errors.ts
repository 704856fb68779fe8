import type { ErrorReason } from '../shared/errors.ts';
import { DATABASE_RETRY_AFTER_SECONDS, databaseFault } from './database-errors.ts';

export type AppErrorCode = 'BAD_REQUEST' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'TOO_MANY_REQUESTS' | 'SERVICE_UNAVAILABLE';

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

/** An error that a later retry may not meet: `Retry-After` tells when (trpc.ts sets the header). */
export class RetryLaterError extends AppError {
  readonly retryAfterSeconds: number;
  constructor(code: 'TOO_MANY_REQUESTS' | 'SERVICE_UNAVAILABLE', message: string, reason: ErrorReason, retryAfterMs: number) {
    super(code, message, reason);
    this.retryAfterSeconds = retryAfterSeconds(retryAfterMs);
  }
}

/** Whole seconds, at least 1: `Retry-After: 0` would invite an immediate retry that fails again. */
export const retryAfterSeconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/**
 * The database could not serve the call (down, restarting, unreachable, or a statement or lock wait over
 * its limit) as a typed 503, or null for any other error.
 */
export function databaseUnavailable(error: unknown): RetryLaterError | null {
  const fault = databaseFault(error);
  if (!fault) return null;
  const message = fault === 'database-timeout' ? 'The database took too long to answer: try again' : 'The database is unavailable: try again shortly';
  return new RetryLaterError('SERVICE_UNAVAILABLE', message, fault, DATABASE_RETRY_AFTER_SECONDS * 1000);
}

/**
 * No cluster where one was expected: a local command run away from the server's PAMS_DATA_DIR would
 * otherwise create a new, empty one and report on that.
 */
export class NoClusterError extends Error {
  constructor(databaseDir: string) {
    super(
      `No PAMS database in ${databaseDir}: run this where the server runs, with its PAMS_DATA_DIR and EMBEDDED_PG_PORT (or DATABASE_URL); \`pams serve\` or \`pams migrate --init\` creates a new one`,
    );
    this.name = 'NoClusterError';
  }
}
