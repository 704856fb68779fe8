import type { EntityManager } from '@mikro-orm/postgresql';
import type { ListRecordsInput, RecordKindName, RecordHistoryOutput, RecordOutput, recordStatuses } from '../../../shared/schemas/records.ts';
import type { AuthedCtx } from '../../context.ts';
import { notFound } from '../../errors.ts';
import { keyset, newestFirst, toPage } from '../../pagination.ts';
import { executePrepared } from '../../prepared-statements.ts';
import { auditCte } from '../audit/audit-sql.ts';
import { auditRead, recordAudit } from '../audit/audit.service.ts';
import { findVisiblePatient, findWritablePatient, visiblePatients } from '../patients/patient-access.ts';
import { ClinicalRecord } from './clinical-record.entity.ts';
import { RecordRevision } from './record-revision.entity.ts';

/** The same five operations serve every kind of clinical record; the kind picks its schema and statuses. */
type Status<K extends RecordKindName> = (typeof recordStatuses)[K][number];

const sort = newestFirst('occurredAt');
export const initialStatus: { [K in RecordKindName]: Status<K> } = {
  allergy: 'active',
  medication: 'active',
  condition: 'active',
  observation: 'final',
  history: 'active',
};

/** When the entry happened, for ordering: its own date when it has one, else now. */
function occurredAt(fields: Record<string, unknown>): Date {
  const when = fields.effectiveAt ?? fields.startDate ?? fields.onsetDate;
  return typeof when === 'string' ? new Date(when) : new Date();
}

/** What a record DTO is made from: an entity, or a row a hand-written query selected under the same names. */
export type RecordFields = Pick<ClinicalRecord, 'id' | 'kind' | 'status' | 'data' | 'version' | 'occurredAt' | 'createdAt' | 'createdBy' | 'updatedAt' | 'updatedBy'> & { patient: { id: string } };

/**
 * The kind's fields, then the record's own columns. The record's kind is `recordKind`: a field of the kind
 * may be called `kind` itself (a history entry's medical, surgical, family or social), and must survive.
 */
export function toRecordDto<K extends RecordKindName>(r: RecordFields): RecordOutput<K> {
  // `data` holds the kind's fields as its schema saved them, and `kind` and `status` the kind's values.
  return {
    ...r.data,
    id: r.id,
    patientId: r.patient.id,
    recordKind: r.kind,
    status: r.status,
    version: r.version,
    occurredAt: r.occurredAt.toISOString(),
    createdAt: r.createdAt.toISOString(),
    createdBy: r.createdBy,
    updatedAt: r.updatedAt.toISOString(),
    updatedBy: r.updatedBy,
  } as RecordOutput<K>;
}

/** Entries of mixed kinds, as DTOs grouped by kind (for the chart and the portal), order kept. */
export function recordsByKind(records: RecordFields[]) {
  const ofKind = <K extends RecordKindName>(kind: K) => records.filter((r) => r.kind === kind).map((r) => toRecordDto<K>(r));
  return {
    allergies: ofKind('allergy'),
    medications: ofKind('medication'),
    conditions: ofKind('condition'),
    observations: ofKind('observation'),
    history: ofKind('history'),
  };
}

const snapshot = (r: ClinicalRecord) => ({ status: r.status, data: r.data });

async function findVisibleRecord(ctx: AuthedCtx, kind: RecordKindName, id: string) {
  const record = await ctx.em.findOne(ClinicalRecord, { id, kind, patient: visiblePatients(ctx.actor) });
  if (!record) throw notFound('Record');
  return record;
}

function revise(ctx: AuthedCtx, record: ClinicalRecord, action: 'created' | 'updated' | 'status-changed', before: ReturnType<typeof snapshot> | null) {
  ctx.em.create(RecordRevision, {
    practice: ctx.actor.practiceId,
    recordId: record.id,
    version: record.version,
    action,
    changedBy: ctx.actor.userId,
    before,
    after: snapshot(record),
  });
  recordAudit(ctx, { action: `${record.kind}.${action}`, entityType: record.kind, entityId: record.id, detail: { patientId: record.patient.id } });
}

