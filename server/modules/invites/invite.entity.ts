import { defineEntity, p } from '@mikro-orm/core';
import { userRoles, type InviteStatus } from '../../../shared/enums.ts';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { Patient } from '../patients/patient.entity.ts';
import { Practice } from '../practices/practice.entity.ts';
import { User } from '../users/user.entity.ts';

/** One invite per invited account; resending swaps the token (`tokenId` + `secretHash`), so the old link dies. */
export const InviteSchema = defineEntity({
  name: 'Invite',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    practice: () => p.manyToOne(Practice).index(),
    user: () => p.manyToOne(User).nullable().deleteRule('set null'),
    email: p.string().length(320),
    role: p.enum(userRoles),
    /** For a patient portal invite: the patient whose account this becomes. */
    patient: () => p.manyToOne(Patient).nullable().deleteRule('cascade'),
    invitedBy: () => p.manyToOne(User).nullable().deleteRule('set null'),
    tokenId: p.string().length(32).unique(),
    secretHash: p.string().length(64),
    createdAt: p.datetime().onCreate(() => new Date()),
    expiresAt: p.datetime(),
    acceptedAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
  },
  filters: practiceFilter(),
});
export class Invite extends InviteSchema.class {
  statusAt(now: Date): InviteStatus {
    if (this.acceptedAt) return 'accepted';
    if (this.revokedAt) return 'revoked';
    return this.expiresAt <= now ? 'expired' : 'pending';
  }
}
InviteSchema.setClass(Invite);
