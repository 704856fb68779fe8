import { isDeepStrictEqual } from 'node:util';
import type { IdInput } from '../../../shared/schemas/common.ts';
import type { patientHistoryOutput, UpdatePatientInput } from '../../../shared/schemas/patients.ts';
import type { z } from 'zod';
import type { PatientRevisionSource } from '../../../shared/enums.ts';
import type { AuthedCtx } from '../../context.ts';
import { auditRead } from '../audit/audit.service.ts';
import { findVisiblePatient } from './patient-access.ts';
import { patientColumn, type PatientColumnProperty } from './patient-columns.ts';
import { toPatientDto } from './patient.dto.ts';
import type { Patient } from './patient.entity.ts';
import { PatientRevision } from './patient-revision.entity.ts';
import { patientSearchKeys } from './search-text.ts';

/** The photo is not a detail with a revision: it is set apart (file-claim.ts's replacePhoto). */
type Changes = Omit<UpdatePatientInput, 'id' | 'photoFileId'>;

/**
 * Applies `changes` to the patient (null clears a field, an absent one is kept), derives the search keys
 * again, and keeps a revision of the fields whose value changed, before and after, as the patient DTO
 * has them. A change to nothing leaves no revision. The caller audits and flushes.
 */
export function revisePatient(ctx: AuthedCtx, patient: Patient, changes: Changes, source: 'staff' | 'portal') {
  const before = toPatientDto(patient);
  ctx.em.assign(patient, changes);
  Object.assign(patient, patientSearchKeys(patient));
  const after = toPatientDto(patient);
  const changed = (Object.keys(changes) as (keyof Changes)[]).filter((k) => !isDeepStrictEqual(before[k], after[k]));
  if (!changed.length) return;
  const pick = (dto: typeof before) => Object.fromEntries(changed.map((k) => [k, dto[k]]));
  ctx.em.create(PatientRevision, { practice: ctx.actor.practiceId, patientId: patient.id, changedBy: ctx.actor.userId, source, before: pick(before), after: pick(after) });
}

/** The revised fields the hand-written writes (CSV imports, HL7 ADT) set, as the patient DTO has them. */
const WRITTEN_REVISED = [
  'mrn',
  'givenName',
  'middleNames',
  'familyName',
  'birthDate',
  'gender',
  'email',
  'phone',
  'address',
  'preferredLanguage',
  'timeZone',
] as const satisfies PatientColumnProperty[];

/** Those fields of the patient row `row` as one jsonb object under their DTO names: `old` or `new` in an update's RETURNING. */
export const revisedFieldsSql = (row: string) => `jsonb_build_object(${WRITTEN_REVISED.map((k) => `'${k}', ${row}.${patientColumn[k]}`).join(', ')})`;

/**
 * revisePatient's revision, for a hand-written statement that updates patients: CTE `name` keeps one for
 * each row of `changed` (columns `id`, `before` and `after`, both revisedFieldsSql) whose fields differ,
 * with only the fields that changed. `writer` is the statement's relation with `practice_id` and
 * `actor_id`; `ref` the SQL of the import's id or the message's control id.
 */
export function revisionCte(name: string, changed: string, source: Exclude<PatientRevisionSource, 'staff' | 'portal'>, ref: string, writer = 'args'): string {
  const only = (side: string, other: string) => `(select jsonb_object_agg(f.key, f.value) from jsonb_each(c.${side}) f where f.value is distinct from c.${other} -> f.key)`;
  return `${name} as (
       insert into patient_revision (id, practice_id, patient_id, changed_by, changed_at, source, source_ref, before, after)
       select uuidv7(), ${writer}.practice_id, c.id, ${writer}.actor_id, now(), '${source}', ${ref}, ${only('before', 'after')}, ${only('after', 'before')}
       from ${changed} c, ${writer} where c.before is distinct from c.after)`;
}

/** Every change to a patient's details, oldest first, with where it came from. */
export async function patientHistory(ctx: AuthedCtx, { id }: IdInput): Promise<z.infer<typeof patientHistoryOutput>> {
  await findVisiblePatient(ctx.em, ctx.actor, id);
  const revisions = await ctx.em.find(PatientRevision, { patientId: id }, { orderBy: { changedAt: 'asc', id: 'asc' } });
  await auditRead(ctx, { action: 'patient.history-read', entityType: 'patient', entityId: id });
  return revisions.map((r) => ({ id: r.id, changedBy: r.changedBy, changedAt: r.changedAt.toISOString(), source: r.source, sourceRef: r.sourceRef ?? null, before: r.before, after: r.after }));
}
