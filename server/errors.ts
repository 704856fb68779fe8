import type { ErrorReason } from '../shared/errors.ts';
import { databaseFault } from './database-errors.ts';

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

/**
 * The database could not serve the call (down, restarting, unreachable, or a statement or lock wait over
 * its limit) as a typed 503, or null for any other error. Retrying later may succeed (`Retry-After`).
 */
export function databaseUnavailable(error: unknown): AppError | null {
  const fault = databaseFault(error);
  if (!fault) return null;
  const message = fault === 'database-timeout' ? 'The database took too long to answer: try again' : 'The database is unavailable: try again shortly';
  return new AppError('SERVICE_UNAVAILABLE', message, fault);
}
