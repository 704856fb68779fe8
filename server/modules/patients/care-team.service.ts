import { LockMode } from '@mikro-orm/core';
import type { CareTeamInput, PatientIdInput } from '../../../shared/schemas/patients.ts';
import type { AuthedCtx } from '../../context.ts';
import { AppError, notFound } from '../../errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { toUserDto } from '../users/user.dto.ts';
import { User } from '../users/user.entity.ts';
import { CareTeamMember } from './care-team-member.entity.ts';
import { findVisiblePatient, findWritablePatient } from './patient-access.ts';

export async function listCareTeam(ctx: AuthedCtx, { patientId }: PatientIdInput) {
  await findVisiblePatient(ctx.em, ctx.actor, patientId);
  const members = await ctx.em.find(CareTeamMember, { patient: patientId }, { populate: ['clinician'], orderBy: { createdAt: 'asc' } });
  return members.map((m) => toUserDto(m.clinician));
}

/** An admin, or a clinician already caring for the patient, adds an active clinician of the practice. */
export async function addToCareTeam(ctx: AuthedCtx, { patientId, clinicianId }: CareTeamInput) {
  await findWritablePatient(ctx.em, ctx.actor, patientId);
  const clinician = await ctx.em.findOne(User, { id: clinicianId, role: 'clinician' });
  if (!clinician) throw notFound('Clinician');
  if (clinician.status !== 'active') throw new AppError('CONFLICT', 'Only an active clinician can join a care team');
  await joinCareTeam(ctx, patientId, clinician);
  await ctx.em.flush();
  return listCareTeam(ctx, { patientId });
}

/**
 * Puts the clinician on the patient's care team unless they are on it, with its audit row; the caller
 * checks who may do so and flushes. Two transactions racing to add the same pair meet the unique key:
 * one of them fails, and may be retried.
 */
export async function joinCareTeam(ctx: AuthedCtx, patientId: string, clinician: User): Promise<void> {
  if (await ctx.em.count(CareTeamMember, { patient: patientId, clinician })) return;
  ctx.em.create(CareTeamMember, { practice: ctx.actor.practiceId, patient: patientId, clinician });
  recordAudit(ctx, { action: 'care-team.added', entityType: 'patient', entityId: patientId, detail: { clinicianId: clinician.id } });
}

export async function removeFromCareTeam(ctx: AuthedCtx, { patientId, clinicianId }: CareTeamInput) {
  await findWritablePatient(ctx.em, ctx.actor, patientId);
  const removed = await ctx.em.nativeDelete(CareTeamMember, { patient: patientId, clinician: clinicianId });
  if (!removed) throw notFound('Care team member');
  recordAudit(ctx, { action: 'care-team.removed', entityType: 'patient', entityId: patientId, detail: { clinicianId } });
  await ctx.em.flush();
  return { ok: true as const };
}

/**
 * A patient, or a guardian for a dependent, leaves a clinician's care. Not the last clinician's: a patient
 * with no care team is followed by no clinician (nobody sees their alerts), so they choose another first
 * (careRequests.create); staff still remove anyone (removeFromCareTeam). The patient's row is locked, so
 * two departures at once cannot leave the team empty.
 */
export async function leaveCareTeam(ctx: AuthedCtx, { patientId, clinicianId }: CareTeamInput) {
  await ctx.em.transactional(async (em) => {
    const patient = await findWritablePatient(em, ctx.actor, patientId, LockMode.PESSIMISTIC_WRITE);
    if (!(await em.count(CareTeamMember, { patient, clinician: clinicianId }))) throw notFound('Care team member');
    if (!(await em.count(CareTeamMember, { patient, clinician: { $ne: clinicianId } }))) {
      throw new AppError('CONFLICT', 'This is the only clinician caring for the patient: ask another clinician to take you on before leaving', 'last-care-team-member');
    }
    await em.nativeDelete(CareTeamMember, { patient, clinician: clinicianId });
    recordAudit({ ...ctx, em }, { action: 'care-team.left', entityType: 'patient', entityId: patientId, detail: { clinicianId } });
  });
  return { ok: true as const };
}
