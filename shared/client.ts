import { createTRPCClient, httpBatchLink, type TRPCClient } from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
// In this repository `#app-router` is the server's own AppRouter (tsconfig.json's `pams-server` condition); in the
// package, the declarations generated from the router (shared/package.json `imports`), free of server types.
import type { AppRouter } from '#app-router';
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

/**
 * The typed client for PAMS, used by frontends, the CLI and the tests alike. Plain JSON on the wire. This entry
 * stays light (tRPC's client and a few constants): the zod schemas are on `@pams/client/schemas`.
 */
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
export * from './errors.ts';
