import type { IdInput } from '../../../shared/schemas/common.ts';
import type { CreateTaxRateInput, ListTaxRatesInput } from '../../../shared/schemas/billing.ts';
import type { AuthedCtx } from '../../context.ts';
import { notFound } from '../../errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { toTaxRateDto } from './billing.dto.ts';
import { TaxRate } from './tax-rate.entity.ts';

export async function listTaxRates(ctx: AuthedCtx, { includeArchived }: ListTaxRatesInput) {
  const rates = await ctx.em.find(TaxRate, includeArchived ? {} : { active: true }, { orderBy: { name: 'asc', id: 'asc' } });
  return rates.map(toTaxRateDto);
}

/** Without components, a rate is one component of its own name. A name already used is a CONFLICT. */
export async function createTaxRate(ctx: AuthedCtx, { name, ratePpm, components }: CreateTaxRateInput) {
  const rate = ctx.em.create(TaxRate, { practice: ctx.actor.practiceId, name, ratePpm, components: components ?? [{ name, ratePpm }] });
  recordAudit(ctx, { action: 'tax-rate.created', entityType: 'tax-rate', entityId: rate.id });
  await ctx.em.flush();
  return toTaxRateDto(rate);
}

/** Archived, a rate is given to no more services; those that have it keep it until changed. */
export async function archiveTaxRate(ctx: AuthedCtx, { id }: IdInput) {
  const rate = await ctx.em.findOne(TaxRate, { id });
  if (!rate) throw notFound('Tax rate');
  if (rate.active) {
    rate.active = false;
    recordAudit(ctx, { action: 'tax-rate.archived', entityType: 'tax-rate', entityId: id });
    await ctx.em.flush();
  }
  return toTaxRateDto(rate);
}
