import type { IdInput } from '../../../shared/schemas/common.ts';
import type { CreateOrganisationInput, ListOrganisationsInput, UpdateOrganisationInput } from '../../../shared/schemas/billing.ts';
import type { AuthedCtx } from '../../context.ts';
import { notFound } from '../../errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { toOrganisationDto } from './billing.dto.ts';
import { Organisation } from './organisation.entity.ts';

export async function listOrganisations(ctx: AuthedCtx, { includeArchived }: ListOrganisationsInput) {
  const organisations = await ctx.em.find(Organisation, includeArchived ? {} : { active: true }, { orderBy: { name: 'asc', id: 'asc' } });
  return organisations.map(toOrganisationDto);
}

export async function createOrganisation(ctx: AuthedCtx, input: CreateOrganisationInput) {
  const organisation = ctx.em.create(Organisation, { ...input, practice: ctx.actor.practiceId });
  recordAudit(ctx, { action: 'organisation.created', entityType: 'organisation', entityId: organisation.id });
  await ctx.em.flush();
  return toOrganisationDto(organisation);
}

/** Invoices already issued to it keep the name and address they were issued with. */
export async function updateOrganisation(ctx: AuthedCtx, { id, ...changes }: UpdateOrganisationInput) {
  const organisation = await ctx.em.findOne(Organisation, { id });
  if (!organisation) throw notFound('Organisation');
  ctx.em.assign(organisation, changes);
  recordAudit(ctx, { action: 'organisation.updated', entityType: 'organisation', entityId: id, detail: { fields: Object.keys(changes).join(',') } });
  await ctx.em.flush();
  return toOrganisationDto(organisation);
}

/** Archived, it is offered for no new invoice; the invoices that name it stay. */
export async function archiveOrganisation(ctx: AuthedCtx, { id }: IdInput) {
  const organisation = await ctx.em.findOne(Organisation, { id });
  if (!organisation) throw notFound('Organisation');
  if (organisation.active) {
    organisation.active = false;
    recordAudit(ctx, { action: 'organisation.archived', entityType: 'organisation', entityId: id });
    await ctx.em.flush();
  }
  return toOrganisationDto(organisation);
}
