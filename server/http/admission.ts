import type { Context, MiddlewareHandler } from 'hono';
import { httpRequestsQueued, httpRequestsShed } from '../observability/metrics.ts';
import { appRouter } from '../root-router.ts';
import { errorResponse } from './error-response.ts';

export type AdmissionLimits = { active: number; queued: number; queueMs: number };

/** Live streams are long-lived and mostly idle: they are bounded per user (STREAMS_PER_USER), not here. */
const subscriptions = new Set(
  Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>)
    .filter(([, procedure]) => procedure._def.type === 'subscription')
    .map(([path]) => path),
);
const isSubscription = (c: Context) => subscriptions.has(c.req.path.slice('/trpc/'.length));

/**
 * At most `active` API calls at work at once; later ones wait their turn in arrival order, and one that
 * has waited `queueMs`, or finds `queued` already waiting, is answered 503 `overloaded` with Retry-After,
 * having started nothing. Past the concurrency that keeps the database pool and the CPU busy a server
 * does not answer more, only each later, and worse: hundreds of calls at once each wait for the pool at
 * every query and hold their memory meanwhile, and the throughput falls below the peak's. Under a burst
 * it then falls below the load itself, so even a load the server handles when calm never drains (the
 * day bench's soak at 80% of the peak, started straight after its 900 requests/s burst, stayed overloaded
 * for all its minutes, every request answered seconds late). Admitting only what it can work on keeps an
 * overloaded server at its peak throughput, so the queue drains as soon as the load falls below it.
 *
 * Written here rather than taken from a library: the semaphore is a counter and a FIFO, and of the
 * maintained ones p-limit and async-sema have no timeout, and async-mutex's `withTimeout` leaves a waiter
 * that gave up in the queue until its turn; none tells how many wait, which the queue's bound needs.
 */
export function admission({ active: maxActive, queued: maxQueued, queueMs }: AdmissionLimits): MiddlewareHandler {
  let active = 0;
  // A Set iterates in insertion order (a FIFO), and a waiter that times out leaves it in O(1).
  const waiting = new Set<() => void>();
  const release = () => {
    const [next] = waiting;
    if (!next) return void active--;
    waiting.delete(next); // the slot passes on: `active` stays
    httpRequestsQueued.dec();
    next();
  };
  const overloaded = (c: Context) => {
    httpRequestsShed.inc();
    const res = errorResponse(c, 'SERVICE_UNAVAILABLE', 'The server is busy: retry after the time in Retry-After', 'overloaded');
    res.headers.set('Retry-After', '1');
    return res;
  };
  return async function admit(c, next) {
    if (isSubscription(c)) return next();
    if (active < maxActive) active++;
    else {
      if (waiting.size >= maxQueued) return overloaded(c);
      const admitted = await new Promise<boolean>((resolve) => {
        const admitNow = () => {
          clearTimeout(timer);
          resolve(true);
        };
        const timer = setTimeout(() => {
          waiting.delete(admitNow);
          httpRequestsQueued.dec();
          resolve(false);
        }, queueMs);
        waiting.add(admitNow);
        httpRequestsQueued.inc();
      });
      if (!admitted) return overloaded(c);
    }
    try {
      await next();
    } finally {
      release();
    }
  };
}
