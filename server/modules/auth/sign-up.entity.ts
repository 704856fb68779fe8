import { defineEntity, p } from '@mikro-orm/core';
import { practiceFilter } from '../../tenant-filter.ts';
import { Practice } from '../practices/practice.entity.ts';

/**
 * A sign-up waiting for its email to be verified (`auth.signUp`, then `auth.verifyEmail`). Until then
 * there is no user and no patient: the email is not taken, so a stranger who signs up with someone
 * else's address holds nothing, and only the mailbox's owner can finish. The token is `id.secret`, the
 * secret stored as its SHA-256 (like a password reset's); single use, expiring.
 */
export const SignUpSchema = defineEntity({
  name: 'SignUp',
  properties: {
    id: p.string().length(32).primary(),
    practice: () => p.manyToOne(Practice).deleteRule('cascade'),
    email: p.string().length(320).index(),
    givenName: p.string().length(100),
    familyName: p.string().length(100),
    birthDate: p.date(),
    passwordHash: p.text().lazy(),
    secretHash: p.string().length(64),
    createdAt: p.datetime(),
    expiresAt: p.datetime(),
    /** Verified, or voided because another sign-up for the same email was verified first. */
    usedAt: p.datetime().nullable(),
  },
  // Read before anyone is logged in, by its token: those reads turn the filter off, as an invite's do.
  filters: practiceFilter(),
});
export class SignUp extends SignUpSchema.class {}
SignUpSchema.setClass(SignUp);
