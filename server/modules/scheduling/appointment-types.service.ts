import type { EntityManager } from '@mikro-orm/postgresql';
import type { AppointmentTypeOutput, CreateAppointmentTypeInput, ListAppointmentTypesInput, UpdateAppointmentTypeInput } from '../../../shared/schemas/scheduling.ts';
import type { AuthedCtx } from '../../context.ts';
import { AppError, notFound } from '../../errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { Service } from '../billing/service.entity.ts';
import { AppointmentType } from './appointment-type.entity.ts';
import { booksForThemselves } from './patient-booking.ts';

function toAppointmentTypeDto(t: AppointmentType): AppointmentTypeOutput {
  return {
    id: t.id,
    name: t.name,
    durationMinutes: t.durationMinutes,
    active: t.active,
    bookableByPatients: t.bookableByPatients,
    serviceId: t.service?.id ?? null,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
  };
}

/** A type that can be booked now: it exists in the practice and has not been retired. */
export async function findBookableType(em: EntityManager, id: string): Promise<AppointmentType> {
  const type = await em.findOne(AppointmentType, { id });
  if (!type) throw notFound('Appointment type');
  if (!type.active) throw new AppError('BAD_REQUEST', 'This appointment type is no longer offered', null, { typeId: ['is no longer offered'] });
  return type;
}

/** The price-list service a type names, of the practice (archived ones too: a completed visit then charges nothing). */
async function serviceOf(em: EntityManager, id: string | null): Promise<Service | null> {
  if (id === null) return null;
  const service = await em.findOne(Service, { id });
  if (!service) throw notFound('Service');
  return service;
}

/** A name already used in the practice is a CONFLICT (unique constraint, converted in trpc.ts). */
export async function createAppointmentType(ctx: AuthedCtx, { serviceId, ...input }: CreateAppointmentTypeInput) {
  const type = ctx.em.create(AppointmentType, { ...input, service: await serviceOf(ctx.em, serviceId), practice: ctx.actor.practiceId });
  recordAudit(ctx, { action: 'appointment-type.created', entityType: 'appointment-type', entityId: type.id });
  await ctx.em.flush();
  return toAppointmentTypeDto(type);
}

export async function updateAppointmentType(ctx: AuthedCtx, { id, serviceId, ...changes }: UpdateAppointmentTypeInput) {
  const type = await ctx.em.findOne(AppointmentType, { id });
  if (!type) throw notFound('Appointment type');
  ctx.em.assign(type, { ...changes, ...(serviceId !== undefined && { service: await serviceOf(ctx.em, serviceId) }) });
  const fields = [...Object.keys(changes), ...(serviceId !== undefined ? ['serviceId'] : [])];
  recordAudit(ctx, { action: 'appointment-type.updated', entityType: 'appointment-type', entityId: id, detail: { fields: fields.join(',') } });
  await ctx.em.flush();
  return toAppointmentTypeDto(type);
}

/** A patient (or guardian) sees only the types they may book: active and bookable by patients. */
export async function listAppointmentTypes(ctx: AuthedCtx, { includeInactive }: ListAppointmentTypesInput) {
  const where = booksForThemselves(ctx.actor) ? { active: true, bookableByPatients: true } : includeInactive ? {} : { active: true };
  const types = await ctx.em.find(AppointmentType, where, { orderBy: { name: 'asc', id: 'asc' } });
  return types.map(toAppointmentTypeDto);
}
