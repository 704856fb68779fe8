import { UniqueConstraintViolationException, type DriverException } from '@mikro-orm/core';
import type { IdInput } from '../../../shared/schemas/common.ts';
import type { CreatePatientInput, SearchPatientsInput, UpdatePatientInput } from '../../../shared/schemas/patients.ts';
import type { AuthedCtx } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { toPage } from '../../pagination.ts';
import { auditRead, recordAudit } from '../audit/audit.service.ts';
import { replacePhoto } from '../files/file-claim.ts';
import { CareTeamMember } from './care-team-member.entity.ts';
import { findVisiblePatient, findWritablePatient } from './patient-access.ts';
import { newMrn } from './mrn.ts';
import { revisePatient } from './patient-revisions.ts';
import { byName, findPatientsPage } from './patient-search.ts';
import { toPatientDto } from './patient.dto.ts';
import { Patient } from './patient.entity.ts';
import { patientSearchKeys } from './search-text.ts';

const mrnTaken = (mrn: string) => new AppError('CONFLICT', `MRN ${mrn} is already in use in this practice`, 'mrn-taken');

/**
 * An MRN is free when its write passes the unique constraint: that settles two writes racing for one MRN,
 * and a check before the write would cost every registration a round trip for the rare case.
 */
async function flushWithMrn(ctx: AuthedCtx, mrn: string) {
  try {
    await ctx.em.flush();
  } catch (e) {
    if (e instanceof UniqueConstraintViolationException && (e as DriverException & { constraint?: string }).constraint === 'patient_practice_id_mrn_unique') throw mrnTaken(mrn);
    throw e;
  }
}

/** A clinician who registers a patient joins their care team, or they could not see them afterwards. */
export async function createPatient(ctx: AuthedCtx, input: CreatePatientInput) {
  const mrn = input.mrn ?? newMrn();
  const patient = ctx.em.create(Patient, {
    ...input,
    practice: ctx.actor.practiceId,
    mrn,
    timeZone: input.timeZone ?? ctx.actor.identity.practice.timeZone,
    ...patientSearchKeys(input),
  });
  if (ctx.actor.role === 'clinician') ctx.em.create(CareTeamMember, { practice: ctx.actor.practiceId, patient, clinician: ctx.actor.userId });
  recordAudit(ctx, { action: 'patient.created', entityType: 'patient', entityId: patient.id });
  await flushWithMrn(ctx, mrn);
  return toPatientDto(patient);
}

export async function getPatient(ctx: AuthedCtx, { id }: IdInput) {
  const patient = await findVisiblePatient(ctx.em, ctx.actor, id);
  await auditRead(ctx, { action: 'patient.read', entityType: 'patient', entityId: id });
  return toPatientDto(patient);
}

export async function updatePatient(ctx: AuthedCtx, { id, photoFileId, ...changes }: UpdatePatientInput) {
  const patient = await findWritablePatient(ctx.em, ctx.actor, id);
  revisePatient(ctx, patient, changes, 'staff');
  patient.photoFile = await replacePhoto(ctx.em, ctx.actor, ctx.clock.now(), patient.photoFile, { fileId: photoFileId, purpose: 'patient-photo' });
  const fields = [...Object.keys(changes), ...(photoFileId !== undefined ? ['photoFileId'] : [])];
  recordAudit(ctx, { action: 'patient.updated', entityType: 'patient', entityId: id, detail: { fields: fields.join(',') } });
  await flushWithMrn(ctx, patient.mrn);
  return toPatientDto(patient);
}

/** PHI is never hard-deleted: archiving hides a patient from default lists, restoring brings them back. */
export async function setPatientStatus(ctx: AuthedCtx, { id }: IdInput, status: 'active' | 'archived') {
  const patient = await findWritablePatient(ctx.em, ctx.actor, id);
  if (patient.status !== status) {
    patient.status = status;
    recordAudit(ctx, { action: status === 'archived' ? 'patient.archived' : 'patient.restored', entityType: 'patient', entityId: id });
    await ctx.em.flush();
  } else {
    // Nothing changed, but the patient is read back: a read of PHI, audited as one.
    await auditRead(ctx, { action: 'patient.read', entityType: 'patient', entityId: id });
  }
  return toPatientDto(patient);
}

export async function searchPatients(ctx: AuthedCtx, input: SearchPatientsInput) {
  const page = toPage(await findPatientsPage(ctx, input), input.limit, byName, toPatientDto);
  await auditRead(ctx, { action: 'patient.searched', entityType: 'patient', detail: { results: page.items.length, ids: page.items.map((p) => p.id).join(',') } });
  return page;
}
