import type { GuardianInput, InvitePatientInput } from '../../../shared/schemas/patients.ts';
import type { AuthedCtx } from '../../context.ts';
import { AppError, notFound } from '../../errors.ts';
import { auditRead, recordAudit } from '../audit/audit.service.ts';
import { issueInvite } from '../invites/invites.service.ts';
import { ClinicalRecord } from '../records/clinical-record.entity.ts';
import { recordsByKind } from '../records/records.service.ts';
import { Guardianship } from './guardianship.entity.ts';
import { findVisiblePatient, visiblePatients } from './patient-access.ts';
import { Patient } from './patient.entity.ts';

/** A clinician invites a patient to the portal, through the same invite flow as staff (role `patient`). */
export async function invitePatient(ctx: AuthedCtx, { patientId, email }: InvitePatientInput) {
  const patient = await findVisiblePatient(ctx.em, ctx.actor, patientId);
  if (patient.portalUser) throw new AppError('CONFLICT', 'This patient already has a portal account', 'portal-account-exists');
  const to = email ?? patient.email;
  if (!to) throw new AppError('BAD_REQUEST', 'The patient has no email: give one', null, { email: ['is required: the patient has no email on file'] });
  return issueInvite(ctx, { email: to, role: 'patient', patient });
}

/** The portal account of `guardianPatientId` may then act for `patientId` (a child, say). */
export async function addGuardian(ctx: AuthedCtx, { patientId, guardianPatientId }: GuardianInput) {
  const dependent = await findVisiblePatient(ctx.em, ctx.actor, patientId);
  const guardian = await findVisiblePatient(ctx.em, ctx.actor, guardianPatientId);
  if (!guardian.portalUser) throw new AppError('CONFLICT', 'The guardian needs a portal account first', 'no-portal-account');
  if (!(await ctx.em.count(Guardianship, { dependent, guardian: guardian.portalUser }))) {
    ctx.em.create(Guardianship, { practice: ctx.actor.practiceId, dependent, guardian: guardian.portalUser });
    recordAudit(ctx, { action: 'guardian.added', entityType: 'patient', entityId: patientId, detail: { guardianPatientId } });
    await ctx.em.flush();
  }
  return { ok: true as const };
}

export async function removeGuardian(ctx: AuthedCtx, { patientId, guardianPatientId }: GuardianInput) {
  await findVisiblePatient(ctx.em, ctx.actor, patientId);
  const guardian = await findVisiblePatient(ctx.em, ctx.actor, guardianPatientId);
  const removed = guardian.portalUser ? await ctx.em.nativeDelete(Guardianship, { dependent: patientId, guardian: guardian.portalUser }) : 0;
  if (!removed) throw notFound('Guardianship');
  recordAudit(ctx, { action: 'guardian.removed', entityType: 'patient', entityId: patientId, detail: { guardianPatientId } });
  await ctx.em.flush();
  return { ok: true as const };
}

/**
 * What a patient sees in the portal, for themself and each dependent: demographics and the active parts
 * of the record. Nothing entered in error, no revision history, no care-team internals.
 */
export async function portalRecords(ctx: AuthedCtx) {
  const patients = await ctx.em.find(Patient, visiblePatients(ctx.actor), { orderBy: { sortName: 'asc', id: 'asc' } });
  const records = await ctx.em.find(
    ClinicalRecord,
    { patient: { $in: patients }, kind: { $in: ['allergy', 'medication', 'condition', 'observation'] }, status: { $ne: 'entered-in-error' } },
    { orderBy: { occurredAt: 'desc', id: 'desc' } },
  );
  await auditRead(ctx, { action: 'portal.records-read', entityType: 'patient', detail: { patients: patients.map((p) => p.id).join(',') } });
  return patients.map((p) => {
    const { allergies, medications, conditions, observations } = recordsByKind(records.filter((r) => r.patient.id === p.id));
    return {
      patient: { id: p.id, givenName: p.givenName, familyName: p.familyName, birthDate: p.birthDate, self: p.portalUser?.id === ctx.actor.userId },
      allergies,
      medications,
      conditions,
      observations,
    };
  });
}
