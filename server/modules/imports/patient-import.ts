import type { EntityManager } from '@mikro-orm/postgresql';
import type { ImportRowError } from '../../../shared/schemas/imports.ts';
import type { Actor } from '../../context.ts';
import { newId } from '../../ids.ts';
import { newMrn } from '../patients/mrn.ts';
import { auditCte } from '../audit/audit-sql.ts';
import { patientColumn, patientColumnType, type PatientColumnProperty } from '../patients/patient-columns.ts';
import { revisedFieldsSql, revisionCte } from '../patients/patient-revisions.ts';
import { patientNameKeys, phoneDigits } from '../patients/search-text.ts';
import { parsePatientRow } from './import-rows.ts';
import { pgArray } from '../../pg-array.ts';
import type { CommitAudit } from './commit-audit.ts';

type Row = { line: number; values: Record<string, string> };
type Existing = { id: string; mrn: string; external_id: string | null; middle_names: string[]; merged_into_mrn: string | null };

/**
 * Patient rows: each matches an existing patient by MRN or external id (an update) or is a new patient.
 * Staged with what the commit needs: the fields, the folded name keys, and the patient it updates.
 */
export async function stagePatientRows(em: EntityManager, actor: Actor, sessionId: string, rows: Row[]) {
  const errors: ImportRowError[] = [];
  const valid = rows.flatMap((r) => {
    const parsed = parsePatientRow(r.line, r.values);
    if (!parsed.ok) return (errors.push(...parsed.errors), []);
    return [{ line: r.line, ...parsed.row }];
  });
  const mrns = pgArray(valid.flatMap((r) => (r.fields.mrn ? [r.fields.mrn] : [])));
  const externalIds = pgArray(valid.flatMap((r) => (r.externalId ? [r.externalId] : [])));
  const existing = await em.execute<Existing[]>(
    `select p.id, p.mrn, p.external_id, p.middle_names, m.mrn as merged_into_mrn from patient p left join patient m on m.id = p.merged_into_id
     where p.practice_id = ? and (p.mrn = any(?::text[]) or p.external_id = any(?::text[]))`,
    [actor.practiceId, mrns, externalIds],
  );
  const byMrn = new Map(existing.map((p) => [p.mrn, p]));
  const byExternalId = new Map(existing.filter((p) => p.external_id).map((p) => [p.external_id!, p]));
  // Earlier rows of this import, in earlier batches and in this one: the same patient twice is an error.
  const earlier = await em.execute<{ line: number; mrn: string | null; external_id: string | null }[]>(
    'select line, mrn, external_id from import_row where session_id = ? and (mrn = any(?::text[]) or external_id = any(?::text[]))',
    [sessionId, mrns, externalIds],
  );
  const lineOfMrn = new Map(earlier.filter((r) => r.mrn).map((r) => [r.mrn!, r.line]));
  const lineOfExternalId = new Map(earlier.filter((r) => r.external_id).map((r) => [r.external_id!, r.line]));

  const staged = valid.flatMap((row) => {
    const { line, fields, externalId } = row;
    const mrn = fields.mrn ?? null;
    const fail = (field: string, message: string) => (errors.push({ line, field, message }), []);
    if (mrn && lineOfMrn.has(mrn)) return fail('mrn', `is the same MRN as line ${lineOfMrn.get(mrn)}`);
    if (externalId && lineOfExternalId.has(externalId)) return fail('externalId', `is the same external id as line ${lineOfExternalId.get(externalId)}`);
    if (mrn) lineOfMrn.set(mrn, line);
    if (externalId) lineOfExternalId.set(externalId, line);
    const byThisMrn = mrn ? byMrn.get(mrn) : undefined;
    const byThisExternalId = externalId ? byExternalId.get(externalId) : undefined;
    if (byThisMrn && byThisExternalId && byThisMrn.id !== byThisExternalId.id) return fail('externalId', `belongs to the patient with MRN ${byThisExternalId.mrn}, not to MRN ${mrn}`);
    if (byThisMrn && externalId && byThisMrn.external_id && byThisMrn.external_id !== externalId) return fail('externalId', `the patient with MRN ${mrn} has another external id`);
    const target = byThisMrn ?? byThisExternalId;
    // A merged record keeps its MRN for history but takes no more writes: they belong to the record it was merged into.
    if (target?.merged_into_mrn) return fail(byThisMrn ? 'mrn' : 'externalId', `belongs to a record merged into MRN ${target.merged_into_mrn}: import into that one`);
    const data = {
      ...fields,
      ...(!target && { id: newId() }),
      // A row without middle names keeps the stored ones (an empty cell keeps a value), and so do the name keys.
      ...patientNameKeys(fields.givenName, fields.familyName, fields.middleNames ?? target?.middle_names),
      ...(fields.phone && { phoneDigits: phoneDigits(fields.phone) }),
    };
    return [{ line, mrn: mrn ?? (target ? null : newMrn()), external_id: externalId, target_id: target?.id ?? null, data }];
  });
  if (staged.length) {
    await em.execute(
      `insert into import_row (session_id, line, mrn, external_id, target_id, data)
       select ?, x.line, x.mrn, x.external_id, x.target_id, x.data
       from jsonb_to_recordset(?::jsonb) as x(line int, mrn text, external_id text, target_id uuid, data jsonb)`,
      [sessionId, JSON.stringify(staged)],
    );
  }
  return { staged: staged.length, errors };
}

