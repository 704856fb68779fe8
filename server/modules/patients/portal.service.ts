import type { GuardianInput, InvitePatientInput, PortalPatientOutput, UpdateProfileInput } from '../../../shared/schemas/patients.ts';
import type { AuthedCtx } from '../../context.ts';
import { AppError, notFound } from '../../errors.ts';
import { auditRead, recordAudit } from '../audit/audit.service.ts';
import { replacePhoto } from '../files/file-claim.ts';
import { issueInvite } from '../invites/invites.service.ts';
import { ClinicalRecord } from '../records/clinical-record.entity.ts';
import { recordsByKind } from '../records/records.service.ts';
import { Guardianship } from './guardianship.entity.ts';
import { findWritablePatient, visiblePatients } from './patient-access.ts';
import { toPatientDto } from './patient.dto.ts';
import { Patient } from './patient.entity.ts';
import { revisePatient } from './patient-revisions.ts';

/** A clinician invites a patient to the portal, through the same invite flow as staff (role `patient`). */
export async function invitePatient(ctx: AuthedCtx, { patientId, email }: InvitePatientInput) {
  const patient = await findWritablePatient(ctx.em, ctx.actor, patientId);
  if (patient.portalUser) throw new AppError('CONFLICT', 'This patient already has a portal account', 'portal-account-exists');
  const to = email ?? patient.email;
  if (!to) throw new AppError('BAD_REQUEST', 'The patient has no email: give one', null, { email: ['is required: the patient has no email on file'] });
  return issueInvite(ctx, { email: to, role: 'patient', patient });
}

/** The portal account of `guardianPatientId` may then act for `patientId` (a child, say). */
export async function addGuardian(ctx: AuthedCtx, { patientId, guardianPatientId }: GuardianInput) {
  const dependent = await findWritablePatient(ctx.em, ctx.actor, patientId);
  const guardian = await findWritablePatient(ctx.em, ctx.actor, guardianPatientId);
  if (!guardian.portalUser) throw new AppError('CONFLICT', 'The guardian needs a portal account first', 'no-portal-account');
  if (!(await ctx.em.count(Guardianship, { dependent, guardian: guardian.portalUser }))) {
    ctx.em.create(Guardianship, { practice: ctx.actor.practiceId, dependent, guardian: guardian.portalUser });
    recordAudit(ctx, { action: 'guardian.added', entityType: 'patient', entityId: patientId, detail: { guardianPatientId } });
    await ctx.em.flush();
  }
  return { ok: true as const };
}

export async function removeGuardian(ctx: AuthedCtx, { patientId, guardianPatientId }: GuardianInput) {
  await findWritablePatient(ctx.em, ctx.actor, patientId);
  const guardian = await findWritablePatient(ctx.em, ctx.actor, guardianPatientId);
  const removed = guardian.portalUser ? await ctx.em.nativeDelete(Guardianship, { dependent: patientId, guardian: guardian.portalUser }) : 0;
  if (!removed) throw notFound('Guardianship');
  recordAudit(ctx, { action: 'guardian.removed', entityType: 'patient', entityId: patientId, detail: { guardianPatientId } });
  await ctx.em.flush();
  return { ok: true as const };
}

/** The portal's view of a patient: who they are, and the contact details they may change (updateProfile). */
function toPortalPatient(ctx: AuthedCtx, p: Patient): PortalPatientOutput {
  const { id, givenName, familyName, birthDate, email, phone, address, preferredLanguage, emergencyContact, photo } = toPatientDto(p);
  return { id, givenName, familyName, birthDate, email, phone, address, preferredLanguage, emergencyContact, photo, self: p.portalUser?.id === ctx.actor.userId };
}

/**
 * What a patient sees in the portal, for themself and each dependent: who they are, their contact
 * details, and every kind of entry of the record (history included) except those entered in error.
 * No revision history, no care-team internals.
 */
export async function portalRecords(ctx: AuthedCtx) {
  const patients = await ctx.em.find(Patient, visiblePatients(ctx.actor), { orderBy: { sortName: 'asc', id: 'asc' } });
  const records = await ctx.em.find(ClinicalRecord, { patient: { $in: patients }, status: { $ne: 'entered-in-error' } }, { orderBy: { occurredAt: 'desc', id: 'desc' } });
  await auditRead(ctx, { action: 'portal.records-read', entityType: 'patient', detail: { patients: patients.map((p) => p.id).join(',') } });
  return patients.map((p) => ({ patient: toPortalPatient(ctx, p), ...recordsByKind(records.filter((r) => r.patient.id === p.id)) }));
}

/**
 * A patient (or their guardian) changes the record's contact details; the input schema admits nothing
 * else. `email` is where the practice writes to (reminders): the portal account's login email is the
 * account's own and does not follow it. A photo replaced is released (file-claim.ts). Audited, with the
 * before and after of the contact details in the patient's revisions.
 */
export async function updateProfile(ctx: AuthedCtx, { patientId, photoFileId, ...changes }: UpdateProfileInput) {
  const patient = await findWritablePatient(ctx.em, ctx.actor, patientId);
  revisePatient(ctx, patient, changes, 'portal');
  patient.photoFile = await replacePhoto(ctx.em, ctx.actor, ctx.clock.now(), patient.photoFile, { fileId: photoFileId, purpose: 'patient-photo' });
  const fields = [...Object.keys(changes), ...(photoFileId !== undefined ? ['photoFileId'] : [])];
  recordAudit(ctx, { action: 'patient.profile-updated', entityType: 'patient', entityId: patientId, detail: { fields: fields.join(',') } });
  await ctx.em.flush();
  return toPortalPatient(ctx, patient);
}
