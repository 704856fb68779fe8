import { UniqueConstraintViolationException, type DriverException, type FilterQuery } from '@mikro-orm/core';
import type { IdInput } from '../../../shared/schemas/common.ts';
import { calendarDate, type CreatePatientInput, type SearchPatientsInput, type UpdatePatientInput } from '../../../shared/schemas/patients.ts';
import type { AuthedCtx } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { keyset, toPage, type SortKey } from '../../pagination.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { Practice } from '../practices/practice.entity.ts';
import { assertRole } from '../users/roles.ts';
import { CareTeamMember } from './care-team-member.entity.ts';
import { findVisiblePatient, visiblePatients } from './patient-access.ts';
import { newMrn } from './mrn.ts';
import { toPatientDto } from './patient.dto.ts';
import { Patient } from './patient.entity.ts';
import { containing, foldForSearch, patientNameKeys, phoneDigits } from './search-text.ts';

const byName: SortKey[] = [{ field: 'sortName', dir: 'asc' }];

const mrnTaken = (mrn: string) => new AppError('CONFLICT', `MRN ${mrn} is already in use in this practice`, 'mrn-taken');

async function assertMrnFree(ctx: AuthedCtx, mrn: string, exceptId?: string) {
  if (await ctx.em.count(Patient, { mrn, ...(exceptId && { id: { $ne: exceptId } }) })) throw mrnTaken(mrn);
}

/** The check above answers the common case; two writes racing for one MRN meet the unique constraint here. */
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
  await flushWithMrn(ctx, mrn);
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
  await flushWithMrn(ctx, patient.mrn);
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

const DATE_SHAPE = /^\d{4}-\d{2}-\d{2}$/;

/** An MRN matches whole, in any case: MRNs are stored upper-case, so this is an equality the unique index serves. */
const mrnIs = (term: string): FilterQuery<Patient> => ({ mrn: term.toUpperCase() });

/**
 * The terms of one query string, split on spaces, except that a run of number-like words is one term:
 * "murphy 087 123 4567" is a name and a phone number, not a name and three numbers.
 */
function queryTerms(query: string): string[] {
  const terms: string[] = [];
  let inNumber = false;
  for (const word of query.split(/\s+/).filter(Boolean)) {
    const numberLike = /^[\d()+.-]+$/.test(word) && /\d/.test(word) && !DATE_SHAPE.test(word);
    if (numberLike && inNumber) terms[terms.length - 1] += ` ${word}`;
    else terms.push(word);
    inNumber = numberLike;
  }
  return terms;
}

/** Terms of one query string: a birth date, an email, phone digits or an MRN, or part of a name. */
function queryTerm(term: string): FilterQuery<Patient> {
  // A date-shaped term that is no date ("2024-02-30") is not a birth date; PostgreSQL would refuse it.
  if (DATE_SHAPE.test(term) && calendarDate.safeParse(term).success) return { birthDate: term };
  if (term.includes('@')) return { email: { $like: containing(term.toLowerCase()) } };
  const digits = phoneDigits(term);
  if (/^[\d\s()+.-]+$/.test(term) && digits.length >= 4) return { $or: [{ phoneDigits: { $like: containing(digits.replace(/^0+/, '')) } }, mrnIs(term)] };
  return { $or: [{ searchName: { $like: containing(foldForSearch(term)) } }, mrnIs(term)] };
}

export async function searchPatients(ctx: AuthedCtx, input: SearchPatientsInput) {
  const terms: FilterQuery<Patient>[] = [
    ...queryTerms(input.query ?? '').map(queryTerm),
    ...(input.name ?? '').split(/\s+/).filter(Boolean).map((w) => ({ searchName: { $like: containing(foldForSearch(w)) } })),
    ...(input.mrn ? [mrnIs(input.mrn)] : []),
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
