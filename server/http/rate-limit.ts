import { createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type pg from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../config.ts';
import { presentedCredential } from '../context.ts';
import { retryAfterSeconds } from '../errors.ts';
import { errorResponse } from './error-response.ts';

type Verdict = { allowed: boolean; limit: number; remaining: number; resetMs: number };

function limiter(pool: pg.Pool, keyPrefix: string, points: number, duration: number) {
  return new RateLimiterPostgres({
    storeClient: pool, storeType: 'pool', tableName: 'api_throttle', tableCreated: true, keyPrefix, points, duration,
    // A key over its limit is refused from memory until its window ends: a flood costs no queries.
    inMemoryBlockOnConsumed: points,
    // While the database is away, count in memory instead: the request goes on to meet the outage itself.
    insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration }),
  });
}

async function verdictOf(points: number, consumed: Promise<RateLimiterRes>): Promise<Verdict> {
  const [allowed, res] = await consumed.then(
    (r) => [true, r] as const,
    (e: unknown) => {
      if (e instanceof RateLimiterRes) return [false, e] as const;
      throw e;
    },
  );
  return { allowed, limit: points, remaining: res.remainingPoints, resetMs: res.msBeforeNext };
}

/**
 * The general API limit: requests per client IP, and per credential presented (a session or an API
 * token), each in a fixed window. A credential is counted by its hash before it is checked, so the limit
 * costs no session lookup, and a made-up token only gets a bucket of its own while its IP's limit holds.
 * One HTTP request counts once, a batch included (a batch has at most TRPC_MAX_BATCH calls).
 */
export function apiRateLimit(pool: pg.Pool, limits: Config['apiRateLimits'], ipOf: (c: Context) => string | null): MiddlewareHandler {
  const perIp = limiter(pool, 'ip', limits.perIp, limits.windowSeconds);
  const perCaller = limiter(pool, 'caller', limits.perCaller, limits.windowSeconds);
  return async function rateLimit(c, next) {
    const ip = ipOf(c);
    const { bearer, fromCookie } = presentedCredential(c);
    const credential = bearer ?? fromCookie;
    const verdicts = await Promise.all([
      ip ? verdictOf(limits.perIp, perIp.consume(ip)) : null,
      credential ? verdictOf(limits.perCaller, perCaller.consume(createHash('sha256').update(credential).digest('base64url'))) : null,
    ]);
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
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
  };
}
