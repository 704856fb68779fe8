import { createTRPCClient, httpBatchLink, type TRPCClient } from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from './app-router.ts';
import { MAX_BATCH_CALLS } from './limits.ts';

export type { AppRouter };
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type PamsClient = TRPCClient<AppRouter>;

export type PamsClientOptions = {
  /** The server's base URL, e.g. `http://localhost:3000` (the client adds `/trpc`). */
  url: string;
  /** A session token or an API token (`pat_…`), sent as `Authorization: Bearer`. */
  token?: string | null;
  fetch?: typeof globalThis.fetch;
};

/** The typed client for PAMS, used by frontends, the CLI and the tests alike. Plain JSON on the wire. */
export function createPamsClient({ url, token, fetch }: PamsClientOptions): PamsClient {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${url.replace(/\/+$/, '')}/trpc`,
        headers: () => (token ? { authorization: `Bearer ${token}` } : {}),
        maxItems: MAX_BATCH_CALLS,
        ...(fetch && { fetch }),
      }),
    ],
  });
}

export * from './enums.ts';
export * from './schemas/assessments.ts';
export * from './errors.ts';
export * from './schemas/audit.ts';
export * from './schemas/auth.ts';
export * from './schemas/common.ts';
export * from './schemas/fhir.ts';
export * from './schemas/hl7.ts';
export * from './schemas/imports.ts';
export * from './schemas/invites.ts';
export * from './schemas/jobs.ts';
export * from './schemas/notes.ts';
export * from './schemas/patients.ts';
export * from './schemas/practices.ts';
export * from './schemas/questionnaires.ts';
export * from './schemas/records.ts';
export * from './schemas/reports.ts';
export * from './schemas/scheduling.ts';
export * from './schemas/steps.ts';
export * from './schemas/tokens.ts';
export * from './schemas/users.ts';
