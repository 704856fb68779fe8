import { LockMode, type FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { IdInput } from '../../../shared/schemas/common.ts';
import type { CancelStepInput, ListStepsInput, StepState, UpdateStepInput } from '../../../shared/schemas/steps.ts';
import type { Actor, AuthedCtx, Ctx } from '../../context.ts';
import { AppError, notFound } from '../../errors.ts';
import { keyset, newestFirst, toPage } from '../../pagination.ts';
import { auditRead, recordAudit } from '../audit/audit.service.ts';
import { noteDataKey, openPassage } from '../notes/note-crypto.ts';
import { visiblePatients } from '../patients/patient-access.ts';
import { endDateOf } from './schedule.ts';
import { toStepDto } from './step.dto.ts';
import { Step } from './step.entity.ts';
import { cancelUnsentReminders } from './step-lifecycle.ts';

const sort = newestFirst('createdAt');

/** Each step's provenance, opened with its note's data key (one unwrap per note). */
function toDtos(ctx: Pick<Ctx, 'config'>) {
  const keys = new Map<string, Buffer>();
  return (s: Step) => {
    const note = s.note;
    let key = keys.get(note.id);
    if (!key) keys.set(note.id, (key = noteDataKey(ctx.config.encryptionKeys, note)));
    return toStepDto(s, openPassage(key, s.id, s.provenanceCiphertext));
  };
}

/**
 * Who changes a step: the steps they reach, and the id recorded as theirs (in `doneBy` and the audit
 * row). A logged-in user, or a patient checking in from a reminder email's link (reminder-links.service.ts).
 */
export type StepChanger = { reach: FilterQuery<Step>; by: string; via?: 'email-link' };
const asActor = (actor: Actor): StepChanger => ({ reach: { patient: visiblePatients(actor) }, by: actor.userId });

const audit = (ctx: Ctx, who: StepChanger, action: string, s: Step) =>
  recordAudit(ctx, {
    action: `step.${action}`,
    entityType: 'step',
    entityId: s.id,
    practiceId: s.practice.id,
    actorId: who.by,
    detail: { patientId: s.patient.id, ...(who.via && { via: who.via }) },
  });

/** Checklist and plan items of the patients the caller may see (a patient: their own and dependents'). */
export async function listSteps(ctx: AuthedCtx, input: ListStepsInput) {
  const { where, orderBy } = keyset(input.cursor, sort);
  const rows = await ctx.em.find(
    Step,
    {
      $and: [where, { patient: visiblePatients(ctx.actor) }],
      ...(input.patientId && { patient: input.patientId }),
      ...(input.kind && { kind: input.kind }),
      ...(input.state && { state: input.state }),
    },
    { populate: ['note'], orderBy, limit: input.limit + 1 },
  );
  const page = toPage(rows, input.limit, sort, toDtos(ctx));
  await auditRead(ctx, { action: 'step.listed', entityType: 'step', detail: { results: page.items.length, patientId: input.patientId ?? null } });
  return page;
}

/**
 * Loads a visible step under a row lock, checks its kind and state, applies the change, audits, commits.
 * The lock makes a concurrent second check-in wait, then see the step done.
 */
async function changeStep(ctx: Ctx, who: StepChanger, id: string, { from, kind, action }: { from: StepState[]; kind?: Step['kind']; action: string }, change: (s: Step, em: EntityManager) => unknown) {
  return ctx.em.transactional(async (em) => {
    const tx = { ...ctx, em };
    const step = await em.findOne(Step, { $and: [{ id }, who.reach] }, { populate: ['note'], lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!step || (kind && step.kind !== kind)) throw notFound(kind === 'plan' ? 'Plan item' : kind === 'checklist' ? 'Checklist item' : 'Step');
    if (!from.includes(step.state)) throw new AppError('CONFLICT', `This step is ${step.state}: it cannot be ${action}`, 'invalid-transition');
    await change(step, em);
    step.updatedAt = ctx.clock.now();
    audit(tx, who, action, step);
    await em.flush();
    return toDtos(ctx)(step);
  });
}

/** A clinician edits the title or, for a plan item, the schedule; a proposal stays a proposal. */
export function updateStep(ctx: AuthedCtx, { id, title, schedule }: UpdateStepInput) {
  return changeStep(ctx, asActor(ctx.actor), id, { from: ['proposed', 'active'], action: 'updated' }, (s) => {
    if (schedule && s.kind !== 'plan') throw new AppError('BAD_REQUEST', 'Only a plan item has a schedule', null, { schedule: ['only a plan item has a schedule'] });
    if (title) s.title = title;
    if (schedule) Object.assign(s, { ...schedule, endDate: endDateOf(schedule) });
  });
}

export function acceptStep(ctx: AuthedCtx, { id }: IdInput) {
  return changeStep(ctx, asActor(ctx.actor), id, { from: ['proposed'], action: 'accepted' }, (s) => void (s.state = 'active'));
}

export function rejectStep(ctx: AuthedCtx, { id }: IdInput) {
  return changeStep(ctx, asActor(ctx.actor), id, { from: ['proposed'], action: 'rejected' }, (s) =>
    Object.assign(s, { state: 'rejected', cancelledAt: ctx.clock.now(), cancelledBy: ctx.actor.userId }),
  );
}

/** Stops a step; its reminders not yet sent are cancelled in the same transaction. */
export function cancelStep(ctx: AuthedCtx, { id, reason }: CancelStepInput) {
  return changeStep(ctx, asActor(ctx.actor), id, { from: ['proposed', 'active'], action: 'cancelled' }, (s, em) => {
    Object.assign(s, { state: 'cancelled', cancelledAt: ctx.clock.now(), cancelledBy: ctx.actor.userId, cancelReason: reason ?? null });
    return cancelUnsentReminders(em, { step: s.id });
  });
}

/** The patient (or a clinician for them) ticks a checklist item off. */
export function tickStep(ctx: AuthedCtx, { id }: IdInput) {
  return changeStep(ctx, asActor(ctx.actor), id, { from: ['active'], kind: 'checklist', action: 'ticked' }, (s) =>
    Object.assign(s, { state: 'done', doneAt: ctx.clock.now(), doneBy: ctx.actor.userId }),
  );
}

/** The patient (or a clinician for them) checks in for a plan item: its reminders stop. */
export function checkIn(ctx: AuthedCtx, { id }: IdInput) {
  return checkInAs(ctx, asActor(ctx.actor), id);
}

/** `checkIn` for whoever `who` is: a logged-in user, or a patient from a reminder email's link. */
export function checkInAs(ctx: Ctx, who: StepChanger, id: string) {
  return changeStep(ctx, who, id, { from: ['active'], kind: 'plan', action: 'checked-in' }, (s, em) => {
    Object.assign(s, { state: 'done', doneAt: ctx.clock.now(), doneBy: who.by });
    return cancelUnsentReminders(em, { step: s.id });
  });
}
