import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import type { RequestIdVariables } from 'hono/request-id';

/**
 * Headers every response of a route gets, written onto the route's own response once it has answered.
 * Hono's `requestId` and `cors` write theirs through `c.header()` or `c.res` before the route runs and
 * again after it; Hono then rebuilds the route's response to merge them (a full Response and a body
 * stream where @hono/node-server otherwise writes the string as it is): a fifth of an `auth.me`'s CPU.
 */

/** The request's id, as hono/request-id picks it (an incoming `X-Request-Id` if well-formed, else a UUID), sent back as `X-Request-Id`. */
export function requestId(): MiddlewareHandler<{ Variables: RequestIdVariables }> {
  return async function sendRequestId(c, next) {
    const incoming = c.req.header('x-request-id');
    const id = incoming && incoming.length <= 255 && !/[^\w\-=]/.test(incoming) ? incoming : crypto.randomUUID();
    c.set('requestId', id);
    await next();
    c.res.headers.set('X-Request-Id', id);
  };
}

type CorsOptions = { origin: string[]; allowHeaders: string[]; exposeHeaders: string[] };

/** CORS with credentials for the listed origins: hono/cors answers the preflights; the other requests get its headers here. */
export function credentialedCors({ origin, allowHeaders, exposeHeaders }: CorsOptions): MiddlewareHandler {
  const preflight = cors({ origin, credentials: true, allowHeaders, exposeHeaders });
  const exposed = exposeHeaders.join(',');
  return async function corsHeaders(c, next) {
    if (c.req.method === 'OPTIONS') return preflight(c, next);
    await next();
    const headers = c.res.headers;
    const from = c.req.header('origin');
    if (from && origin.includes(from)) headers.set('Access-Control-Allow-Origin', from);
    headers.set('Access-Control-Allow-Credentials', 'true');
    headers.set('Access-Control-Expose-Headers', exposed);
    headers.append('Vary', 'Origin');
  };
}
