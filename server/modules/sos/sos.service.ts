import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { IdInput } from '../../../shared/schemas/common.ts';
import { sosNotice, type ListSosInput, type RaiseSosInput, type ResolveSosInput, type SosStatus } from '../../../shared/schemas/sos.ts';
import type { AuthedCtx } from '../../context.ts';
import { AppError, notFound } from '../../errors.ts';
import { newId } from '../../ids.ts';
import { keyset, newestFirst, toPage } from '../../pagination.ts';
import { auditRead, recordAudit } from '../audit/audit.service.ts';
import { publishNotifications } from '../notifications/publish-notifications.ts';
import { findVisiblePatient, findWritablePatient } from '../patients/patient-access.ts';
import { onCallAt } from './on-call.service.ts';
import { visibleSos } from './sos-access.ts';
import { sealOutcomeNote, sealSosDetail } from './sos-crypto.ts';
import { SosMail } from './sos-mail.entity.ts';
import { enqueueSosMails } from './sos-queue.ts';
import { SosRequest } from './sos-request.entity.ts';
import { toSosDto } from './sos.dto.ts';

const sort = newestFirst('createdAt');

const dto = (ctx: AuthedCtx, sos: SosRequest) => toSosDto(ctx.config.encryptionKeys, sos, { emergencyNumber: ctx.actor.identity.practice.emergencyNumber, staff: ctx.actor.role !== 'patient' });

/**
 * Who is asked to answer an SOS raised now: the clinicians on call (the roster, in the practice's time
 * zone), else the patient's care team, else (no one on call and no care team) every clinician and admin:
 * someone must always hear it.
 */
async function receiversOf(em: EntityManager, practiceId: string, patientId: string, at: Date): Promise<string[]> {
  const onCall = await onCallAt(em, practiceId, at);
  if (onCall.length) return onCall;
  const careTeam = await em.execute<{ id: string }[]>(`select u.id from care_team_member c join users u on u.id = c.clinician_id where c.patient_id = ? and u.status = 'active' order by 1`, [
    patientId,
  ]);
  if (careTeam.length) return careTeam.map((r) => r.id);
  return everyStaffMember(em, practiceId);
}

/** Every active clinician and admin of the practice: whom an escalation tells. */
export async function everyStaffMember(em: EntityManager, practiceId: string): Promise<string[]> {
  const rows = await em.execute<{ id: string }[]>(`select id from users where practice_id = ? and role in ('clinician', 'admin') and status = 'active' order by 1`, [practiceId]);
  return rows.map((r) => r.id);
}

/** A change the patient's portal users and the staff it was sent to see live: ids and the status only. */
async function publishChange(ctx: AuthedCtx, em: EntityManager, sos: SosRequest, status: SosStatus) {
  const base = { kind: 'sos.changed' as const, practiceId: ctx.actor.practiceId, subject: { type: 'sos', id: sos.id }, data: { sosId: sos.id, status }, by: ctx.actor.userId };
  await publishNotifications(em, { ...base, patientId: sos.patient.id, to: { portal: true } });
  await publishNotifications(em, { ...base, patientId: null, to: { users: sos.routedTo } });
}

/**
 * A patient (or a guardian, for a dependent) asks for help. The clinicians asked to answer (receiversOf)
 * get a live event and an email at once; whoever raised it gets a confirmation email with the emergency
 * number. Staff events name no patient (the event says only which SOS): an on-call clinician may not be
 * on the care team, and reads the SOS itself through sos.byId. One unresolved SOS per patient: a second is
 * CONFLICT `sos-open` (the first is being answered; the answer's message gives the emergency number).
 */
export async function raiseSos(ctx: AuthedCtx, input: RaiseSosInput) {
  const patient = await findWritablePatient(ctx.em, ctx.actor, input.patientId);
  const { practiceId, userId } = ctx.actor;
  const emergencyNumber = ctx.actor.identity.practice.emergencyNumber;
  const now = ctx.clock.now();
  const routedTo = await receiversOf(ctx.em, practiceId, patient.id, now);
  const id = newId();
  const sos = ctx.em.create(SosRequest, {
    id,
    practice: practiceId,
    patient,
    raisedBy: userId,
    ...sealSosDetail(ctx.config.encryptionKeys, id, { text: input.text, location: input.location ?? null, callbackPhone: input.callbackPhone }),
    status: 'open',
    routedTo,
    createdAt: now,
  });
  const event = { practiceId, subject: { type: 'sos', id }, data: { sosId: id }, by: userId };
  await publishNotifications(ctx.em, { ...event, kind: 'sos.raised', patientId: null, to: { users: routedTo } });
  await publishNotifications(ctx.em, { ...event, kind: 'sos.raised', patientId: patient.id, to: { portal: true } });
  for (const user of [...routedTo, userId]) ctx.em.create(SosMail, { practice: practiceId, sos, step: 0, user, status: 'pending', nextAttemptAt: now });
  recordAudit(ctx, { action: 'sos.raised', entityType: 'sos', entityId: id, detail: { patientId: patient.id, routedTo: routedTo.length } });
  try {
    await ctx.em.flush();
  } catch (e) {
    if (e instanceof UniqueConstraintViolationException) {
      throw new AppError('CONFLICT', `An SOS request for this patient is already open and being answered. ${sosNotice(emergencyNumber)}`, 'sos-open');
    }
    throw e;
  }
  await enqueueSosMails(ctx.agenda, ctx.log);
  return dto(ctx, sos);
}