/** `importKey` and `status` are for imports (see `upsertImportedRecord`); `records.create` gives neither. */
export async function createRecord<K extends RecordKindName>(ctx: AuthedCtx, kind: K, input: { patientId: string; fields: Record<string, unknown>; importKey?: string; status?: Status<K> }) {
  const patient = await findWritablePatient(ctx.em, ctx.actor, input.patientId);
  const record = ctx.em.create(ClinicalRecord, {
    practice: ctx.actor.practiceId,
    patient,
    kind,
    status: input.status ?? initialStatus[kind],
    data: input.fields,
    importKey: input.importKey ?? null,
    occurredAt: occurredAt(input.fields),
    createdBy: ctx.actor.userId,
    updatedBy: ctx.actor.userId,
  });
  revise(ctx, record, 'created', null);
  await ctx.em.flush();
  return toRecordDto<K>(record);
}

/** Replaces the record's fields (the whole record is validated as saved) and keeps the old ones in history. */
export async function updateRecord<K extends RecordKindName>(ctx: AuthedCtx, kind: K, input: { id: string; fields: Record<string, unknown> }) {
  const record = await findVisibleRecord(ctx, kind, input.id);
  const before = snapshot(record);
  Object.assign(record, { data: input.fields, occurredAt: occurredAt(input.fields), version: record.version + 1, updatedBy: ctx.actor.userId });
  revise(ctx, record, 'updated', before);
  await ctx.em.flush();
  return toRecordDto<K>(record);
}

/** Who writes a batch of imported entries: their revisions and audit rows name them, `detail` says from where. */
export type ImportWriter = { practiceId: string; actorId: string; requestId: string; ip: string | null; detail: Record<string, string> };

/** A query of the entries to write: (patient_id uuid, record_key text, fields jsonb, status text), one per key. */
export type ImportedEntries = { sql: string; params: unknown[] };

/** Entries held in memory, as such a query; a later entry with an earlier one's key replaces it. */
export function importedEntries(entries: { patientId: string; importKey: string; fields: Record<string, unknown>; status: string }[]): ImportedEntries {
  const byKey = new Map(entries.map((e) => [`${e.patientId} ${e.importKey}`, { patient_id: e.patientId, record_key: e.importKey, fields: e.fields, status: e.status }]));
  return { sql: 'select * from jsonb_to_recordset(?::jsonb) as x(patient_id uuid, record_key text, fields jsonb, status text)', params: [JSON.stringify([...byKey.values()])] };
}

/**
 * Work the same statement does before the entries are read, and its condition: nothing is written unless
 * `passed` (SQL over `ctes`, without parameters) holds. HL7 records its message so, with the message's
 * results: one statement, atomic without a transaction, and a repeat of the message writes nothing.
 */
export type ImportGate = {
  ctes: string;
  params: unknown[];
  passed: string;
  /** Work the statement does last, which may read CTE `changes` (each entry written, its `action` created or updated). */
  after?: { ctes: string; params: unknown[] };
};

/** When the entry happened, in SQL, as `occurredAt` has it: its own date or time, else now. */
const occurredAtSql = (fields: string) =>
  `coalesce((${fields}->>'effectiveAt')::timestamptz, ((${fields}->>'startDate') || 'T00:00:00Z')::timestamptz, ((${fields}->>'onsetDate') || 'T00:00:00Z')::timestamptz, now())`;

/** The audit row of each entry written: `<kind>.created` or `<kind>.updated`, with the patient and the writer's detail. */
const AUDITED = auditCte(
  'audited',
  { action: "args.kind || '.' || w.action", entityType: 'args.kind', entityId: 'w.id::text', detail: "jsonb_build_object('patientId', w.patient_id) || args.detail" },
  'changes w, args',
);

/**
 * Imported entries (CSV, HL7), however many, in one statement: each found by its natural key (patient,
 * kind, import key), created when new, made a new version when its fields or status differ (as
 * `records.update` makes), left alone when the same; every write with its revision and audit row. The
 * upsert (ON CONFLICT) also settles two imports racing to create the same entry: the later one updates it.
 */
