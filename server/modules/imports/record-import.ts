import type { EntityManager } from '@mikro-orm/postgresql';
import type { ImportRowError, ImportType } from '../../../shared/schemas/imports.ts';
import type { Actor } from '../../context.ts';
import { initialStatus } from '../records/records.service.ts';
import { parseRecordRow, recordKindOf } from './import-rows.ts';
import { pgArray } from '../../pg-array.ts';
import type { CommitAudit } from './staging.ts';

type Row = { line: number; values: Record<string, string> };
type RecordType = Exclude<ImportType, 'patients'>;

/**
 * Record rows: each names its patient (by MRN or external id), who must exist, and has a natural key (its
 * external id, or a digest of its content): a record already imported under that key is found, not copied.
 */
export async function stageRecordRows(em: EntityManager, actor: Actor, sessionId: string, type: RecordType, rows: Row[]) {
  const errors: ImportRowError[] = [];
  const valid = rows.flatMap((r) => {
    const parsed = parseRecordRow(type, r.line, r.values);
    if (!parsed.ok) return errors.push(...parsed.errors), [];
    return [{ line: r.line, ...parsed.row }];
  });
  const patients = await em.execute<{ id: string; mrn: string; external_id: string | null }[]>(
    'select id, mrn, external_id from patient where practice_id = ? and (mrn = any(?::text[]) or external_id = any(?::text[]))',
    [actor.practiceId, pgArray(valid.flatMap((r) => (r.patientMrn ? [r.patientMrn] : []))), pgArray(valid.flatMap((r) => (r.patientExternalId ? [r.patientExternalId] : [])))],
  );
  const byMrn = new Map(patients.map((p) => [p.mrn, p.id]));
  const byExternalId = new Map(patients.filter((p) => p.external_id).map((p) => [p.external_id!, p.id]));
  const keys = valid.map((r) => r.recordKey);
  const earlier = await em.execute<{ line: number; record_key: string; target_id: string }[]>(
    'select line, record_key, target_id from import_row where session_id = ? and record_key = any(?::text[])',
    [sessionId, pgArray(keys)],
  );
  const lineOf = new Map(earlier.map((r) => [`${r.target_id} ${r.record_key}`, r.line]));

  const staged = valid.flatMap((row) => {
    const fail = (field: string, message: string) => (errors.push({ line: row.line, field, message }), []);
    const patientId = row.patientMrn ? byMrn.get(row.patientMrn) : byExternalId.get(row.patientExternalId!);
    if (!patientId) return row.patientMrn ? fail('patientMrn', `no patient has MRN ${row.patientMrn}`) : fail('patientExternalId', `no patient has external id ${row.patientExternalId}`);
    if (row.patientMrn && row.patientExternalId && byExternalId.get(row.patientExternalId) !== patientId) return fail('patientExternalId', `is not the external id of the patient with MRN ${row.patientMrn}`);
    const duplicate = lineOf.get(`${patientId} ${row.recordKey}`);
    if (duplicate) return fail(row.recordKey.startsWith('ext:') ? 'externalId' : '_', `is the same record as line ${duplicate}`);
    lineOf.set(`${patientId} ${row.recordKey}`, row.line);
    return [{ line: row.line, record_key: row.recordKey, target_id: patientId, data: { fields: row.fields, status: row.status ?? initialStatus[row.kind] } }];
  });
  if (staged.length) {
    await em.execute(
      `insert into import_row (session_id, line, record_key, target_id, data)
       select ?, x.line, x.record_key, x.target_id, x.data from jsonb_to_recordset(?::jsonb) as x(line int, record_key text, target_id uuid, data jsonb)`,
      [sessionId, JSON.stringify(staged)],
    );
  }
  return { staged: staged.length, errors };
}

/** When the entry happened, as records.service.ts `occurredAt` has it: its own date or time, else now. */
const occurredAt = (fields: string) =>
  `coalesce((${fields}->>'effectiveAt')::timestamptz, ((${fields}->>'startDate') || 'T00:00:00Z')::timestamptz, ((${fields}->>'onsetDate') || 'T00:00:00Z')::timestamptz, now())`;

/**
 * One statement: create the records whose key is new, update those whose key is known and whose content
 * differs (a new version, as `records.update` makes), each with its revision and audit row.
 */
export async function commitRecordRows(em: EntityManager, audit: CommitAudit, type: RecordType) {
  const [counts] = await em.execute<{ total: number; created: number; updated: number }[]>(
    `with args as (select ?::uuid as session_id, ?::uuid as practice_id, ?::uuid as actor_id, ?::text as request_id, ?::text as ip, ?::text as kind),
     incoming as (
       select r.target_id as patient_id, r.record_key, r.data->'fields' as fields, r.data->>'status' as status, c.id as record_id, c.status as old_status, c.data as old_data
       from import_row r cross join args
       left join clinical_record c on c.patient_id = r.target_id and c.kind = args.kind and c.import_key = r.record_key and c.practice_id = args.practice_id
       where r.session_id = args.session_id),
     inserted as (
       insert into clinical_record (id, practice_id, patient_id, kind, status, data, occurred_at, version, import_key, created_at, created_by, updated_at, updated_by)
       select uuidv7(), args.practice_id, i.patient_id, args.kind, i.status, i.fields, ${occurredAt('i.fields')}, 1, i.record_key, now(), args.actor_id, now(), args.actor_id
       from incoming i, args where i.record_id is null
       returning id, patient_id, version, status, data, null::text as old_status, null::jsonb as old_data, 'created' as action),
     updated as (
       update clinical_record c set data = i.fields, status = i.status, occurred_at = ${occurredAt('i.fields')}, version = c.version + 1, updated_at = now(), updated_by = args.actor_id
       from incoming i, args
       where c.id = i.record_id and (c.data, c.status) is distinct from (i.fields, i.status)
       returning c.id, c.patient_id, c.version, c.status, c.data, i.old_status, i.old_data, 'updated' as action),
     written as (select * from inserted union all select * from updated),
     revised as (
       insert into record_revision (id, practice_id, record_id, version, action, changed_by, changed_at, before, after)
       select uuidv7(), args.practice_id, w.id, w.version, w.action, args.actor_id, now(),
              case when w.old_data is null then null else jsonb_build_object('status', w.old_status, 'data', w.old_data) end,
              jsonb_build_object('status', w.status, 'data', w.data)
       from written w, args),
     audited as (
       insert into audit_event (id, at, practice_id, actor_id, action, entity_type, entity_id, request_id, ip, detail)
       select uuidv7(), now(), args.practice_id, args.actor_id, args.kind || '.' || w.action, args.kind, w.id::text, args.request_id, args.ip,
              jsonb_build_object('patientId', w.patient_id, 'importId', args.session_id)
       from written w, args)
     select (select count(*) from incoming)::int as total, (select count(*) from inserted)::int as created, (select count(*) from updated)::int as updated`,
    [audit.importId, audit.practiceId, audit.actorId, audit.requestId, audit.ip, recordKindOf[type]],
  );
  return { created: counts!.created, updated: counts!.updated, unchanged: counts!.total - counts!.created - counts!.updated };
}
