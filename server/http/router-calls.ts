import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { Context, MiddlewareHandler } from 'hono';
import type { RequestIdVariables } from 'hono/request-id';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { createContext, type AppDeps, type Ctx } from '../context.ts';
import type { Logger } from '../logger.ts';
import { appRouter } from '../root-router.ts';
import { createCallerFactory } from '../trpc.ts';

const createCaller = createCallerFactory(appRouter);
export type RouterCaller = ReturnType<typeof createCaller>;
/** A caller for a Ctx built after the request's own (a page acting as the session it has just started). */
export const callerFor = (ctx: Ctx): RouterCaller => createCaller(ctx);
export type RouterCallEnv = { Variables: RequestIdVariables & { ctx: Ctx; caller: RouterCaller } };

/**
 * How a plain-HTTP face of the API (FHIR, HL7 v2: the `*-http.routes.ts` files) calls the procedures:
 * with the context /trpc builds (same credential rules, request id and client address), as `c.var.caller`.
 * What the procedures put in the response headers goes out on whatever the route answers, errors included,
 * as on /trpc: a renewed session's Set-Cookie (without it the browser's cookie would still expire on the
 * old date), a Retry-After. The route's own headers win; every Set-Cookie is kept.
 */
export function routerCalls(deps: AppDeps, socketIp: (c: Context) => string | null): MiddlewareHandler<RouterCallEnv> {
  return async function callRouter(c, next) {
    const resHeaders = new Headers();
    const ctx = await createContext(deps, c, resHeaders, socketIp(c));
    c.set('ctx', ctx);
    c.set('caller', createCaller(ctx));
    await next();
    for (const [name, value] of resHeaders) {
      if (name === 'set-cookie') c.res.headers.append(name, value);
      else if (!c.res.headers.has(name)) c.res.headers.set(name, value);
    }
  };
}

/**
 * A failed call as the HTTP status of its tRPC code and the message its client may see. Anything
 * unexpected is logged by its name only (a message may quote PHI) and answered with the request id.
 */
export function callFailure(c: Context, error: unknown, log: Logger, what: string): { status: ContentfulStatusCode; message: string } {
  const trpc = error instanceof TRPCError ? error : new TRPCError({ code: 'INTERNAL_SERVER_ERROR', cause: error });
  const status = getHTTPStatusCodeFromError(trpc) as ContentfulStatusCode;
  const requestId: string = c.get('requestId');
  const internal = status >= 500 && status !== 503; // a 503 is the database away: transient, with its own message
  if (internal) log.error({ requestId, err: { name: (trpc.cause ?? trpc).name } }, `${what} failed`);
  return { status, message: internal ? `Internal server error (request ${requestId})` : trpc.message };
}
