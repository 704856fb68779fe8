import { createHash } from 'node:crypto';
import type pg from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../../config.ts';
import { RetryLaterError } from '../../errors.ts';

export type LoginLimiter = {
  /** Counts one attempt (README, Security: login throttling); throws RetryLaterError when it may not go ahead. */
  attempt: (account: string, ip: string | null) => Promise<void>;
  /** A success forgives the pair's failures, gives the attempt back, and makes the IP known to the account. */
  succeeded: (account: string, ip: string | null) => Promise<void>;
};

/** How long a successful login keeps its IP "known" to the account, exempt from the account-wide limit. */
const KNOWN_IP_SECONDS = 30 * 24 * 3600;

/** Keys are hashed: no email in the throttle table, and a fixed length whatever the input. */
const keyOf = (...parts: string[]) => createHash('sha256').update(parts.join('\n')).digest('base64url');

/**
 * Failures are counted per (account, IP) pair, so that failures from elsewhere never lock a user out at
 * their own desk. Behind it, an account-wide limit with a much higher threshold and a longer window stops
 * a distributed attack; it spares IPs the account logged in from lately, so even then the real user gets
 * in where they usually work. The per-IP limit stops one address trying many accounts.
 */
export function createLoginLimiter(pool: pg.Pool, limits: Config['loginLimits']): LoginLimiter {
  const common = { storeClient: pool, storeType: 'pool', tableName: 'login_throttle', tableCreated: true };
  const perPair = new RateLimiterPostgres({ ...common, keyPrefix: 'pair', points: limits.perAccountIp, duration: limits.windowSeconds });
  const perIp = new RateLimiterPostgres({ ...common, keyPrefix: 'ip', points: limits.perIp, duration: limits.windowSeconds });
  const perAccount = new RateLimiterPostgres({ ...common, keyPrefix: 'acct', points: limits.perAccount, duration: limits.accountWindowSeconds });
  const knownIps = new RateLimiterPostgres({ ...common, keyPrefix: 'known', points: 1, duration: KNOWN_IP_SECONDS });
  const refuse = (refusals: RateLimiterRes[]) => {
    const ms = Math.max(...refusals.map((r) => r.msBeforeNext));
    return new RetryLaterError('TOO_MANY_REQUESTS', `Too many login attempts: try again in ${Math.max(1, Math.ceil(ms / 60000))} minute(s)`, 'rate-limited', ms);
  };
  const refusalsOf = (results: PromiseSettledResult<unknown>[]) =>
    results.flatMap((r) => {
      if (r.status === 'fulfilled') return [];
      if (r.reason instanceof RateLimiterRes) return [r.reason];
      throw r.reason; // the store failed: not a refusal
    });

  return {
    async attempt(account, ip) {
      const pair = keyOf(account, ip ?? '-');
      const local = refusalsOf(await Promise.allSettled([perPair.consume(pair), ip ? perIp.consume(ip) : undefined]));
      // Refused here, the attempt does not count against the account: one address cannot use it up.
      if (local.length) throw refuse(local);
      const accountWide = refusalsOf(await Promise.allSettled([perAccount.consume(keyOf(account))]));
      if (accountWide.length && !(await knownIps.get(pair))) throw refuse(accountWide);
    },
    async succeeded(account, ip) {
      const pair = keyOf(account, ip ?? '-');
      await Promise.all([perPair.delete(pair), perAccount.reward(keyOf(account)), ip ? perIp.reward(ip) : undefined, knownIps.set(pair, 1, KNOWN_IP_SECONDS)]);
    },
  };
}
