import type { FilterQuery } from '@mikro-orm/core';
import { encodeBase32UpperCaseNoPadding } from '@oslojs/encoding';
import type { IdInput } from '../../../shared/schemas/common.ts';
import type { CreatePatientInput, SearchPatientsInput, UpdatePatientInput } from '../../../shared/schemas/patients.ts';
import type { AuthedCtx } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { keyset, toPage, type SortKey } from '../../pagination.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { Practice } from '../practices/practice.entity.ts';
import { assertRole } from '../users/roles.ts';
import { CareTeamMember } from './care-team-member.entity.ts';
import { findVisiblePatient, visiblePatients } from './patient-access.ts';
import { toPatientDto } from './patient.dto.ts';
import { Patient } from './patient.entity.ts';
import { containing, foldForSearch, patientNameKeys, phoneDigits } from './search-text.ts';

const byName: SortKey[] = [{ field: 'sortName', dir: 'asc' }];

const newMrn = () => `M${encodeBase32UpperCaseNoPadding(crypto.getRandomValues(new Uint8Array(5)))}`;

async function assertMrnFree(ctx: AuthedCtx, mrn: string, exceptId?: string) {
  if (await ctx.em.count(Patient, { mrn, ...(exceptId && { id: { $ne: exceptId } }) })) {
    throw new AppError('CONFLICT', `MRN ${mrn} is already in use in this practice`, 'mrn-taken');
  }
}

/** A clinician who registers a patient joins their care team, or they could not see them afterwards. */
export async function createPatient(ctx: AuthedCtx, input: CreatePatientInput) {
  assertRole(ctx.actor, 'admin', 'clinician');
  const practice = await ctx.em.findOneOrFail(Practice, { id: ctx.actor.practiceId });
  const mrn = input.mrn ?? newMrn();
  await assertMrnFree(ctx, mrn);
  const patient = ctx.em.create(Patient, {
    ...input,
    practice,
    mrn,
    timeZone: input.timeZone ?? practice.timeZone,
    ...patientNameKeys(input.givenName, input.familyName),
    phoneDigits: input.phone ? phoneDigits(input.phone) : null,
  });
  if (ctx.actor.role === 'clinician') ctx.em.create(CareTeamMember, { practice, patient, clinician: ctx.actor.userId });
  recordAudit(ctx, { action: 'patient.created', entityType: 'patient', entityId: patient.id });
  await ctx.em.flush();
  return toPatientDto(patient);
}

export async function getPatient(ctx: AuthedCtx, { id }: IdInput) {
  const patient = await findVisiblePatient(ctx.em, ctx.actor, id);
  recordAudit(ctx, { action: 'patient.read', entityType: 'patient', entityId: id });
  await ctx.em.flush();
  return toPatientDto(patient);
}

export async function updatePatient(ctx: AuthedCtx, { id, ...changes }: UpdatePatientInput) {
  assertRole(ctx.actor, 'admin', 'clinician');
  const patient = await findVisiblePatient(ctx.em, ctx.actor, id);
  if (changes.mrn && changes.mrn !== patient.mrn) await assertMrnFree(ctx, changes.mrn, id);
  ctx.em.assign(patient, changes);
  Object.assign(patient, patientNameKeys(patient.givenName, patient.familyName), { phoneDigits: patient.phone ? phoneDigits(patient.phone) : null });
  recordAudit(ctx, { action: 'patient.updated', entityType: 'patient', entityId: id, detail: { fields: Object.keys(changes).join(',') } });
  await ctx.em.flush();
  return toPatientDto(patient);
}

/** PHI is never hard-deleted: archiving hides a patient from default lists, restoring brings them back. */
export async function setPatientStatus(ctx: AuthedCtx, { id }: IdInput, status: 'active' | 'archived') {
  assertRole(ctx.actor, 'admin', 'clinician');
  const patient = await findVisiblePatient(ctx.em, ctx.actor, id);
  if (patient.status !== status) {
    patient.status = status;
    recordAudit(ctx, { action: status === 'archived' ? 'patient.archived' : 'patient.restored', entityType: 'patient', entityId: id });
    await ctx.em.flush();
  }
  return toPatientDto(patient);
}

/** Terms of one query string: a birth date, an email, phone digits or an MRN, or part of a name. */
function queryTerm(term: string): FilterQuery<Patient> {
  if (/^\d{4}-\d{2}-\d{2}$/.test(term)) return { birthDate: term };
  if (term.includes('@')) return { email: { $like: containing(term.toLowerCase()) } };
  const digits = phoneDigits(term);
  if (/^[\d\s()+.-]+$/.test(term) && digits.length >= 4) return { $or: [{ phoneDigits: { $like: containing(digits.replace(/^0+/, '')) } }, { mrn: { $ilike: term } }] };
  return { $or: [{ searchName: { $like: containing(foldForSearch(term)) } }, { mrn: { $ilike: term } }] };
}

export async function searchPatients(ctx: AuthedCtx, input: SearchPatientsInput) {
  const terms: FilterQuery<Patient>[] = [
    ...(input.query ?? '').split(/\s+/).filter(Boolean).map(queryTerm),
    ...(input.name ?? '').split(/\s+/).filter(Boolean).map((w) => ({ searchName: { $like: containing(foldForSearch(w)) } })),
    ...(input.mrn ? [{ mrn: { $ilike: input.mrn } }] : []),
    ...(input.email ? [{ email: input.email.toLowerCase() }] : []),
    ...(input.phone && phoneDigits(input.phone) ? [{ phoneDigits: { $like: containing(phoneDigits(input.phone).replace(/^0+/, '')) } }] : []),
    ...(input.birthDate ? [{ birthDate: input.birthDate }] : []),
  ];
  const { where, orderBy } = keyset(input.cursor, byName);
  const rows = await ctx.em.find(Patient, { $and: [where, visiblePatients(ctx.actor), { status: input.status }, ...terms] }, { orderBy, limit: input.limit + 1 });
  const page = toPage(rows, input.limit, byName, toPatientDto);
  recordAudit(ctx, { action: 'patient.searched', entityType: 'patient', detail: { results: page.items.length, ids: page.items.map((p) => p.id).join(',') } });
  await ctx.em.flush();
  return page;
}
