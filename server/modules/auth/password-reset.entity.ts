import { defineEntity, p } from '@mikro-orm/core';
import { User } from '../users/user.entity.ts';

export const PasswordResetSchema = defineEntity({
  name: 'PasswordReset',
  properties: {
    id: p.string().length(32).primary(),
    user: () => p.manyToOne(User).index().deleteRule('cascade'),
    secretHash: p.string().length(64),
    createdAt: p.datetime().onCreate(() => new Date()),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
  },
});
export class PasswordReset extends PasswordResetSchema.class {}
PasswordResetSchema.setClass(PasswordReset);
