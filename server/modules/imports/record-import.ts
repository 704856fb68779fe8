import type { EntityManager } from '@mikro-orm/postgresql';
import type { ImportRowError, RecordImportType } from '../../../shared/schemas/imports.ts';
import type { Actor } from '../../context.ts';
import { initialStatus, upsertImportedRecords } from '../records/records.service.ts';
import { parseRecordRow, recordKindOf } from './import-rows.ts';
import { pgArray } from '../../pg-array.ts';
import type { CommitAudit } from './commit-audit.ts';

type Row = { line: number; values: Record<string, string> };
type RecordType = RecordImportType;

/**
 * Record rows: each names its patient (by MRN or external id), who must exist, and has a natural key (its
 * external id, or a digest of its content): a record already imported under that key is found, not copied.
 */
export async function stageRecordRows(em: EntityManager, actor: Actor, sessionId: string, type: RecordType, rows: Row[]) {
  const errors: ImportRowError[] = [];
  const valid = rows.flatMap((r) => {
    const parsed = parseRecordRow(type, r.line, r.values);
    if (!parsed.ok) return (errors.push(...parsed.errors), []);
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
    if (row.patientMrn && row.patientExternalId && byExternalId.get(row.patientExternalId) !== patientId)
      return fail('patientExternalId', `is not the external id of the patient with MRN ${row.patientMrn}`);
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

/** The session's staged rows, written as records.service.ts writes every import: in one statement. */
export async function commitRecordRows(em: EntityManager, audit: CommitAudit, type: RecordType) {
  const staged = { sql: `select r.target_id as patient_id, r.record_key, r.data->'fields' as fields, r.data->>'status' as status from import_row r where r.session_id = ?`, params: [audit.importId] };
  return upsertImportedRecords(em, recordKindOf[type], { ...audit, detail: { importId: audit.importId } }, staged);
}
