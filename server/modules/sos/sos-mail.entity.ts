import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { Practice } from '../practices/practice.entity.ts';
import { User } from '../users/user.entity.ts';
import { SosRequest } from './sos-request.entity.ts';

export const sosMailStatuses = ['pending', 'sent', 'skipped'] as const;

/**
 * One email about an SOS to one user at one step: step 0 when it is raised (to the staff asked to answer,
 * and the confirmation to whoever raised it), step n at its n-th escalation. Written in the transaction
 * of the change, sent after it by a job (sos-mail.service.ts, drainMailOutbox); the unique (sos, step,
 * user) key makes each email once per step.
 */
export const SosMailSchema = defineEntity({
  name: 'SosMail',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    practice: () => p.manyToOne(Practice),
    sos: () => p.manyToOne(SosRequest).deleteRule('cascade'),
    step: p.smallint(),
    user: () => p.manyToOne(User).deleteRule('cascade'),
    status: p.enum(sosMailStatuses),
    attempts: p.integer().default(0),
    nextAttemptAt: p.datetime(),
    leaseUntil: p.datetime().nullable(),
    /** The last failure's error name or SMTP code; never the message (it may quote the address). */
    lastError: p.string().length(200).nullable(),
    sentAt: p.datetime().nullable(),
  },
  uniques: [{ properties: ['sos', 'step', 'user'] }],
  indexes: [{ name: 'sos_mail_pending_idx', expression: `create index "sos_mail_pending_idx" on "sos_mail" ("next_attempt_at") where "status" = 'pending'` }],
  filters: practiceFilter(),
});
export class SosMail extends SosMailSchema.class {}
SosMailSchema.setClass(SosMail);
