import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CreateChargeInput, ListChargesInput, UpdateChargeInput, VoidChargeInput } from '../../../shared/schemas/billing.ts';
import type { AuthedCtx } from '../../context.ts';
import { AppError, notFound } from '../../errors.ts';
import { keyset, toPage, type SortKey } from '../../pagination.ts';
import { auditRead, recordAudit } from '../audit/audit.service.ts';
import { findVisiblePatient, findWritablePatient, visiblePatients } from '../patients/patient-access.ts';
import type { Appointment } from '../scheduling/appointment.entity.ts';
import { AppointmentType } from '../scheduling/appointment-type.entity.ts';
import { User } from '../users/user.entity.ts';
import { toChargeDto } from './billing.dto.ts';
import { Charge } from './charge.entity.ts';
import { findChargeableService } from './price-list.service.ts';

const sort: SortKey[] = [{ field: 'createdAt', dir: 'desc', date: true }];

/** A discount takes at most the whole of quantity × unit price: no line is ever negative. */
export function assertDiscount(quantity: number, unitPrice: number, discount: number): void {
  if (BigInt(discount) > BigInt(quantity) * BigInt(unitPrice)) {
    throw new AppError('BAD_REQUEST', 'Invalid input', null, { discount: [`must not be more than quantity × unit price (${BigInt(quantity) * BigInt(unitPrice)})`] });
  }
}

/** Who provided a charge: a clinician's own are theirs; an admin names a clinician of the practice, or none. */
async function providerOf(ctx: AuthedCtx, clinicianId: string | undefined): Promise<User | string | null> {
  if (ctx.actor.role === 'clinician') {
    if (clinicianId && clinicianId !== ctx.actor.userId) throw new AppError('BAD_REQUEST', 'Invalid input', null, { clinicianId: ['a clinician charges in their own name'] });
    return ctx.actor.userId;
  }
  if (!clinicianId) return null;
  const clinician = await ctx.em.findOne(User, { id: clinicianId, role: { $in: ['clinician', 'admin'] }, status: 'active' });
  if (!clinician) throw notFound('Clinician');
  return clinician;
}

/** A charge of a patient the actor sees, locked for the change; NOT_FOUND otherwise. */
async function findChargeToChange(em: EntityManager, ctx: AuthedCtx, id: string): Promise<Charge> {
  const charge = await em.findOne(Charge, { id, patient: visiblePatients(ctx.actor) }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!charge) throw notFound('Charge');
  if (charge.status === 'invoiced') throw new AppError('CONFLICT', 'This charge is on an invoice: void the invoice first', 'charge-invoiced');
  if (charge.status === 'void') throw new AppError('CONFLICT', 'This charge is void', 'invalid-transition');
  await em.populate(charge, ['service']);
  return charge;
}

/** Staff charge a patient they see for a service, at its current price. */
export async function createCharge(ctx: AuthedCtx, { patientId, serviceId, quantity, discount, clinicianId }: CreateChargeInput) {
  const patient = await findWritablePatient(ctx.em, ctx.actor, patientId);
  const service = await findChargeableService(ctx.em, serviceId);
  assertDiscount(quantity, service.price, discount);
  const now = ctx.clock.now();
  const charge = ctx.em.create(Charge, {
    practice: ctx.actor.practiceId,
    patient,
    service,
    quantity,
    unitPrice: service.price,
    discount,
    clinician: await providerOf(ctx, clinicianId),
    appointment: null,
    invoice: null,
    voidReason: null,
    createdBy: ctx.actor.userId,
    createdAt: now,
    updatedAt: now,
  });
  recordAudit(ctx, { action: 'charge.created', entityType: 'charge', entityId: charge.id, detail: { patientId } });
  await ctx.em.flush();
  return toChargeDto(charge);
}

/**
 * A visit just marked completed is charged, in the same unit of work, for its type's service at its
 * price: when the practice charges completed visits (`chargeCompletedVisits`) and the type names a
 * service still offered. At most once per visit (a unique appointment column).
 */
export async function chargeCompletedVisit(ctx: AuthedCtx, appointment: Appointment): Promise<void> {
  if (!ctx.actor.identity.practice.chargeCompletedVisits) return;
  const type = await ctx.em.findOneOrFail(AppointmentType, appointment.type.id, { populate: ['service'] });
  const service = type.service;
  if (!service?.active || (await ctx.em.count(Charge, { appointment }))) return;
  const now = ctx.clock.now();
  const charge = ctx.em.create(Charge, {
    practice: ctx.actor.practiceId,
    patient: appointment.patient,
    service,
    quantity: 1,
    unitPrice: service.price,
    discount: 0,
    clinician: appointment.clinician,
    appointment,
    invoice: null,
    voidReason: null,
    createdBy: ctx.actor.userId,
    createdAt: now,
    updatedAt: now,
  });
  recordAudit(ctx, { action: 'charge.created', entityType: 'charge', entityId: charge.id, detail: { patientId: appointment.patient.id, appointmentId: appointment.id } });
}

/** Quantity and discount, while the charge is on no invoice (else CONFLICT `charge-invoiced`). */
export async function updateCharge(ctx: AuthedCtx, { id, ...changes }: UpdateChargeInput) {
  return ctx.em.transactional(async (em) => {
    const charge = await findChargeToChange(em, ctx, id);
    assertDiscount(changes.quantity ?? charge.quantity, charge.unitPrice, changes.discount ?? charge.discount);
    em.assign(charge, { ...changes, updatedAt: ctx.clock.now() });
    recordAudit({ ...ctx, em }, { action: 'charge.updated', entityType: 'charge', entityId: id, detail: { patientId: charge.patient.id, fields: Object.keys(changes).join(',') } });
    return toChargeDto(charge);
  });
}

/** A charge made in error is void, with the reason; it stays. Only one on no invoice. */
export async function voidCharge(ctx: AuthedCtx, { id, reason }: VoidChargeInput) {
  return ctx.em.transactional(async (em) => {
    const charge = await findChargeToChange(em, ctx, id);
    em.assign(charge, { status: 'void', voidReason: reason, updatedAt: ctx.clock.now() });
    recordAudit({ ...ctx, em }, { action: 'charge.voided', entityType: 'charge', entityId: id, detail: { patientId: charge.patient.id } });
    return toChargeDto(charge);
  });
}

/** The charges of patients the actor sees (or of one), newest first. */
export async function listCharges(ctx: AuthedCtx, input: ListChargesInput) {
  if (input.patientId) await findVisiblePatient(ctx.em, ctx.actor, input.patientId);
  const { where, orderBy } = keyset(input.cursor, sort);
  const filters = { patient: input.patientId, status: input.status };
  const rows = await ctx.em.find(Charge, { $and: [where, { patient: visiblePatients(ctx.actor) }, filters] }, { orderBy, limit: input.limit + 1, populate: ['service'] });
  const page = toPage(rows, input.limit, sort, toChargeDto);
  await auditRead(ctx, { action: 'charge.listed', entityType: 'charge', detail: { results: page.items.length, ids: page.items.map((c) => c.id).join(',') } });
  return page;
}
