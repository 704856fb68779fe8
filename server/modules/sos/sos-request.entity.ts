import { defineEntity, p } from '@mikro-orm/core';
import { sosOutcomes, sosStatuses } from '../../../shared/schemas/sos.ts';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { Patient } from '../patients/patient.entity.ts';
import { Practice } from '../practices/practice.entity.ts';

/**
 * A patient's SOS request and where it stands. What the patient wrote, where they were and the number to
 * call back are PHI: sealed together (`detailCiphertext`, JSON) under the request's own data key, as a
 * note's body is (sos-crypto.ts); so is the resolving clinician's note. `routedTo` is who was asked to
 * answer it (the on-call clinicians or the care team, then everyone once escalated): they may see it.
 * `escalationStep` counts the escalations sent: the job moves it on with a conditional update, so each
 * step is sent once however many workers run (sos-escalation.service.ts).
 */
export const SosRequestSchema = defineEntity({
  name: 'SosRequest',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    practice: () => p.manyToOne(Practice),
    patient: () => p.manyToOne(Patient).deleteRule('cascade'),
    /** The portal user who raised it: the patient, or a guardian for a dependent. */
    raisedBy: p.uuid(),
    kekId: p.string().length(64),
    wrappedKey: p.text(),
    detailCiphertext: p.text(),
    status: p.enum(sosStatuses),
    routedTo: p.array<string>().columnType('uuid[]'),
    acknowledgedBy: p.uuid().nullable(),
    acknowledgedAt: p.datetime().nullable(),
    resolvedBy: p.uuid().nullable(),
    resolvedAt: p.datetime().nullable(),
    outcome: p.enum(sosOutcomes).nullable(),
    outcomeNoteCiphertext: p.text().nullable(),
    escalationStep: p.smallint().default(0),
    createdAt: p.datetime(),
  },
  checks: [{ name: 'sos_request_escalation_step_check', expression: 'escalation_step >= 0' }],
  indexes: [
    { properties: ['practice', 'createdAt', 'id'] },
    { properties: ['patient', 'createdAt', 'id'] },
    { name: 'sos_request_open_idx', expression: `create index "sos_request_open_idx" on "sos_request" ("created_at") where "status" = 'open'` },
    /** One unresolved SOS per patient: a second press while one is open is answered with the first (CONFLICT `sos-open`). */
    {
      name: 'sos_request_unresolved_patient_idx',
      expression: `create unique index "sos_request_unresolved_patient_idx" on "sos_request" ("patient_id") where "status" <> 'resolved'`,
    },
  ],
  filters: practiceFilter(),
});
export class SosRequest extends SosRequestSchema.class {}
SosRequestSchema.setClass(SosRequest);
