import { LockMode } from '@mikro-orm/core';
import type { IdInput } from '../../../shared/schemas/common.ts';
import type { CreateDeliveryInput, DeliveryRequestStatus, ListDeliveriesInput, UpdateDeliveryStatusInput } from '../../../shared/schemas/deliveries.ts';
import type { AuthedCtx } from '../../context.ts';
import { AppError, notFound } from '../../errors.ts';
import { keyset, period, toPage, type SortKey } from '../../pagination.ts';
import { auditRead, recordAudit } from '../audit/audit.service.ts';
import { publishNotifications } from '../notifications/publish-notifications.ts';
import { findVisiblePatient, visiblePatients } from '../patients/patient-access.ts';
import { ClinicalRecord } from '../records/clinical-record.entity.ts';
import { DeliveryEvent } from './delivery-event.entity.ts';
import { enqueueDeliveryMails } from './delivery-mail-queue.ts';
import { DeliveryRequest } from './delivery-request.entity.ts';
import { toDeliveryDto } from './delivery.dto.ts';

/** A queue: the longest waiting first. */
const sort: SortKey[] = [{ field: 'createdAt', dir: 'asc', date: true }];

/** The statuses each status may move to. Declined, delivered, failed and cancelled are final. */
const nextStatuses: Record<DeliveryRequestStatus, readonly DeliveryRequestStatus[]> = {
  requested: ['approved', 'declined', 'cancelled'],
  approved: ['dispatched', 'cancelled'],
  dispatched: ['delivered', 'failed'],
  declined: [],
  delivered: [],
  failed: [],
  cancelled: [],
};

/** The new status as the request's history, its email (pending for the job), its audit row and the patient's notification. */
async function recordChange(ctx: AuthedCtx, delivery: DeliveryRequest, status: DeliveryRequestStatus, reason: string | null, at: Date) {
  ctx.em.create(DeliveryEvent, { practice: ctx.actor.practiceId, delivery, status, at, by: ctx.actor.userId, reason, mailStatus: 'pending', nextMailAt: at });
  recordAudit(ctx, { action: `delivery.${status}`, entityType: 'delivery', entityId: delivery.id, detail: { patientId: delivery.patient.id } });
  await publishNotifications(ctx.em, {
    kind: 'delivery.status',
    practiceId: ctx.actor.practiceId,
    patientId: delivery.patient.id,
    subject: { type: 'delivery', id: delivery.id },
    data: { deliveryId: delivery.id, status },
    to: { portal: true },
    by: ctx.actor.userId,
  });
}

/**
 * A patient (or guardian, for a dependent) asks for an active medication of the record to be delivered:
 * to the address given, else the patient's address on file. A medication they may not see is NOT_FOUND.
 */
export async function createDelivery(ctx: AuthedCtx, input: CreateDeliveryInput) {
  const medication = await ctx.em.findOne(ClinicalRecord, { id: input.medicationId, kind: 'medication', patient: visiblePatients(ctx.actor) }, { populate: ['patient'] });
  if (!medication) throw notFound('Medication');
  if (medication.status !== 'active') {
    throw new AppError('BAD_REQUEST', 'Only an active medication can be delivered', 'medication-not-active', { medicationId: [`the medication is ${medication.status}, not active`] });
  }
  const address = input.address ?? medication.patient.address;
  if (!address) throw new AppError('BAD_REQUEST', 'Invalid input', null, { address: ['is required: the patient has no address on file'] });
  const now = ctx.clock.now();
  const delivery = ctx.em.create(DeliveryRequest, {
    practice: ctx.actor.practiceId,
    patient: medication.patient,
    medication,
    quantity: input.quantity,
    address,
    note: input.note ?? null,
    status: 'requested',
    courier: null,
    trackingReference: null,
    reason: null,
    requestedBy: ctx.actor.userId,
    createdAt: now,
    updatedAt: now,
  });
  await recordChange(ctx, delivery, 'requested', null, now);
  await ctx.em.flush();
  await enqueueDeliveryMails(ctx.agenda, ctx.log);
  return toDeliveryDto(delivery);
}

/**
 * Moves a request to its next status, if that status may follow (else CONFLICT `invalid-transition`):
 * the patient (or guardian) only cancels, before dispatch; staff who see the patient (the care team,
 * admins) do the rest. The row lock makes a racing second change wait, then meet the new status.
 */
export async function updateDeliveryStatus(ctx: AuthedCtx, input: UpdateDeliveryStatusInput) {
  const dto = await ctx.em.transactional(async (em) => {
    const tx = { ...ctx, em };
    const delivery = await em.findOne(DeliveryRequest, { id: input.id, patient: visiblePatients(ctx.actor) }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!delivery) throw notFound('Delivery request');
    const byPatient = ctx.actor.role === 'patient';
    if (byPatient !== (input.status === 'cancelled')) throw new AppError('FORBIDDEN', byPatient ? 'Patients may only cancel a delivery request' : 'Only the patient may cancel a delivery request');
    if (!nextStatuses[delivery.status].includes(input.status)) {
      throw new AppError('CONFLICT', `A ${delivery.status} delivery request cannot become ${input.status}`, 'invalid-transition');
    }
    await em.populate(delivery, ['medication', 'events']);
    const now = ctx.clock.now();
    const { status, reason = null, courier, trackingReference } = input;
    Object.assign(delivery, { status, updatedAt: now, ...(reason && { reason }), ...(status === 'dispatched' && { courier, trackingReference }) });
    await recordChange(tx, delivery, status, reason, now);
    return toDeliveryDto(delivery);
  });
  await enqueueDeliveryMails(ctx.agenda, ctx.log);
  return dto;
}

export async function getDelivery(ctx: AuthedCtx, { id }: IdInput) {
  const delivery = await ctx.em.findOne(DeliveryRequest, { id, patient: visiblePatients(ctx.actor) }, { populate: ['medication', 'events'] });
  if (!delivery) throw notFound('Delivery request');
  await auditRead(ctx, { action: 'delivery.read', entityType: 'delivery', entityId: id, detail: { patientId: delivery.patient.id } });
  return toDeliveryDto(delivery);
}

/** Staff's queue, or a patient's own requests and their dependents': oldest first, by status, patient and when requested. */
export async function listDeliveries(ctx: AuthedCtx, input: ListDeliveriesInput) {
  if (input.patientId) await findVisiblePatient(ctx.em, ctx.actor, input.patientId);
  const { where, orderBy } = keyset(input.cursor, sort);
  const filters = {
    patient: input.patientId,
    status: input.status,
    createdAt: period(input.from, input.to),
  };
  const rows = await ctx.em.find(DeliveryRequest, { $and: [where, { patient: visiblePatients(ctx.actor) }, filters] }, { orderBy, limit: input.limit + 1, populate: ['medication', 'events'] });
  const page = toPage(rows, input.limit, sort, toDeliveryDto);
  await auditRead(ctx, { action: 'delivery.listed', entityType: 'delivery', detail: { results: page.items.length, ids: page.items.map((d) => d.id).join(',') } });
  return page;
}
