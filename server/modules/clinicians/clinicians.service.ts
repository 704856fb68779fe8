import type { IdInput } from '../../../shared/schemas/common.ts';
import type { ClinicianOutput, ClinicianPublicOutput, ListCliniciansInput, UpdateClinicianProfileInput } from '../../../shared/schemas/clinicians.ts';
import type { PatientIdInput } from '../../../shared/schemas/patients.ts';
import type { Actor, AuthedCtx } from '../../context.ts';
import { AppError, notFound } from '../../errors.ts';
import { decodeCursor, toPage, type SortKey } from '../../pagination.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { replacePhoto } from '../files/file-claim.ts';
import { findVisiblePatient, type SqlCondition } from '../patients/patient-access.ts';
import { containing } from '../patients/search-text.ts';
import { User } from '../users/user.entity.ts';
import { toClinicianColleagueDto, toClinicianPublicDto, type DirectoryRow } from './clinician.dto.ts';
import { ClinicianProfile } from './clinician-profile.entity.ts';
import { practitionerSql } from './practitioner-sql.ts';

const byName: SortKey[] = [{ field: 'sortName', dir: 'asc' }];
const SORT_NAME = `lower(coalesce(cp.display_name, u.name, ''))`;

/**
 * The directory's entries. Plain SQL, as the FHIR export reads them: the ORM cannot join users to the
 * profiles that point at them, so the practice is named here rather than by the filter.
 */
const DIRECTORY = `select u.id, u.email, u.name, u.role, cp.display_name as "displayName", cp.title, cp.specialty_name as "specialtyName",
  cp.specialty_code as "specialtyCode", coalesce(cp.languages, '[]') as languages, cp.registration_system as "registrationSystem",
  cp.registration_value as "registrationValue", cp.registration_issuer as "registrationIssuer", cp.bio,
  coalesce(cp.accepts_new_patients, false) as "acceptsNewPatients", cp.phone, cp.photo_file_id as "photoFileId", ${SORT_NAME} as "sortName"
  from users u left join clinician_profile cp on cp.user_id = u.id
  where u.practice_id = ? and u.status = 'active' and ${practitionerSql('u', 'cp')}`;

function readDirectory(ctx: AuthedCtx, conditions: SqlCondition[], limit: number): Promise<DirectoryRow[]> {
  const sql = `${DIRECTORY}${conditions.map((c) => ` and ${c.sql}`).join('')} order by "sortName", u.id limit ?`;
  return ctx.em.getConnection().execute<DirectoryRow[]>(sql, [ctx.actor.practiceId, ...conditions.flatMap((c) => c.params), limit]);
}

/** Colleagues see how to reach each other; a patient sees the public entry only. */
const toDto = (actor: Actor): ((row: DirectoryRow) => ClinicianOutput) => (actor.role === 'patient' ? toClinicianPublicDto : toClinicianColleagueDto);

function filters(input: ListCliniciansInput): SqlCondition[] {
  const conditions: SqlCondition[] = [];
  if (input.query) conditions.push({ sql: `${SORT_NAME} like ?`, params: [containing(input.query.toLowerCase())] });
  if (input.specialty) conditions.push({ sql: '(lower(cp.specialty_name) = ? or cp.specialty_code = ?)', params: [input.specialty.toLowerCase(), input.specialty] });
  // BCP 47 basic filtering (RFC 4647): `en` matches `en` and `en-IE`; a tag holds no LIKE wildcard.
  if (input.language) {
    const tag = input.language.toLowerCase();
    conditions.push({ sql: 'exists (select 1 from jsonb_array_elements_text(cp.languages) l(tag) where lower(l.tag) = ? or lower(l.tag) like ?)', params: [tag, `${tag}-%`] });
  }
  if (input.acceptsNewPatients !== undefined) conditions.push({ sql: 'coalesce(cp.accepts_new_patients, false) = ?', params: [input.acceptsNewPatients] });
  return conditions;
}

