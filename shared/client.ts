import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, type TRPCClient } from '@trpc/client';
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
  /** For queries and mutations (a test may route them in-process); `notifications.stream` uses the global fetch. */
  fetch?: typeof globalThis.fetch;
  /**
   * What opens `notifications.stream` (Server-Sent Events): the browser's own `EventSource` by default,
   * which sends the session cookie. In Node (which has none), or to send `token`, pass the `eventsource`
   * package's: it takes a `fetch`, through which the token travels as `Authorization: Bearer`.
   */
  EventSource?: NonNullable<Parameters<typeof httpSubscriptionLink>[0]['EventSource']>;
};

/**
 * The typed client for PAMS, used by frontends, the CLI and the tests alike. Plain JSON on the wire. This entry
 * stays light (tRPC's client and a few constants): the zod schemas are on `@pams/client/schemas`.
 */
export function createPamsClient({ url, token, fetch, EventSource }: PamsClientOptions): PamsClient {
  const trpcUrl = `${url.replace(/\/+$/, '')}/trpc`;
  const authorization: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({
          url: trpcUrl,
          ...(EventSource && { EventSource }),
          eventSourceOptions: token
            ? { fetch: (input: Parameters<typeof globalThis.fetch>[0], init?: RequestInit) => globalThis.fetch(input, { ...init, headers: { ...init?.headers, ...authorization } }) }
            : { withCredentials: true },
        }),
        false: httpBatchLink({ url: trpcUrl, headers: () => authorization, maxItems: MAX_BATCH_CALLS, ...(fetch && { fetch }) }),
      }),
    ],
  });
}

export * from './enums.ts';
export * from './errors.ts';
