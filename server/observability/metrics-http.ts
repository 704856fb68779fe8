import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { childrenOf, httpRequestDuration, httpRequestsInFlight } from './metrics.ts';

/** The methods PAMS answers; anything else a client sends is counted as one `other`, not a label value of its own. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Times every request and counts those in flight. The route label is the pattern of the last route the
 * request matched (`/trpc/*`, `/fhir/Patient/:id`), read after the handlers ran: never the raw path, so a
 * client making up paths adds no label values (an unmatched path is labelled with the catch-all
 * middleware's pattern it did match). A stream (SSE) counts until its response starts, not while it runs.
 */
export function httpMetrics(): MiddlewareHandler {
  const child = childrenOf(httpRequestDuration);
  return async function observeRequest(c, next) {
    const started = performance.now();
    httpRequestsInFlight.inc();
    try {
      await next();
    } finally {
      httpRequestsInFlight.dec();
      const method = METHODS.has(c.req.method) ? c.req.method : 'other';
      child(method, routePath(c), c.res.status).observe((performance.now() - started) / 1000);
    }
  };
}
