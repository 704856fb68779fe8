import type { z } from 'zod';
import type { ListRecordsInput, RecordKindName, recordFields, recordStatuses } from '../../../shared/schemas/records.ts';
import { canonicalJson } from '../../canonical-json.ts';
import type { AuthedCtx } from '../../context.ts';
import { notFound } from '../../errors.ts';
import { keyset, newestFirst, toPage } from '../../pagination.ts';
import { auditRead, recordAudit } from '../audit/audit.service.ts';
import { findVisiblePatient, visiblePatients } from '../patients/patient-access.ts';
import { assertRole } from '../users/roles.ts';
import { ClinicalRecord } from './clinical-record.entity.ts';
import { RecordRevision } from './record-revision.entity.ts';

/** The same five operations serve every kind of clinical record; the kind picks its schema and statuses. */
type Fields<K extends RecordKindName> = z.infer<(typeof recordFields)[K]>;
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

export type ClinicalRecordDto<K extends RecordKindName> = ReturnType<typeof toRecordDto<K>>;

/**
 * The kind's fields, then the record's own columns. The record's kind is `recordKind`: a field of the kind
 * may be called `kind` itself (a history entry's medical, surgical, family or social), and must survive.
 */
/** What a record DTO is made from: an entity, or a row a hand-written query selected under the same names. */
export type RecordFields = Pick<ClinicalRecord, 'id' | 'kind' | 'status' | 'data' | 'version' | 'occurredAt' | 'createdAt' | 'createdBy' | 'updatedAt' | 'updatedBy'> & { patient: { id: string } };

export function toRecordDto<K extends RecordKindName>(r: RecordFields) {
  return {
    ...(r.data as Fields<K>),
    id: r.id,
    patientId: r.patient.id,
    recordKind: r.kind as K,
    status: r.status as Status<K>,
    version: r.version,
    occurredAt: r.occurredAt.toISOString(),
    createdAt: r.createdAt.toISOString(),
    createdBy: r.createdBy,
    updatedAt: r.updatedAt.toISOString(),
    updatedBy: r.updatedBy,
  };
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
    practice: ctx.actor.practiceId, recordId: record.id, version: record.version, action,
    changedBy: ctx.actor.userId, before, after: snapshot(record),
  });
  recordAudit(ctx, { action: `${record.kind}.${action}`, entityType: record.kind, entityId: record.id, detail: { patientId: record.patient.id } });
}

/** `importKey` and `status` are for imports (see `upsertImportedRecord`); `records.create` gives neither. */
export async function createRecord<K extends RecordKindName>(ctx: AuthedCtx, kind: K, input: { patientId: string; fields: Record<string, unknown>; importKey?: string; status?: Status<K> }) {
  assertRole(ctx.actor, 'admin', 'clinician');
  const patient = await findVisiblePatient(ctx.em, ctx.actor, input.patientId);
  const record = ctx.em.create(ClinicalRecord, {
    practice: ctx.actor.practiceId, patient, kind, status: input.status ?? initialStatus[kind], data: input.fields, importKey: input.importKey ?? null,
    occurredAt: occurredAt(input.fields), createdBy: ctx.actor.userId, updatedBy: ctx.actor.userId,
  });
  revise(ctx, record, 'created', null);
  await ctx.em.flush();
  return toRecordDto<K>(record);
}

/** Replaces the record's fields (the whole record is validated as saved) and keeps the old ones in history. */
export async function updateRecord<K extends RecordKindName>(ctx: AuthedCtx, kind: K, input: { id: string; fields: Record<string, unknown> }) {
  assertRole(ctx.actor, 'admin', 'clinician');
  const record = await findVisibleRecord(ctx, kind, input.id);
  const before = snapshot(record);
  Object.assign(record, { data: input.fields, occurredAt: occurredAt(input.fields), version: record.version + 1, updatedBy: ctx.actor.userId });
  revise(ctx, record, 'updated', before);
  await ctx.em.flush();
  return toRecordDto<K>(record);
}

/**
 * An imported entry (HL7): found by its natural key, created when new, made a new version when its
 * fields or status differ, left alone when the same. Returns what it did.
 */
export async function upsertImportedRecord<K extends RecordKindName>(ctx: AuthedCtx, kind: K, input: { patientId: string; importKey: string; fields: Record<string, unknown>; status: Status<K> }) {
  const existing = await ctx.em.findOne(ClinicalRecord, { patient: input.patientId, kind, importKey: input.importKey });
  if (!existing) return { action: 'created' as const, record: await createRecord(ctx, kind, input) };
  if (existing.status === input.status && canonicalJson(existing.data) === canonicalJson(input.fields)) return { action: 'unchanged' as const, record: toRecordDto<K>(existing) };
  const before = snapshot(existing);
  Object.assign(existing, { data: input.fields, status: input.status, occurredAt: occurredAt(input.fields), version: existing.version + 1, updatedBy: ctx.actor.userId });
  revise(ctx, existing, 'updated', before);
  await ctx.em.flush();
  return { action: 'updated' as const, record: toRecordDto<K>(existing) };
}

export async function setRecordStatus<K extends RecordKindName>(ctx: AuthedCtx, kind: K, input: { id: string; status: string }) {
  assertRole(ctx.actor, 'admin', 'clinician');
  const record = await findVisibleRecord(ctx, kind, input.id);
  if (record.status !== input.status) {
    const before = snapshot(record);
    Object.assign(record, { status: input.status, version: record.version + 1, updatedBy: ctx.actor.userId });
    revise(ctx, record, 'status-changed', before);
    await ctx.em.flush();
  }
  return toRecordDto<K>(record);
}

export async function listRecords<K extends RecordKindName>(ctx: AuthedCtx, kind: K, input: ListRecordsInput) {
  assertRole(ctx.actor, 'admin', 'clinician');
  await findVisiblePatient(ctx.em, ctx.actor, input.patientId);
  const { where, orderBy } = keyset(input.cursor, sort);
  const rows = await ctx.em.find(
    ClinicalRecord,
    { ...where, patient: input.patientId, kind, ...(input.status && { status: input.status }) },
    { orderBy, limit: input.limit + 1 },
  );
  await auditRead(ctx, { action: `${kind}.listed`, entityType: 'patient', entityId: input.patientId });
  return toPage(rows, input.limit, sort, (r) => toRecordDto<K>(r));
}

/** Every version of a record, oldest first: who changed it, when, and the fields before and after. */
export async function recordHistory(ctx: AuthedCtx, kind: RecordKindName, { id }: { id: string }) {
  assertRole(ctx.actor, 'admin', 'clinician');
  const record = await findVisibleRecord(ctx, kind, id);
  const revisions = await ctx.em.find(RecordRevision, { recordId: record.id }, { orderBy: { version: 'asc' } });
  await auditRead(ctx, { action: `${kind}.history-read`, entityType: kind, entityId: id });
  return revisions.map((r) => ({ version: r.version, action: r.action, changedBy: r.changedBy, changedAt: r.changedAt.toISOString(), before: r.before, after: r.after }));
}