export async function upsertImportedRecords(em: EntityManager, kind: RecordKindName, writer: ImportWriter, entries: ImportedEntries, gate?: ImportGate) {
  const [counts] = await executePrepared<{ total: number; created: number; updated: number; passed: boolean }>(
    em,
    `with args as (select ?::uuid as practice_id, ?::uuid as actor_id, ?::text as request_id, ?::text as ip, ?::text as kind, ?::jsonb as detail),
     ${gate ? `${gate.ctes},` : ''}
     incoming as (
       select i.patient_id, i.record_key, i.fields, i.status, c.status as old_status, c.data as old_data
       from (${entries.sql}) i cross join args
       left join clinical_record c on c.patient_id = i.patient_id and c.kind = args.kind and c.import_key = i.record_key and c.practice_id = args.practice_id
       where ${gate?.passed ?? 'true'}),
     written as (
       insert into clinical_record as c (id, practice_id, patient_id, kind, status, data, occurred_at, version, import_key, created_at, created_by, updated_at, updated_by)
       select uuidv7(), args.practice_id, i.patient_id, args.kind, i.status, i.fields, ${occurredAtSql('i.fields')}, 1, i.record_key, now(), args.actor_id, now(), args.actor_id
       from incoming i, args
       on conflict (patient_id, kind, import_key) do update
         set data = excluded.data, status = excluded.status, occurred_at = excluded.occurred_at, version = c.version + 1, updated_at = excluded.updated_at, updated_by = excluded.updated_by
         where (c.data, c.status) is distinct from (excluded.data, excluded.status)
       returning c.id, c.patient_id, c.import_key, c.version, c.status, c.data),
     changes as (
       select w.*, case when w.version = 1 then 'created' else 'updated' end as action, i.old_status, i.old_data
       from written w join incoming i on i.patient_id = w.patient_id and i.record_key = w.import_key),
     revised as (
       insert into record_revision (id, practice_id, record_id, version, action, changed_by, changed_at, before, after)
       select uuidv7(), args.practice_id, w.id, w.version, w.action, args.actor_id, now(),
              case when w.old_data is null then null else jsonb_build_object('status', w.old_status, 'data', w.old_data) end,
              jsonb_build_object('status', w.status, 'data', w.data)
       from changes w, args),
     ${AUDITED}${
       gate?.after
         ? `,
     ${gate.after.ctes}`
         : ''
     }
     select (select count(*) from incoming)::int as total,
            (select count(*) from changes where action = 'created')::int as created,
            (select count(*) from changes where action = 'updated')::int as updated,
            ${gate?.passed ?? 'true'} as passed`,
    [writer.practiceId, writer.actorId, writer.requestId, writer.ip, kind, JSON.stringify(writer.detail), ...(gate?.params ?? []), ...entries.params, ...(gate?.after?.params ?? [])],
  );
  return { created: counts!.created, updated: counts!.updated, unchanged: counts!.total - counts!.created - counts!.updated, passed: counts!.passed };
}

export async function setRecordStatus<K extends RecordKindName>(ctx: AuthedCtx, kind: K, input: { id: string; status: string }) {
  const record = await findVisibleRecord(ctx, kind, input.id);
  if (record.status !== input.status) {
    const before = snapshot(record);
    Object.assign(record, { status: input.status, version: record.version + 1, updatedBy: ctx.actor.userId });
    revise(ctx, record, 'status-changed', before);
    await ctx.em.flush();
  } else {
    // Nothing changed, but the record is read back: a read of PHI, audited as one.
    await auditRead(ctx, { action: `${kind}.read`, entityType: kind, entityId: record.id, detail: { patientId: record.patient.id } });
  }
  return toRecordDto<K>(record);
}

export async function listRecords<K extends RecordKindName>(ctx: AuthedCtx, kind: K, input: ListRecordsInput) {
  await findVisiblePatient(ctx.em, ctx.actor, input.patientId);
  const { where, orderBy } = keyset(input.cursor, sort);
  const rows = await ctx.em.find(ClinicalRecord, { ...where, patient: input.patientId, kind, ...(input.status && { status: input.status }) }, { orderBy, limit: input.limit + 1 });
  await auditRead(ctx, { action: `${kind}.listed`, entityType: 'patient', entityId: input.patientId });
  return toPage(rows, input.limit, sort, (r) => toRecordDto<K>(r));
}

/** Every version of a record, oldest first: who changed it, when, and the fields before and after. */
export async function recordHistory<K extends RecordKindName>(ctx: AuthedCtx, kind: K, { id }: { id: string }) {
  const record = await findVisibleRecord(ctx, kind, id);
  const revisions = await ctx.em.find(RecordRevision, { recordId: record.id }, { orderBy: { version: 'asc' } });
  await auditRead(ctx, { action: `${kind}.history-read`, entityType: kind, entityId: id });
  // Each version's status and fields are the kind's, as its schema saved them.
  return revisions.map((r) => ({ version: r.version, action: r.action, changedBy: r.changedBy, changedAt: r.changedAt.toISOString(), before: r.before, after: r.after })) as RecordHistoryOutput<K>;
}
