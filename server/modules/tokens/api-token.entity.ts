import { defineEntity, p } from '@mikro-orm/core';
import { User } from '../users/user.entity.ts';

/** A long-lived token for the CLI and scripts: `pat_id.secret` to the client, the secret's SHA-256 here. */
export const ApiTokenSchema = defineEntity({
  name: 'ApiToken',
  properties: {
    id: p.string().length(32).primary(),
    user: () => p.manyToOne(User).index().deleteRule('cascade'),
    name: p.string().length(100),
    secretHash: p.string().length(64),
    createdAt: p.datetime().onCreate(() => new Date()),
    lastUsedAt: p.datetime().nullable(),
    expiresAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
  },
});
export class ApiToken extends ApiTokenSchema.class {}
ApiTokenSchema.setClass(ApiToken);
