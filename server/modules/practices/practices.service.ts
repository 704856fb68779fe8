import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { BillingDetailsOutput, PracticeOutput, UpdatePracticeInput } from '../../../shared/schemas/practices.ts';
import type { AuthedCtx } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { Invoice } from '../billing/invoice.entity.ts';
import { rebuildRevenueDays } from '../billing/revenue-days.ts';
import { User } from '../users/user.entity.ts';
import { Practice } from './practice.entity.ts';

/** The HL7 sender names are the ones ACKs carry: the settings, else their defaults. */
export function toPracticeDto(
  p: Pick<
    Practice,
    | 'id'
    | 'name'
    | 'timeZone'
    | 'mfaRequired'
    | 'reviewExtractedSteps'
    | 'autoAcceptCareRequests'
    | 'cancellationWindowHours'
    | 'hl7SendingApplication'
    | 'hl7SendingFacility'
    | 'patientSignUp'
    | 'slug'
    | 'emergencyNumber'
    | 'sosEscalationMinutes'
    | 'currency'
    | 'pricesIncludeTax'
    | 'invoiceNumberFormat'
    | 'creditNoteNumberFormat'
    | 'chargeCompletedVisits'
    | 'paymentTermsDays'
    | 'createdAt'
  >,
): PracticeOutput {
  return {
    id: p.id,
    name: p.name,
    timeZone: p.timeZone,
    mfaRequired: Boolean(p.mfaRequired),
    reviewExtractedSteps: Boolean(p.reviewExtractedSteps),
    autoAcceptCareRequests: Boolean(p.autoAcceptCareRequests),
    cancellationWindowHours: p.cancellationWindowHours,
    hl7SendingApplication: p.hl7SendingApplication ?? 'PAMS',
    hl7SendingFacility: p.hl7SendingFacility ?? p.name,
    patientSignUp: p.patientSignUp,
    slug: p.slug ?? null,
    emergencyNumber: p.emergencyNumber,
    sosEscalationMinutes: p.sosEscalationMinutes,
    currency: p.currency,
    pricesIncludeTax: Boolean(p.pricesIncludeTax),
    invoiceNumberFormat: p.invoiceNumberFormat,
    creditNoteNumberFormat: p.creditNoteNumberFormat,
    chargeCompletedVisits: Boolean(p.chargeCompletedVisits),
    paymentTermsDays: p.paymentTermsDays,
    createdAt: p.createdAt.toISOString(),
  };
}

/** What invoices show of the practice besides its name (not in the session's actor: only billing needs it). */
export function toBillingDetailsDto(p: Practice): BillingDetailsOutput {
  return {
    billingName: p.billingName ?? null,
    billingAddressLines: p.billingAddressLines ?? null,
    billingPhone: p.billingPhone ?? null,
    billingEmail: p.billingEmail ?? null,
    taxRegistration: p.taxRegistration ?? null,
  };
}

export async function getPractice(ctx: AuthedCtx) {
  const practice = await ctx.em.findOneOrFail(Practice, { id: ctx.actor.practiceId });
  return { ...toPracticeDto(practice), ...toBillingDetailsDto(practice) };
}

/**
 * The practice's settings. Requiring MFA holds every user without it to the enrolment screen, so the
 * admin who asks must have enrolled first (or they would lock themselves out with everyone else), and
 * the answer says how many users (active or invited) have not enrolled yet.
 */
export async function updatePractice(ctx: AuthedCtx, input: UpdatePracticeInput) {
  if (input.mfaRequired && !ctx.actor.identity.user.mfaEnabled) {
    throw new AppError('CONFLICT', 'Turn on two-factor authentication for yourself before requiring it of everyone', 'mfa-enrolment-required');
  }
  const practice = await ctx.em.findOneOrFail(Practice, { id: ctx.actor.practiceId });
  // Amounts are minor units of the currency, never converted: it is fixed once an invoice exists (a discarded draft aside).
  if (input.currency && input.currency !== practice.currency && (await ctx.em.count(Invoice, { $or: [{ status: { $ne: 'void' } }, { number: { $ne: null } }] }))) {
    throw new AppError('CONFLICT', 'The currency cannot change once invoices exist: their amounts are in the current one', 'currency-locked', { currency: ['is fixed: invoices exist'] });
  }
  const rezoned = input.timeZone !== undefined && input.timeZone !== practice.timeZone;
  ctx.em.assign(practice, input);
  recordAudit(ctx, { action: 'practice.updated', entityType: 'practice', entityId: practice.id, detail: { fields: Object.keys(input).join(',') } });
  try {
    // Revenue is kept per day of the practice's time zone: a new zone has other days.
    await ctx.em.transactional(async (em) => {
      await em.flush();
      if (rezoned) await rebuildRevenueDays(em, practice.id);
    });
  } catch (e) {
    if (e instanceof UniqueConstraintViolationException) throw new AppError('CONFLICT', 'Another practice has that slug', 'slug-taken', { slug: ['is taken by another practice'] });
    throw e;
  }
  const usersWithoutMfa = await ctx.em.count(User, { mfaEnabled: false, status: { $in: ['active', 'invited'] } });
  return { ...toPracticeDto(practice), ...toBillingDetailsDto(practice), usersWithoutMfa };
}
