import type { UpdatePracticeInput } from '../../../shared/schemas/practices.ts';
import type { AuthedCtx } from '../../context.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { assertRole } from '../users/roles.ts';
import { Practice } from './practice.entity.ts';

export type PracticeDto = ReturnType<typeof toPracticeDto>;

/** The HL7 sender names are the ones ACKs carry: the settings, else their defaults. */
export function toPracticeDto(p: Pick<Practice, 'id' | 'name' | 'timeZone' | 'mfaRequired' | 'reviewExtractedSteps' | 'hl7SendingApplication' | 'hl7SendingFacility' | 'createdAt'>) {
  return {
    id: p.id, name: p.name, timeZone: p.timeZone, mfaRequired: Boolean(p.mfaRequired), reviewExtractedSteps: Boolean(p.reviewExtractedSteps),
    hl7SendingApplication: p.hl7SendingApplication ?? 'PAMS', hl7SendingFacility: p.hl7SendingFacility ?? p.name,
    createdAt: p.createdAt.toISOString(),
  };
}

export async function getPractice(ctx: AuthedCtx) {
  return toPracticeDto(await ctx.em.findOneOrFail(Practice, { id: ctx.actor.practiceId }));
}

export async function updatePractice(ctx: AuthedCtx, input: UpdatePracticeInput) {
  assertRole(ctx.actor, 'admin');
  const practice = await ctx.em.findOneOrFail(Practice, { id: ctx.actor.practiceId });
  ctx.em.assign(practice, input);
  recordAudit(ctx, { action: 'practice.updated', entityType: 'practice', entityId: practice.id, detail: { fields: Object.keys(input).join(',') } });
  await ctx.em.flush();
  return toPracticeDto(practice);
}
