import { defineEntity, p } from '@mikro-orm/core';

/** rate-limiter-flexible's table for login attempts, declared here so migrations own its schema. */
export const LoginThrottleSchema = defineEntity({
  name: 'LoginThrottle',
  properties: {
    key: p.string().length(255).primary(),
    points: p.integer().default(0),
    expire: p.bigint('number').nullable(),
  },
});
export class LoginThrottle extends LoginThrottleSchema.class {}
LoginThrottleSchema.setClass(LoginThrottle);
