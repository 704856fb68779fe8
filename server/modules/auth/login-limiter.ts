import type pg from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../../config.ts';
import { AppError } from '../../errors.ts';

export type LoginLimiter = {
  /** Counts one attempt against the account and the IP; throws TOO_MANY_REQUESTS past either limit. */
  attempt: (email: string, ip: string | null) => Promise<void>;
  /** A successful login forgives the account's failed attempts and gives the IP its attempt back. */
  succeeded: (email: string, ip: string | null) => Promise<void>;
};

export function createLoginLimiter(pool: pg.Pool, limits: Config['loginLimits']): LoginLimiter {
  const common = { storeClient: pool, storeType: 'pool', tableName: 'login_throttle', tableCreated: true, duration: limits.windowSeconds };
  const perAccount = new RateLimiterPostgres({ ...common, keyPrefix: 'acct', points: limits.perAccount });
  const perIp = new RateLimiterPostgres({ ...common, keyPrefix: 'ip', points: limits.perIp });
  return {
    async attempt(email, ip) {
      try {
        await Promise.all([perAccount.consume(email), ip ? perIp.consume(ip) : undefined]);
      } catch (e) {
        if (!(e instanceof RateLimiterRes)) throw e;
        const minutes = Math.max(1, Math.ceil(e.msBeforeNext / 60000));
        throw new AppError('TOO_MANY_REQUESTS', `Too many login attempts: try again in ${minutes} minute(s)`, 'rate-limited');
      }
    },
    async succeeded(email, ip) {
      await Promise.all([perAccount.delete(email), ip ? perIp.reward(ip) : undefined]);
    },
  };
}
