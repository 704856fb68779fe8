import { ConnectionException, LockWaitTimeoutException } from '@mikro-orm/core';

export type DatabaseFault = 'database-unavailable' | 'database-timeout';

/** Seconds a client is told to wait (`Retry-After`) before calling again after a database fault. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

// Socket-level failures: the server is down, restarting, failing over, or not reachable.
const socketCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// SQLSTATE 57P01-57P03: admin shutdown, crash shutdown, cannot connect now (starting up or shutting down);
// 53300: too many connections. Class 08 (connection exceptions) is matched by prefix.
const unavailableStates = new Set(['57P01', '57P02', '57P03', '53300']);
// 57014: statement_timeout (or a cancel); 55P03: lock_timeout; 25P03: idle_in_transaction_session_timeout.
const timeoutStates = new Set(['57014', '55P03', '25P03']);
// What `pg` and `pg-pool` throw without a code when a connection is lost or cannot be had in time.
const unavailableMessages = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed and is not queryable)/;

/**
 * Whether an error means the database could not serve the call right now, rather than a bug: the one
 * classification behind the API's 503s (server/trpc.ts, app.ts). Looks through `cause` and the errors
 * of an AggregateError (a refused connection to a host with several addresses).
 */
export function databaseFault(error: unknown, depth = 0): DatabaseFault | null {
  if (!(error instanceof Error) || depth > 4) return null;
  if (error instanceof LockWaitTimeoutException) return 'database-timeout';
  if (error instanceof ConnectionException) return 'database-unavailable';
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (timeoutStates.has(code)) return 'database-timeout';
    if (socketCodes.has(code) || unavailableStates.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return 'database-unavailable';
  }
  if (unavailableMessages.test(error.message)) return 'database-unavailable';
  const nested = [error.cause, ...(error instanceof AggregateError ? error.errors : [])];
  for (const inner of nested) {
    const fault = databaseFault(inner, depth + 1);
    if (fault) return fault;
  }
  return null;
}
