import { defineEntity, p } from '@mikro-orm/core';
import { careRequestStates, type CareRequestState } from '../../../shared/schemas/care-requests.ts';
import { AppError } from '../../errors.ts';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { Patient } from '../patients/patient.entity.ts';
import { Practice } from '../practices/practice.entity.ts';
import { User } from '../users/user.entity.ts';

/**
 * A patient's request to join a clinician's care team, made in the portal by the patient or a guardian.
 * Only a pending request changes, once; accepting it puts the clinician on the care team.
 */
export const CareRequestSchema = defineEntity({
  name: 'CareRequest',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    practice: () => p.manyToOne(Practice),
    patient: () => p.manyToOne(Patient).deleteRule('cascade'),
    clinician: () => p.manyToOne(User),
    state: p.enum(careRequestStates).default('pending'),
    message: p.string().length(1000).nullable(),
    /** Shown to the patient. */
    declineReason: p.string().length(500).nullable(),
    /** The portal user who asked: the patient, or their guardian. */
    requestedBy: p.uuid(),
    /** Null while pending, and when the practice's setting accepted it. */
    decidedBy: p.uuid().nullable(),
    decidedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
  indexes: [
    { properties: ['practice', 'createdAt', 'id'] },
    { properties: ['clinician', 'createdAt', 'id'] },
    { properties: ['patient', 'createdAt', 'id'] },
    /** One pending request per patient and clinician, whoever asks and however many ask at once. */
    {
      name: 'care_request_one_pending',
      expression: `create unique index "care_request_one_pending" on "care_request" ("patient_id", "clinician_id") where "state" = 'pending'`,
    },
  ],
  checks: [{ name: 'care_request_decline_reason_check', expression: `(state = 'declined') = (decline_reason is not null)` }],
  filters: practiceFilter(),
});

export class CareRequest extends CareRequestSchema.class {
  /** Closes a pending request. Asking for the state it is in already changes nothing (a retry); any other move is refused. */
  decide(state: Exclude<CareRequestState, 'pending'>, by: string | null, at: Date, declineReason: string | null = null): void {
    const current: CareRequestState = this.state;
    if (current === state) return;
    if (current !== 'pending') throw new AppError('CONFLICT', `This request was ${current} already`, 'invalid-transition');
    Object.assign(this, { state, decidedBy: by, decidedAt: at, declineReason });
  }
}
CareRequestSchema.setClass(CareRequest);
