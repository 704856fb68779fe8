import { defineEntity, p } from '@mikro-orm/core';

/**
 * rate-limiter-flexible's table for the general API limit (server/http/rate-limit.ts), apart from
 * login_throttle: it takes a write on every API request. The migration makes it UNLOGGED (no WAL for
 * counters that only matter for a minute; a crash empties it, which only forgives the current window).
 */
export const ApiThrottleSchema = defineEntity({
  name: 'ApiThrottle',
  properties: {
    key: p.string().length(255).primary(),
    points: p.integer().default(0),
    expire: p.bigint('number').nullable(),
  },
});
export class ApiThrottle extends ApiThrottleSchema.class {}
ApiThrottleSchema.setClass(ApiThrottle);
