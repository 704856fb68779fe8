import { defineEntity, p } from '@mikro-orm/core';
import { chargeStatuses } from '../../../shared/schemas/billing.ts';
import { newId } from '../../ids.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { Patient } from '../patients/patient.entity.ts';
import { Practice } from '../practices/practice.entity.ts';
import { Appointment } from '../scheduling/appointment.entity.ts';
import { User } from '../users/user.entity.ts';
import { Invoice } from './invoice.entity.ts';
import { Service } from './service.entity.ts';

/**
 * Something billable done for a patient: a service, a quantity, the unit price it had then, a discount (in
 * minor units, never more than quantity × unit price). Made by hand, or once per completed visit (its
 * `appointment`, unique). Editable while `uninvoiced`; on an invoice it is `invoiced` (and back to
 * `uninvoiced` when that invoice is voided); a charge made in error is `void`, with a reason. Never deleted.
 */
export const ChargeSchema = defineEntity({
  name: 'Charge',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    practice: () => p.manyToOne(Practice),
    patient: () => p.manyToOne(Patient),
    service: () => p.manyToOne(Service),
    quantity: p.integer(),
    unitPrice: p.integer(),
    discount: p.integer().default(0),
    /** Who provided it. */
    clinician: () => p.manyToOne(User).nullable(),
    /** The completed visit that made it: at most one charge each. */
    appointment: () => p.manyToOne(Appointment).nullable().unique(),
    status: p.enum(chargeStatuses).default('uninvoiced'),
    invoice: () => p.manyToOne(Invoice).nullable(),
    voidReason: p.string().length(500).nullable(),
    /** Who made it, or marked the visit completed that made it. */
    createdBy: p.uuid(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
  indexes: [{ properties: ['patient', 'createdAt', 'id'] }, { properties: ['practice', 'createdAt', 'id'] }, { properties: ['invoice'] }],
  checks: [
    { name: 'charge_amounts_check', expression: 'quantity > 0 and unit_price >= 0 and discount >= 0 and discount <= quantity::bigint * unit_price' },
    { name: 'charge_invoice_check', expression: "(status = 'invoiced') = (invoice_id is not null)" },
  ],
  filters: practiceFilter(),
});
export class Charge extends ChargeSchema.class {}
ChargeSchema.setClass(Charge);