/** The SOS locked for a change, if the actor may see it. */
async function lockedSos(em: EntityManager, ctx: AuthedCtx, id: string) {
  const sos = await em.findOne(SosRequest, { $and: [{ id }, visibleSos(ctx.actor)] }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!sos) throw notFound('SOS request');
  if (sos.status === 'resolved') throw new AppError('CONFLICT', 'This SOS request is already resolved', 'sos-resolved');
  return sos;
}

/**
 * A clinician (or admin) who may see it takes it: the first wins. The row lock makes a racing second wait,
 * then meet the acknowledgement: CONFLICT `sos-acknowledged`. Escalation stops.
 */
export async function acknowledgeSos(ctx: AuthedCtx, { id }: IdInput) {
  return ctx.em.transactional(async (em) => {
    const sos = await lockedSos(em, ctx, id);
    if (sos.status === 'acknowledged') throw new AppError('CONFLICT', 'Another clinician has already taken this SOS request', 'sos-acknowledged');
    Object.assign(sos, { status: 'acknowledged', acknowledgedBy: ctx.actor.userId, acknowledgedAt: ctx.clock.now() });
    await publishChange(ctx, em, sos, 'acknowledged');
    recordAudit({ ...ctx, em }, { action: 'sos.acknowledged', entityType: 'sos', entityId: id, detail: { patientId: sos.patient.id } });
    return dto(ctx, sos);
  });
}

/**
 * Closes it with an outcome: the clinician who acknowledged it, or an admin (who may also close one still
 * open, a false alarm say). Another clinician: CONFLICT `sos-acknowledged`; one not yet taken: `sos-not-acknowledged`.
 */
export async function resolveSos(ctx: AuthedCtx, { id, outcome, note }: ResolveSosInput) {
  return ctx.em.transactional(async (em) => {
    const sos = await lockedSos(em, ctx, id);
    if (ctx.actor.role !== 'admin') {
      if (sos.status === 'open') throw new AppError('CONFLICT', 'Acknowledge the SOS request before resolving it', 'sos-not-acknowledged');
      if (sos.acknowledgedBy !== ctx.actor.userId) throw new AppError('CONFLICT', 'Another clinician has taken this SOS request: they or an admin resolve it', 'sos-acknowledged');
    }
    Object.assign(sos, {
      status: 'resolved',
      resolvedBy: ctx.actor.userId,
      resolvedAt: ctx.clock.now(),
      outcome,
      outcomeNoteCiphertext: note ? sealOutcomeNote(ctx.config.encryptionKeys, sos, note) : null,
    });
    await publishChange(ctx, em, sos, 'resolved');
    recordAudit({ ...ctx, em }, { action: 'sos.resolved', entityType: 'sos', entityId: id, detail: { patientId: sos.patient.id, outcome } });
    return dto(ctx, sos);
  });
}

export async function getSos(ctx: AuthedCtx, { id }: IdInput) {
  const sos = await ctx.em.findOne(SosRequest, { $and: [{ id }, visibleSos(ctx.actor)] });
  if (!sos) throw notFound('SOS request');
  await auditRead(ctx, { action: 'sos.read', entityType: 'sos', entityId: id, detail: { patientId: sos.patient.id } });
  return dto(ctx, sos);
}

/** Staff's SOS (those of patients they see, and those sent to them), or a patient's own and their dependents': newest first. */
export async function listSos(ctx: AuthedCtx, input: ListSosInput) {
  if (input.patientId) await findVisiblePatient(ctx.em, ctx.actor, input.patientId);
  const { where, orderBy } = keyset(input.cursor, sort);
  const filters = { ...(input.status && { status: input.status }), ...(input.patientId && { patient: input.patientId }) };
  const rows = await ctx.em.find(SosRequest, { $and: [where, visibleSos(ctx.actor), filters] }, { orderBy, limit: input.limit + 1 });
  const page = toPage(rows, input.limit, sort, (s) => dto(ctx, s));
  await auditRead(ctx, { action: 'sos.listed', entityType: 'sos', detail: { results: page.items.length, ids: page.items.map((s) => s.id).join(',') } });
  return page;
}