const c = patientColumn;
const list = (keys: PatientColumnProperty[], of: (k: PatientColumnProperty) => string) => keys.map(of).join(', ');

/** A staged row's value of a property, as its column's type: the staged data is keyed by property name. */
function staged(k: PatientColumnProperty): string {
  const type = patientColumnType[k];
  return type === 'jsonb' ? `i.data->'${k}'` : type === 'text' ? `i.data->>'${k}'` : `(i.data->>'${k}')::${type}`;
}
/** The row's value, or the stored one when its cell was empty. */
const orStored = (value: string, k: PatientColumnProperty) => `coalesce(${value}, p.${c[k]})`;

/** A new patient's columns, from its staged row (`i`) and the commit's `args`. */
const inserted: Partial<Record<PatientColumnProperty, string>> = {
  id: staged('id'),
  practice: 'args.practice_id',
  mrn: 'i.mrn',
  externalId: 'i.external_id',
  givenName: staged('givenName'),
  middleNames: `coalesce(${staged('middleNames')}, '[]')`,
  familyName: staged('familyName'),
  birthDate: staged('birthDate'),
  gender: staged('gender'),
  email: staged('email'),
  phone: staged('phone'),
  address: staged('address'),
  preferredLanguage: staged('preferredLanguage'),
  timeZone: `coalesce(${staged('timeZone')}, args.time_zone)`,
  status: "'active'",
  searchName: staged('searchName'),
  sortName: staged('sortName'),
  phoneDigits: staged('phoneDigits'),
  createdAt: 'now()',
  updatedAt: 'now()',
};
/** A matched patient's columns: a cell left empty keeps the stored value. */
const updated: Partial<Record<PatientColumnProperty, string>> = {
  mrn: orStored('i.mrn', 'mrn'),
  externalId: orStored('i.external_id', 'externalId'),
  givenName: staged('givenName'),
  middleNames: orStored(staged('middleNames'), 'middleNames'),
  familyName: staged('familyName'),
  birthDate: staged('birthDate'),
  gender: staged('gender'),
  email: orStored(staged('email'), 'email'),
  phone: orStored(staged('phone'), 'phone'),
  address: orStored(staged('address'), 'address'),
  preferredLanguage: orStored(staged('preferredLanguage'), 'preferredLanguage'),
  timeZone: orStored(staged('timeZone'), 'timeZone'),
  searchName: staged('searchName'),
  sortName: staged('sortName'),
  phoneDigits: orStored(staged('phoneDigits'), 'phoneDigits'),
};
const insertedKeys = Object.keys(inserted) as PatientColumnProperty[];
const updatedKeys = Object.keys(updated) as PatientColumnProperty[];
/** An update is a change when one of these differs; the search keys follow from them. */
const comparedKeys = updatedKeys.filter((k) => k !== 'searchName' && k !== 'sortName' && k !== 'phoneDigits');

const COMMIT_PATIENT_ROWS = `with args as (select ?::uuid as session_id, ?::uuid as practice_id, ?::uuid as actor_id, ?::text as request_id, ?::text as ip, ?::text as time_zone),
     incoming as (select r.* from import_row r, args where r.session_id = args.session_id),
     inserted as (
       insert into patient (${list(insertedKeys, (k) => c[k])})
       select ${list(insertedKeys, (k) => inserted[k]!)}
       from incoming i, args where i.target_id is null
       returning ${c.id}),
     incoming_values as (
       select p.${c.id}, ${list(updatedKeys, (k) => `${updated[k]} as ${c[k]}`)}
       from incoming i join patient p on p.${c.id} = i.target_id, args where p.${c.practice} = args.practice_id),
     updated as (
       update patient p set ${list(updatedKeys, (k) => `${c[k]} = v.${c[k]}`)}, ${c.updatedAt} = now()
       from incoming_values v
       where p.${c.id} = v.${c.id}
         and (${list(comparedKeys, (k) => `p.${c[k]}`)})
             is distinct from (${list(comparedKeys, (k) => `v.${c[k]}`)})
       returning p.${c.id}, ${revisedFieldsSql('old')} as before, ${revisedFieldsSql('new')} as after),
     ${revisionCte('revised', 'updated', 'import', 'args.session_id::text')},
     ${auditCte('audited', { action: 'w.action', entityType: "'patient'", entityId: 'w.id::text', detail: "jsonb_build_object('importId', args.session_id)" }, "(select id, 'patient.created' as action from inserted union all select id, 'patient.updated' from updated) w, args")}
     select (select count(*) from incoming)::int as total, (select count(*) from inserted)::int as created, (select count(*) from updated)::int as updated`;

/**
 * One statement: insert the new patients, update the matched ones whose values differ (a cell left empty
 * keeps the stored value), keep a revision of each update (patients.history), and audit each patient written. Returns the counts.
 */
export async function commitPatientRows(em: EntityManager, audit: CommitAudit, practiceTimeZone: string) {
  const [counts] = await em.execute<{ total: number; created: number; updated: number }[]>(COMMIT_PATIENT_ROWS, [
    audit.importId,
    audit.practiceId,
    audit.actorId,
    audit.requestId,
    audit.ip,
    practiceTimeZone,
  ]);
  return { created: counts!.created, updated: counts!.updated, unchanged: counts!.total - counts!.created - counts!.updated };
}
