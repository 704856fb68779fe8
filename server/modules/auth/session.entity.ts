import { defineEntity, p } from '@mikro-orm/core';
import { User } from '../users/user.entity.ts';

/** A login session (Lucia's design): the client holds `id.secret`; only the secret's SHA-256 is stored. */
export const SessionSchema = defineEntity({
  name: 'Session',
  properties: {
    id: p.string().length(32).primary(),
    user: () => p.manyToOne(User).index().deleteRule('cascade'),
    secretHash: p.string().length(64),
    /** Password checked but the TOTP step still owed: such a session may only call `auth.verifyMfa`. */
    mfaPending: p.boolean().default(false),
    ip: p.string().length(64).nullable(),
    userAgent: p.string().length(300).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    expiresAt: p.datetime(),
  },
});
export class Session extends SessionSchema.class {}
SessionSchema.setClass(Session);
