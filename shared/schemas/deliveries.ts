import { z } from 'zod';
import { instantOutput, isoDateTime, pageInput, pageOutput, text, uuid } from './common.ts';
import { address, addressOutput } from './patients.ts';

/**
 * Prescription delivery requests: a patient (or guardian) asks for an active medication of their record
 * to be delivered; staff approve or decline it, dispatch it with a courier, and mark it delivered or failed.
 * The patient may cancel it until it is dispatched. Every change is kept in the request's history.
 */
export const deliveryRequestStatuses = ['requested', 'approved', 'declined', 'dispatched', 'delivered', 'failed', 'cancelled'] as const;
export type DeliveryRequestStatus = (typeof deliveryRequestStatuses)[number];

/** The most a request may ask for at once: a year of daily doses with room to spare. */
export const MAX_DELIVERY_QUANTITY = 1000;

const reason = text().trim().min(1, 'is required').max(500);

export const createDeliveryInput = z.object({
  medicationId: uuid,
  quantity: z.number().int().min(1).max(MAX_DELIVERY_QUANTITY),
  /** Where to deliver; by default the patient's address on file. */
  address: address.optional(),
  note: text().trim().max(1000).optional(),
});
export type CreateDeliveryInput = z.infer<typeof createDeliveryInput>;

const label = text().trim().min(1, 'is required').max(100);

/**
 * The next status and what it needs: a reason to decline (optional when failed or cancelled), a courier
 * and tracking reference to dispatch. One object rather than a union, so every field is plain to forms and walks.
 */
export const updateDeliveryStatusInput = z
  .object({
    id: uuid,
    status: z.enum(['approved', 'declined', 'dispatched', 'delivered', 'failed', 'cancelled']),
    reason: reason.optional(),
    courier: label.optional(),
    trackingReference: label.optional(),
  })
  .superRefine((u, ctx) => {
    const add = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (u.status === 'declined' && !u.reason) add('reason', 'is required to decline');
    if (u.reason && !['declined', 'failed', 'cancelled'].includes(u.status)) add('reason', 'is only for declined, failed or cancelled');
    for (const field of ['courier', 'trackingReference'] as const) {
      if (u.status === 'dispatched' && !u[field]) add(field, 'is required to dispatch');
      if (u.status !== 'dispatched' && u[field]) add(field, 'is only for dispatched');
    }
  });
export type UpdateDeliveryStatusInput = z.infer<typeof updateDeliveryStatusInput>;

/** Staff see the requests of the patients they may see; a patient their own and their dependents'. `from`/`to` bound when it was requested. */
export const listDeliveriesInput = pageInput
  .extend({ status: z.enum(deliveryRequestStatuses).optional(), patientId: uuid.optional(), from: isoDateTime.optional(), to: isoDateTime.optional() })
  .refine((l) => !l.from || !l.to || Date.parse(l.from) < Date.parse(l.to), { path: ['to'], message: 'must be after from' });
export type ListDeliveriesInput = z.infer<typeof listDeliveriesInput>;

/* Outputs */
export const deliveryEventOutput = z.object({
  status: z.enum(deliveryRequestStatuses),
  at: instantOutput,
  by: z.string().describe('The id of the user who made the change'),
  reason: z.string().nullable(),
});

export const deliveryOutput = z.object({
  id: z.string(),
  patientId: z.string(),
  medicationId: z.string(),
  medicationName: z.string(),
  quantity: z.number(),
  address: addressOutput,
  note: z.string().nullable(),
  status: z.enum(deliveryRequestStatuses),
  courier: z.string().nullable(),
  trackingReference: z.string().nullable(),
  reason: z.string().nullable().describe('Why it was declined, failed or cancelled'),
  requestedBy: z.string().describe('The id of the portal user who asked: the patient or a guardian'),
  createdAt: instantOutput.describe('When it was requested'),
  updatedAt: instantOutput,
  history: z.array(deliveryEventOutput).describe('Every status it has had, oldest first'),
});
export type DeliveryOutput = z.infer<typeof deliveryOutput>;
export const deliveryPageOutput = pageOutput(deliveryOutput);
