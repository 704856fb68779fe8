import { TRPCClientError } from '@trpc/client';
import { CommanderError } from 'commander';

/** Documented in the README: scripts branch on these. */
export const ExitCode = { ok: 0, usage: 1, auth: 2, notFoundOrConflict: 3, unreachable: 4 } as const;

/** A failure the CLI itself detects (no server involved), with the exit code it deserves. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = ExitCode.usage) {
    super(message);
    this.exitCode = exitCode;
  }
}

const byTrpcCode: Record<string, number> = {
  BAD_REQUEST: ExitCode.usage,
  PARSE_ERROR: ExitCode.usage,
  UNAUTHORIZED: ExitCode.auth,
  FORBIDDEN: ExitCode.auth,
  TOO_MANY_REQUESTS: ExitCode.auth,
  NOT_FOUND: ExitCode.notFoundOrConflict,
  CONFLICT: ExitCode.notFoundOrConflict,
};

type ErrorData = { code?: string; reason?: string | null; fieldErrors?: Record<string, string[]> | null; requestId?: string | null };

/** The exit code of an HTTP answer from a non-tRPC endpoint (/fhir, /hl7): the same table, by status. */
export function exitCodeForHttpStatus(status: number): number {
  const code = Object.entries({ BAD_REQUEST: 400, UNAUTHORIZED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409, TOO_MANY_REQUESTS: 429 }).find(([, s]) => s === status)?.[0];
  return code ? byTrpcCode[code]! : status >= 500 ? ExitCode.unreachable : ExitCode.usage;
}

/** One place turns any failure into a message for people (or JSON) and an exit code. */
export function describeError(error: unknown): { exitCode: number; message: string; data: Record<string, unknown> } {
  if (error instanceof CliError) return { exitCode: error.exitCode, message: error.message, data: {} };
  if (error instanceof CommanderError) return { exitCode: error.exitCode === 0 ? 0 : ExitCode.usage, message: '', data: {} };
  if (error instanceof TRPCClientError) {
    const data = (error.data ?? {}) as ErrorData;
    if (!data.code) return { exitCode: ExitCode.unreachable, message: `Cannot reach the PAMS server: ${error.message}`, data: {} };
    const fields = Object.entries(data.fieldErrors ?? {}).map(([field, messages]) => `  ${field}: ${messages.join('; ')}`);
    return {
      exitCode: byTrpcCode[data.code] ?? ExitCode.usage,
      message: [`${error.message} (${data.code}${data.reason ? `, ${data.reason}` : ''})`, ...fields].join('\n'),
      data: { code: data.code, reason: data.reason ?? null, fieldErrors: data.fieldErrors ?? null, requestId: data.requestId ?? null },
    };
  }
  if (error instanceof Error && error.name === 'ExitPromptError') return { exitCode: ExitCode.usage, message: 'Cancelled', data: {} };
  return { exitCode: ExitCode.usage, message: error instanceof Error ? error.message : String(error), data: {} };
}
