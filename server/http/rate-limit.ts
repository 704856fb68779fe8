import { createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type pg from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../config.ts';
import { presentedCredential } from '../context.ts';
import { retryAfterSeconds } from '../errors.ts';
import { errorResponse } from './error-response.ts';

type Verdict = { allowed: boolean; limit: number; remaining: number; resetMs: number };
type Settled = { res: RateLimiterRes };

function limiter(pool: pg.Pool, keyPrefix: string, points: number, duration: number) {
  return new RateLimiterPostgres({
    storeClient: pool,
    storeType: 'pool',
    tableName: 'api_throttle',
    tableCreated: true,
    keyPrefix,
    points,
    duration,
    // While the database is away, count in memory instead: the request goes on to meet the outage itself.
    insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration }),
  });
}

/**
 * Counts one request against a key. Requests of one key that arrive while its upsert is in flight gather
 * into the next one, which counts them all at once: under load a key costs one query per round trip,
 * not one per request, and its row is never locked by two of our upserts at a time (a flood over the
 * limit included). Each request learns its own place in the count, so exactly `points` get through.
 */
function counter(store: RateLimiterPostgres, points: number): (key: string) => Promise<Verdict> {
  const inFlight = new Map<string, Promise<unknown>>();
  const gathering = new Map<string, { n: number; result: Promise<Settled> }>();
  return async function count(key) {
    let batch = gathering.get(key);
    if (!batch) {
      const gathered = { n: 0, result: undefined as unknown as Promise<Settled> };
      gathered.result = (inFlight.get(key) ?? Promise.resolve()).then(() => {
        gathering.delete(key); // from here on, arrivals gather behind this upsert
        const flight = store.consume(key, gathered.n).then(
          (res) => ({ res }),
          (e: unknown) => {
            if (e instanceof RateLimiterRes) return { res: e };
            throw e;
          },
        );
        const done = flight.catch(() => {}).finally(() => inFlight.get(key) === done && inFlight.delete(key));
        inFlight.set(key, done);
        return flight;
      });
      gathering.set(key, gathered);
      batch = gathered;
    }
    const place = ++batch.n;
    const { res } = await batch.result;
    const consumed = res.consumedPoints - batch.n + place; // the count as of this request
    return { allowed: consumed <= points, limit: points, remaining: Math.max(0, points - consumed), resetMs: res.msBeforeNext };
  };
}

/**
 * The general API limit: requests per client IP, and per credential presented (a session or an API
 * token), each in a fixed window. A credential is counted by its hash before it is checked, so the limit
 * costs no session lookup, and a made-up token only gets a bucket of its own while its IP's limit holds.
 * One HTTP request counts once, a batch included (a batch has at most TRPC_MAX_BATCH calls).
 */
export function apiRateLimit(pool: pg.Pool, limits: Config['apiRateLimits'], ipOf: (c: Context) => string | null): MiddlewareHandler {
  const perIp = counter(limiter(pool, 'ip', limits.perIp, limits.windowSeconds), limits.perIp);
  const perCaller = counter(limiter(pool, 'caller', limits.perCaller, limits.windowSeconds), limits.perCaller);
  return async function rateLimit(c, next) {
    const ip = ipOf(c);
    const { bearer, fromCookie } = presentedCredential(c);
    const credential = bearer ?? fromCookie;
    const verdicts = await Promise.all([ip ? perIp(ip) : null, credential ? perCaller(createHash('sha256').update(credential).digest('base64url')) : null]);
    // The headers describe the limit closest to refusing (IETF draft: RateLimit-Limit/-Remaining/-Reset).
    const binding = verdicts.filter((v) => v !== null).sort((a, b) => Number(a.allowed) - Number(b.allowed) || a.remaining - b.remaining)[0];
    if (!binding) return next();
    const headers = {
      'RateLimit-Limit': String(binding.limit),
      'RateLimit-Remaining': String(Math.max(0, binding.remaining)),
      'RateLimit-Reset': String(retryAfterSeconds(binding.resetMs)),
    };
    if (!binding.allowed) {
      const res = errorResponse(c, 'TOO_MANY_REQUESTS', 'Too many requests: slow down and retry after the time in Retry-After', 'rate-limited');
      for (const [name, value] of Object.entries({ ...headers, 'Retry-After': headers['RateLimit-Reset'] })) res.headers.set(name, value);
      return res;
    }
    await next();
    // On the response's own headers: `c.header()` after the handler has answered makes Hono rebuild the
    // response (a full Response and a body stream where the node server otherwise writes the string).
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
  };
}
