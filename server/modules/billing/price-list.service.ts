import type { EntityManager } from '@mikro-orm/postgresql';
import type { IdInput } from '../../../shared/schemas/common.ts';
import type { CreateServiceInput, ListServicesInput, UpdateServiceInput } from '../../../shared/schemas/billing.ts';
import type { AuthedCtx } from '../../context.ts';
import { AppError, notFound } from '../../errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { toServiceDto } from './billing.dto.ts';
import { Service } from './service.entity.ts';
import { TaxRate } from './tax-rate.entity.ts';

/** A tax rate a service may be given: of the practice, not archived. */
async function assignableTaxRate(em: EntityManager, id: string | null): Promise<TaxRate | null> {
  if (id === null) return null;
  const rate = await em.findOne(TaxRate, { id });
  if (!rate) throw notFound('Tax rate');
  if (!rate.active) throw new AppError('BAD_REQUEST', 'Invalid input', null, { taxRateId: ['is archived'] });
  return rate;
}

/** A service that may be charged now: of the practice and not archived; with its tax rate loaded. */
export async function findChargeableService(em: EntityManager, id: string, field = 'serviceId'): Promise<Service> {
  const service = await em.findOne(Service, { id }, { populate: ['taxRate'] });
  if (!service) throw notFound('Service');
  if (!service.active) throw new AppError('BAD_REQUEST', 'Invalid input', null, { [field]: ['is archived: no longer charged'] });
  return service;
}

export async function listServices(ctx: AuthedCtx, { includeArchived }: ListServicesInput) {
  const services = await ctx.em.find(Service, includeArchived ? {} : { active: true }, { populate: ['taxRate'], orderBy: { code: 'asc', id: 'asc' } });
  return services.map(toServiceDto);
}

/** A code already used in the practice is a CONFLICT (unique constraint, converted in trpc.ts). */
export async function createService(ctx: AuthedCtx, { taxRateId, ...fields }: CreateServiceInput) {
  const taxRate = await assignableTaxRate(ctx.em, taxRateId);
  const service = ctx.em.create(Service, { ...fields, taxRate, practice: ctx.actor.practiceId });
  recordAudit(ctx, { action: 'service.created', entityType: 'service', entityId: service.id });
  await ctx.em.flush();
  return toServiceDto(service);
}

/** A new price or tax rate applies to what is charged and invoiced after it; invoice lines keep theirs. */
export async function updateService(ctx: AuthedCtx, { id, taxRateId, ...changes }: UpdateServiceInput) {
  const service = await ctx.em.findOne(Service, { id }, { populate: ['taxRate'] });
  if (!service) throw notFound('Service');
  ctx.em.assign(service, { ...changes, ...(taxRateId !== undefined && { taxRate: await assignableTaxRate(ctx.em, taxRateId) }) });
  const fields = [...Object.keys(changes), ...(taxRateId !== undefined ? ['taxRateId'] : [])];
  recordAudit(ctx, { action: 'service.updated', entityType: 'service', entityId: id, detail: { fields: fields.join(',') } });
  await ctx.em.flush();
  return toServiceDto(service);
}

/** Archived, a service is no longer charged; its charges and invoice lines keep pointing at it. */
export async function archiveService(ctx: AuthedCtx, { id }: IdInput) {
  const service = await ctx.em.findOne(Service, { id }, { populate: ['taxRate'] });
  if (!service) throw notFound('Service');
  if (service.active) {
    service.active = false;
    recordAudit(ctx, { action: 'service.archived', entityType: 'service', entityId: id });
    await ctx.em.flush();
  }
  return toServiceDto(service);
}