export async function listClinicians(ctx: AuthedCtx, input: ListCliniciansInput) {
  const conditions = filters(input);
  if (input.cursor) {
    const after = decodeCursor(input.cursor, byName);
    conditions.push({ sql: `(${SORT_NAME}, u.id) > (?, ?::uuid)`, params: [after[0], after.id] });
  }
  const rows = await readDirectory(ctx, conditions, input.limit + 1);
  return toPage(rows, input.limit, byName, toDto(ctx.actor));
}

export async function getClinician(ctx: AuthedCtx, { id }: IdInput): Promise<ClinicianOutput> {
  const [row] = await readDirectory(ctx, [{ sql: 'u.id = ?', params: [id] }], 1);
  if (!row) throw notFound('Clinician');
  return toDto(ctx.actor)(row);
}

/** More than any care team holds: a care team is read in one page. */
const CARE_TEAM_LIMIT = 1000;

/**
 * The clinicians on a patient's care team, as the directory shows them to a patient: the public entry
 * only (the portal's view; staff read careTeams.list). Deactivated clinicians are out of the directory,
 * and so out of this list.
 */
export async function careTeamDirectory(ctx: AuthedCtx, { patientId }: PatientIdInput): Promise<ClinicianPublicOutput[]> {
  await findVisiblePatient(ctx.em, ctx.actor, patientId);
  const onTeam = { sql: 'exists (select 1 from care_team_member m where m.patient_id = ? and m.clinician_id = u.id)', params: [patientId] };
  return (await readDirectory(ctx, [onTeam], CARE_TEAM_LIMIT)).map(toClinicianPublicDto);
}

/** The profile's columns an update may change, as stored: what the audit row compares. */
const profileColumns = (p: ClinicianProfile) => [
  p.displayName,
  p.title,
  p.specialtyName,
  p.specialtyCode,
  p.languages,
  p.registrationSystem,
  p.registrationValue,
  p.registrationIssuer,
  p.bio,
  p.acceptsNewPatients,
  p.phone,
  p.photoFile?.id ?? null,
];

/**
 * A clinician changes their own profile, an admin anyone's (giving an admin a profile puts them in the
 * directory). The first change creates the row. Audited with the names of the fields given, not their values.
 */
export async function updateClinicianProfile(ctx: AuthedCtx, { id, specialty, registration, photoFileId, ...fields }: UpdateClinicianProfileInput): Promise<ClinicianOutput> {
  if (ctx.actor.role !== 'admin' && id !== ctx.actor.userId) throw new AppError('FORBIDDEN', 'Clinicians change only their own profile');
  const user = await ctx.em.findOne(User, { id, status: 'active', role: { $in: ['clinician', 'admin'] } });
  if (!user) throw notFound('Clinician');
  const existing = await ctx.em.findOne(ClinicianProfile, { user });
  const profile = existing ?? ctx.em.create(ClinicianProfile, { practice: ctx.actor.practiceId, user });
  const before = JSON.stringify(profileColumns(profile));
  // The photo is the caller's upload, claimed by whoever sets it (an admin for someone else, too).
  profile.photoFile = await replacePhoto(ctx.em, ctx.actor, ctx.clock.now(), profile.photoFile, { fileId: photoFileId, purpose: 'clinician-photo' });
  Object.assign(profile, {
    ...fields,
    ...(specialty !== undefined && { specialtyName: specialty?.name ?? null, specialtyCode: specialty?.code?.code ?? null }),
    ...(registration !== undefined && { registrationSystem: registration?.system ?? null, registrationValue: registration?.value ?? null, registrationIssuer: registration?.issuer ?? null }),
  });
  if (!existing || JSON.stringify(profileColumns(profile)) !== before) {
    const given = Object.entries({ ...fields, specialty, registration, photoFileId })
      .filter(([, value]) => value !== undefined)
      .map(([key]) => key)
      .sort();
    recordAudit(ctx, { action: 'clinician.profile-updated', entityType: 'user', entityId: id, detail: { fields: given.join(','), created: !existing } });
    await ctx.em.flush();
  }
  return getClinician(ctx, { id });
}
