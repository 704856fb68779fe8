import type { StepState } from '../../../shared/schemas/steps.ts';
import type { Ctx } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { practiceEm } from '../../tenant-filter.ts';
import { auditRead, recordAudit } from '../audit/audit.service.ts';
import { Patient } from '../patients/patient.entity.ts';
import { Step } from '../steps/step.entity.ts';
import { checkInAs, type StepChanger } from '../steps/steps.service.ts';
import { ReminderDelivery } from './reminder-delivery.entity.ts';
import { verifyLink, type LinkProblem } from './reminder-links.ts';

/**
 * What a reminder mail's links do, for the pages that serve them (server/modules/pages/). The signed
 * token is the only credential: whoever holds the mail may check in for that one plan item, or stop the
 * patient's reminder emails, and nothing else. A well-signed link whose step or patient is not found (in
 * the practice it names) is `unknown`: the same answer as a bad one would leak nothing more.
 */
export type LinkRefusal = { ok: false; problem: LinkProblem | 'unknown' };

/** A refusal as the API says it, for a frontend that serves the links itself (the pages say it in their own words). */
export function linkRefusalError({ problem }: LinkRefusal): AppError {
  if (problem === 'malformed') return new AppError('BAD_REQUEST', 'This link is incomplete', 'link-malformed');
  if (problem === 'tampered' || problem === 'unknown') return new AppError('NOT_FOUND', 'This link is not valid', 'link-invalid');
  return new AppError('CONFLICT', problem === 'expired' ? 'This link has expired' : 'This link is too old to use', 'link-expired');
}

/** The answer of a link, or its refusal thrown as the API's error. */
export async function linkAnswer<T extends { ok: true }>(answer: Promise<T | LinkRefusal>): Promise<T> {
  const result = await answer;
  if (!result.ok) throw linkRefusalError(result);
  return result;
}

/** The patient acts through the link as in the portal: as their portal user, else in their own name (their patient id). */
const patientActor = (patient: Patient): string => patient.portalUser?.id ?? patient.id;

async function linkedStep(ctx: Ctx, token: string) {
  const link = verifyLink(ctx.config.encryptionKeys, token, 'check-in', ctx.clock.now());
  if (!link.ok) return link;
  const { practiceId, patientId, stepId } = link.claims;
  const em = practiceEm(ctx.em, practiceId);
  const step = await em.findOne(Step, { id: stepId, patient: patientId, kind: 'plan' }, { populate: ['patient', 'practice'] });
  if (!step) return { ok: false as const, problem: 'unknown' as const };
  return { ok: true as const, claims: link.claims, em, step };
}

export type CheckInLinkView = { ok: true; title: string; localDay: string; practiceName: string; state: StepState };

/** What a check-in link is for, read only: a mail scanner following the link changes nothing. */
export async function lookupCheckInLink(ctx: Ctx, token: string): Promise<CheckInLinkView | LinkRefusal> {
  const found = await linkedStep(ctx, token);
  if (!found.ok) return found;
  const { step, em, claims } = found;
  // Who opened it is unknown (the patient, or a scanner): the read is audited without an actor.
  await auditRead(
    { ...ctx, em },
    { action: 'step.link-viewed', entityType: 'step', entityId: step.id, practiceId: claims.practiceId, actorId: null, detail: { patientId: claims.patientId, via: 'email-link' } },
  );
  return { ok: true, title: step.title, localDay: claims.localDay, practiceName: step.practice.name, state: step.state };
}

/**
 * Checks in for the link's plan item, and that item alone, through the same service as `steps.checkIn`,
 * audited as the patient. Once done, the link is used up: the item is no longer active, so a replay (or
 * another day's link for it) answers `done`; an item a clinician stopped answers its state.
 */
export async function checkInFromLink(ctx: Ctx, token: string): Promise<{ ok: true; title: string; outcome: 'checked-in' | StepState } | LinkRefusal> {
  const found = await linkedStep(ctx, token);
  if (!found.ok) return found;
  const { step, em, claims } = found;
  if (step.state !== 'active') return { ok: true, title: step.title, outcome: step.state };
  const who: StepChanger = { reach: { patient: claims.patientId }, by: patientActor(step.patient), via: 'email-link' };
  try {
    await checkInAs({ ...ctx, em }, who, step.id);
    return { ok: true, title: step.title, outcome: 'checked-in' };
  } catch (error) {
    // Another click got there first and committed while this one waited for the row.
    if (!(error instanceof AppError && error.reason === 'invalid-transition')) throw error;
    const now = await practiceEm(ctx.em, claims.practiceId).findOneOrFail(Step, step.id);
    return { ok: true, title: step.title, outcome: now.state };
  }
}

async function linkedPatient(ctx: Ctx, token: string) {
  const link = verifyLink(ctx.config.encryptionKeys, token, 'unsubscribe', ctx.clock.now());
  if (!link.ok) return link;
  const em = practiceEm(ctx.em, link.claims.practiceId);
  const patient = await em.findOne(Patient, { id: link.claims.patientId }, { populate: ['practice'] });
  if (!patient) return { ok: false as const, problem: 'unknown' as const };
  return { ok: true as const, claims: link.claims, em, patient };
}

export type UnsubscribeView = { ok: true; practiceName: string; optedOut: boolean };

/** Whom an unsubscribe link is for, read only (no name: the page says only the practice). */
export async function lookupUnsubscribeLink(ctx: Ctx, token: string): Promise<UnsubscribeView | LinkRefusal> {
  const found = await linkedPatient(ctx, token);
  if (!found.ok) return found;
  return { ok: true, practiceName: found.patient.practice.name, optedOut: !!found.patient.reminderEmailOptOutAt };
}

/**
 * Stops the patient's reminder emails (RFC 8058 one-click, or the page's button): the in-app reminders
 * go on, and emails not yet sent are cancelled. Saying it twice changes nothing and is not audited again.
 */
export async function unsubscribeFromLink(ctx: Ctx, token: string): Promise<UnsubscribeView | LinkRefusal> {
  const found = await linkedPatient(ctx, token);
  if (!found.ok) return found;
  const { patient, em, claims } = found;
  if (!patient.reminderEmailOptOutAt) {
    await em.transactional(async (tx) => {
      await tx.nativeUpdate(Patient, { id: patient.id, reminderEmailOptOutAt: null }, { reminderEmailOptOutAt: ctx.clock.now() });
      await tx.nativeUpdate(ReminderDelivery, { patient: patient.id, channel: 'email', status: 'pending' }, { status: 'cancelled', leaseUntil: null });
      recordAudit(
        { ...ctx, em: tx },
        { action: 'patient.reminder-email-opted-out', entityType: 'patient', entityId: patient.id, practiceId: claims.practiceId, actorId: patientActor(patient), detail: { via: 'email-link' } },
      );
    });
  }
  return { ok: true, practiceName: patient.practice.name, optedOut: true };
}
