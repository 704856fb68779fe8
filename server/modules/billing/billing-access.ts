import type { FilterQuery } from '@mikro-orm/core';
import type { Actor } from '../../context.ts';
import { visiblePatients } from '../patients/patient-access.ts';
import type { Invoice } from './invoice.entity.ts';
import type { Payment } from './payment.entity.ts';

/**
 * Who sees which invoice, below the routers: whoever sees its patient (patient-access.ts: admins all,
 * clinicians their care team's, patients their own and their dependents'), except that the portal never
 * shows a draft (nor a discarded one). Only admins change invoices; that is said by the procedures' role.
 */
export function visibleInvoices(actor: Actor): FilterQuery<Invoice> {
  const patient = visiblePatients(actor);
  return actor.role === 'patient' ? { patient, number: { $ne: null } } : { patient };
}

/** Who sees which payment: whoever sees its patient (the care team, admins, the patient and their guardians). Only admins record them. */
export function visiblePayments(actor: Actor): FilterQuery<Payment> {
  return { patient: visiblePatients(actor) };
}
