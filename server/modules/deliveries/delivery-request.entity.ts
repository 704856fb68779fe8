import { defineEntity, p } from '@mikro-orm/core';
import type { z } from 'zod';
import { deliveryRequestStatuses } from '../../../shared/schemas/deliveries.ts';
import type { address } from '../../../shared/schemas/patients.ts';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { Patient } from '../patients/patient.entity.ts';
import { Practice } from '../practices/practice.entity.ts';
import { ClinicalRecord } from '../records/clinical-record.entity.ts';
import { DeliveryEvent } from './delivery-event.entity.ts';

/**
 * A patient's request to have a medication of their record delivered, and where it stands. Its statuses
 * through time are its events (delivery-event.entity.ts), each also the email that tells the patient.
 * `createdAt` is when it was requested, on the request's clock.
 */
export const DeliveryRequestSchema = defineEntity({
  name: 'DeliveryRequest',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    practice: () => p.manyToOne(Practice),
    patient: () => p.manyToOne(Patient).deleteRule('cascade'),
    medication: () => p.manyToOne(ClinicalRecord).deleteRule('cascade'),
    quantity: p.integer(),
    address: p.json<z.infer<typeof address>>(),
    note: p.text().nullable(),
    status: p.enum(deliveryRequestStatuses),
    courier: p.string().length(100).nullable(),
    trackingReference: p.string().length(100).nullable(),
    /** Why it was declined, failed or cancelled. */
    reason: p.text().nullable(),
    /** The portal user who asked: the patient, or a guardian for a dependent; the emails go to them. */
    requestedBy: p.uuid(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
    events: () => p.oneToMany(DeliveryEvent).mappedBy('delivery').orderBy({ at: 'asc', id: 'asc' }),
  },
  checks: [{ name: 'delivery_request_quantity_check', expression: 'quantity > 0' }],
  indexes: [
    { properties: ['patient', 'createdAt', 'id'] },
    /** The staff queue and the report read a practice's requests by when they were made. */
    { properties: ['practice', 'createdAt', 'id'] },
  ],
  filters: practiceFilter(),
});
export class DeliveryRequest extends DeliveryRequestSchema.class {}
DeliveryRequestSchema.setClass(DeliveryRequest);
