import { DeadlockException, DriverException, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AckCode, Hl7BatchResult, Hl7Result, ReceiveHl7BatchInput, ReceiveHl7Input } from '../../../shared/schemas/hl7.ts';
import type { AuthedCtx } from '../../context.ts';
import { databaseFault } from '../../database-errors.ts';
import { AppError, databaseUnavailable } from '../../errors.ts';
import { executePrepared } from '../../prepared-statements.ts';
import { auditCte } from '../audit/audit-sql.ts';
import { joinCareTeam } from '../patients/care-team.service.ts';
import { Patient } from '../patients/patient.entity.ts';
import { createdPatient, PATIENT_WRITE_COLUMNS, patientWriteCtes, patientWriteParams, updatedPatient, type PatientWrite, type StoredPatient } from '../patients/patient-upsert.ts';
import { importedEntries, upsertImportedRecords, type ImportGate, type ImportWriter } from '../records/records.service.ts';
import { User } from '../users/user.entity.ts';
import { buildAck, Hl7Error, type Hl7Issue } from './hl7-ack.ts';
import { parseMessage, read, type Hl7Message } from './hl7-text.ts';
import { allergyEntries, doctorOf, observationEntries, patientPlan, resultsMrn, type AllergyEntry, type Doctor, type ObservationEntry, type PatientPlan } from './hl7-validation.ts';

const ADT_EVENTS = new Set(['A01', 'A04', 'A08', 'A28', 'A31']);
/** The events that register a patient (admit, register, add person): usually an MRN PAMS does not know yet. */
const REGISTRATIONS = new Set(['A01', 'A04', 'A28']);

/** What a message asks for, read and validated; writing it is all that is left. */
type Plan =
  | { type: 'adt'; registration: boolean; patient: PatientPlan; allergies: { entries: AllergyEntry[]; errors: Hl7Error[] }; doctor: Doctor | null }
  | { type: 'oru'; mrn: string; observations: ObservationEntry[] };

type Applied = { text: string; warnings: Hl7Issue[] };

/**
 * Applies one HL7 v2 message and answers its ACK: AA when applied (or applied before, by its control id),
 * AR when the message itself is unusable (no MSH or control id, a type PAMS does not take, over the size
 * limits), AE when its content is refused. A message not accepted writes nothing.
 *
 * An interface engine resends a message that gets no ACK, for ever, so every message gets one: anything
 * unexpected is an AE 207 (logged, without PHI), except the database being unreachable or a lost race
 * (`retryLater`), which is thrown on (HTTP 5xx, or the MLLP connection closed) because then a resend
 * later is exactly right.
 *
 * The message is read and validated before its transaction opens, and its segments are written
 * set-based (upsertImportedRecords), so the transaction is short and its cost does not grow per segment.
 */
export async function receiveHl7Message(ctx: AuthedCtx, { message }: ReceiveHl7Input): Promise<Hl7Result> {
  let parsed: Hl7Message | null = null;
  let controlId: string | null = null;
  let messageType: string | null = null;
  const { hl7SendingApplication: application, hl7SendingFacility: facility } = ctx.actor.identity.practice;
  const answer = (ackCode: AckCode, text: string, issues: readonly Hl7Issue[] = []): Hl7Result => ({
    controlId,
    messageType,
    ackCode,
    text,
    errorLocation: ackCode === 'AA' ? null : (issues[0]?.location ?? null),
    warnings: ackCode === 'AA' ? issues.map((i) => ({ location: i.location, text: i.message })) : [],
    ack: buildAck({ application, facility }, parsed, ackCode, text, issues),
  });
  try {
    const { maxBytes, maxSegments } = ctx.config.hl7Limits;
    const bytes = Buffer.byteLength(message, 'utf8');
    // Over the byte limit only the header is read: enough for the ACK to name the message.
    parsed = parseMessage(bytes > maxBytes ? message.split(/[\r\n]/, 1)[0]! : message);
    if (parsed) {
      controlId = read(parsed.header, 10) || null;
      messageType = [read(parsed.header, 9, 1), read(parsed.header, 9, 2)].filter(Boolean).join('^') || null;
    }
    if (!parsed) throw new Hl7Error('AR', 100, 'not an HL7 v2 message: it must begin with an MSH segment declaring its separators (MSH|^~\\&)');
    if (!controlId) throw new Hl7Error('AR', 101, 'the message control id (MSH-10) is required', 'MSH^1^10');
    if (controlId.length > 199) throw new Hl7Error('AR', 102, 'the message control id (MSH-10) is too long', 'MSH^1^10');
    if (controlId.includes('\u0000')) throw new Hl7Error('AR', 102, 'the message control id (MSH-10) must not contain NUL characters', 'MSH^1^10');
    // Bytes that were not UTF-8 (often a Latin-1 sender) arrive as U+FFFD, from the HTTP body and MLLP alike:
    // refused whole, as the encoding is the message's, instead of storing the replacement characters.
    if (message.includes('\uFFFD')) throw new Hl7Error('AR', 102, 'the message is not valid UTF-8 (or holds U+FFFD): PAMS takes UTF-8 only (MSH-18 UNICODE UTF-8)', 'MSH^1^18');
    if (bytes > maxBytes) throw new Hl7Error('AR', 102, `the message has ${bytes} bytes, over the limit of ${maxBytes} (HL7_MAX_MESSAGE_BYTES)`);
    const segments = parsed.segments.length;
    if (segments > maxSegments) throw new Hl7Error('AR', 102, `the message has ${segments} segments, over the limit of ${maxSegments} (HL7_MAX_SEGMENTS)`);
    const plan = planOf(ctx, parsed);
    const applied = plan.type === 'adt' ? await applyAdtOnce(ctx, plan, controlId, messageType!) : await applyOru(ctx, plan, controlId, messageType!);
    return answer('AA', applied.warnings.length ? `${applied.text}; ${applied.warnings.length} left out (see ERR)` : applied.text, applied.warnings);
  } catch (e) {
    if (e instanceof AppliedBefore) return answer('AA', `message ${controlId} was applied before: not applied again`);
    if (e instanceof Hl7Error) return answer(e.ackCode, e.message, [e]);
    if (e instanceof AppError) return answer('AE', e.message, [new Hl7Error('AE', 207, e.message)]);
    if (retryLater(e)) throw e;
    // The error's name and SQLSTATE only: its message may quote values of the message, which are PHI.
    ctx.log.error({ err: { name: (e as Error)?.name, code: e instanceof DriverException ? e.code : undefined }, controlId, messageType }, 'hl7 message failed');
    const text = `application internal error (request ${ctx.meta.requestId}): the message was not applied`;
    return answer('AE', text, [new Hl7Error('AE', 207, text)]);
  }
}

/**
 * Messages of one connection, applied one after the other, each exactly as `receiveHl7Message` applies it
 * alone: its own unit of work and transaction, its own ACK, and its control id settling a repeat. One call
 * for several messages saves each the HTTP request and the credential lookup, nothing of its rules. When
 * a message must be retried later, the messages before it keep their answers and none after it is tried
 * (they would be applied out of order); when it is the first, the call fails as `hl7.receive` would.
 */
export async function receiveHl7Messages(ctx: AuthedCtx, { messages }: ReceiveHl7BatchInput): Promise<Hl7BatchResult> {
  const results: Hl7Result[] = [];
  for (const message of messages) {
    try {
      results.push(await receiveHl7Message({ ...ctx, em: ctx.em.fork({ clear: true }) }, { message }));
    } catch (e) {
      if (!results.length) throw e;
      const unavailable = databaseUnavailable(e);
      return { results, stopped: `${messages.length - results.length} not applied: ${unavailable ? unavailable.message : 'the database could not apply it now (a lost deadlock): send it again'}` };
    }
  }
  return { results, stopped: null };
}

/**
 * The message was not applied and the same message sent again later will be, so the engine must not get
 * an AE (it would not resend): the database is away or too slow (databaseFault), or the transaction lost
 * a deadlock. The error is thrown on: HTTP 5xx, or the MLLP connection closed without an ACK.
 */
const retryLater = (e: unknown) => databaseFault(e) !== null || e instanceof DeadlockException;

/** Reads and validates everything the message asks for. Throws the Hl7Error that refuses it. */
function planOf(ctx: AuthedCtx, message: Hl7Message): Plan {
  const type = read(message.header, 9, 1).toUpperCase();
  const event = read(message.header, 9, 2).toUpperCase();
  const pid = message.getSegment('PID');
  if (type === 'ADT' && ADT_EVENTS.has(event)) {
    if (!pid) throw new Hl7Error('AE', 100, 'an ADT message needs a PID segment', 'PID');
    return { type: 'adt', registration: REGISTRATIONS.has(event), patient: patientPlan(pid), allergies: allergyEntries(message), doctor: doctorOf(message) };
  }
  if (type === 'ORU' && event === 'R01') {
    if (!pid) throw new Hl7Error('AE', 100, 'an ORU message needs a PID segment', 'PID');
    return { type: 'oru', mrn: resultsMrn(pid), observations: observationEntries(message, ctx.actor.identity.practice.timeZone) };
  }
  if (type === 'ADT' || type === 'ORU') throw new Hl7Error('AR', 201, `event ${type}^${event} is not supported: PAMS takes ADT A01, A04, A08, A28, A31 and ORU R01`, 'MSH^1^9^^2');
  throw new Hl7Error('AR', 200, `message type ${type || '(none)'} is not supported: PAMS takes ADT and ORU^R01`, 'MSH^1^9');
}

type AdtPlan = Extract<Plan, { type: 'adt' }>;

/**
 * An ADT message. A registration (A01, A04, A28) without an attending doctor is first tried as the
 * patient's creation, in one statement and no transaction, as there is no row to lock yet. It writes
 * nothing when the practice has a patient of the MRN after all (or a concurrent message just created
 * them), or when the control id was applied before: then it is applied as every other ADT (a registration
 * of a known patient costs that one statement more). Every other ADT runs in a transaction: the patient
 * read and locked by MRN, then one statement that records the message and writes the patient, its
 * allergies and their audit rows, then the care team. A concurrent message for the same patient can win a race
 * this one loses: both create the patient of a new MRN, or add the same clinician to the care team. The
 * loser is tried once more, when it finds what the winner wrote (the create becomes an update).
 */
async function applyAdtOnce(ctx: AuthedCtx, plan: AdtPlan, controlId: string, messageType: string): Promise<Applied> {
  if (plan.registration && !plan.doctor && 'input' in plan.patient.create && !plan.allergies.errors.length) {
    try {
      const written = await writeAdt(ctx, plan, 'unknown', controlId, messageType);
      if (written) return adtApplied(written, false);
    } catch (e) {
      if (!(e instanceof UniqueConstraintViolationException)) throw e;
    }
  }
  const attempt = () =>
    ctx.em.transactional(async (em) => {
      const inTransaction = { ...ctx, em: em as EntityManager };
      const [stored] = await executePrepared<StoredPatient & { mergedIntoMrn: string | null }>(em as EntityManager, STORED_PATIENT_SQL, [ctx.actor.practiceId, plan.patient.mrn]);
      if (stored?.mergedIntoMrn) throw mergedRecord(plan.patient.mrn, stored.mergedIntoMrn);
      const written = await writeAdt(inTransaction, plan, stored ?? null, controlId, messageType);
      if (!written) throw new AppliedBefore();
      const careTeam = await joinAttendingDoctor(inTransaction, written.patientId, plan.doctor);
      await em.flush();
      return adtApplied(written, careTeam);
    });
  try {
    return await attempt();
  } catch (e) {
    if (!(e instanceof UniqueConstraintViolationException)) throw e;
    return attempt();
  }
}

/** The message was applied before, by an earlier or a concurrent delivery: its transaction rolls back (ADT), or its statement wrote nothing (ORU). */
class AppliedBefore extends Error {}

const writerOf = (ctx: AuthedCtx, controlId: string): ImportWriter => ({
  practiceId: ctx.actor.practiceId,
  actorId: ctx.actor.userId,
  requestId: ctx.meta.requestId,
  ip: ctx.meta.ip,
  detail: { controlId },
});

/**
 * SQL that records the message by its control id (CTE `message`, empty when the id was recorded before),
 * with its audit row (`audit`, CTE `message_audit`; `countsSql` adds SQL counts to its detail). The
 * patient is a query of one row with its `id` (`patient`). Its unique key settles a repeat: a concurrent
 * delivery of the same message waits for this one, then finds the id taken. Checking first would cost
 * every message a round trip, and a repeat is rare.
 */
function recordMessage(
  ctx: AuthedCtx,
  controlId: string,
  messageType: string,
  patient: { sql: string; params: unknown[] },
  detail: Record<string, number>,
  countsSql = '',
  repeat: 'skipped' | 'refused' = 'skipped',
) {
  return {
    ctes: `message as (
        insert into hl7_message (id, practice_id, control_id, message_type, patient_id, received_at) select uuidv7(), ?, ?, ?, p.id, now() from (${patient.sql}) p
        ${repeat === 'skipped' ? 'on conflict (practice_id, control_id) do nothing' : ''} returning id, patient_id)`,
    params: [ctx.actor.practiceId, controlId, messageType, ...patient.params],
    audit: {
      ctes: auditCte(
        'message_audit',
        { action: "'hl7.applied'", entityType: "'patient'", entityId: 'message.patient_id::text', detail: `a.detail${countsSql}` },
        'message, (select ?::uuid as practice_id, ?::uuid as actor_id, ?::text as request_id, ?::text as ip, ?::jsonb as detail) a',
        'a',
      ),
      params: [ctx.actor.practiceId, ctx.actor.userId, ctx.meta.requestId, ctx.meta.ip, JSON.stringify({ controlId, messageType, ...detail })],
    },
  };
}

const patientById = (id: string) => ({ sql: 'select ?::uuid as id', params: [id] });

/** The allergies' counts for the message's audit row, from the statement that writes them (its CTE `changes`). */
const ALLERGY_COUNTS_SQL = ` || jsonb_build_object('allergiesCreated', (select count(*) from changes where action = 'created'), 'allergiesUpdated', (select count(*) from changes where action = 'updated'))`;

/** The patient of an MRN, locked until the message's transaction ends. */
const STORED_PATIENT_SQL = `select ${PATIENT_WRITE_COLUMNS}, (select m.mrn from patient m where m.id = p.merged_into_id) as "mergedIntoMrn" from patient p where p.practice_id = ? and p.mrn = ? for update of p`;

/** A merged record keeps its MRN for history, but takes no more messages: they belong to the record it was merged into. */
const mergedRecord = (mrn: string, into: string) => new Hl7Error('AE', 204, `the patient with MRN ${mrn} was merged into MRN ${into}: send messages for that one`, 'PID^1^3');

/**
 * Creates the patient named by PID-3 (`stored` null) or updates them, with their allergies (AL1), and
 * records the message, in one statement (an ImportGate of the allergies' upsert). The message is recorded
 * first, and nothing else is written when it was applied before (null). `unknown`: the MRN was not looked
 * up; the patient is created only if new, and the message recorded only then (null when the MRN is
 * taken); a control id applied before is refused (UniqueConstraintViolationException), writing nothing.
 */
async function writeAdt(ctx: AuthedCtx, { patient, allergies }: AdtPlan, stored: StoredPatient | null | 'unknown', controlId: string, messageType: string) {
  const warnings: Hl7Issue[] = [];
  let written: PatientWrite;
  if (stored && stored !== 'unknown') {
    written = updatedPatient(stored, patient.update.changes);
    warnings.push(...patient.update.warnings, ...allergies.errors.map((e) => ({ code: e.code, location: e.location, message: `${e.message} (allergy not applied)` })));
  } else {
    if ('error' in patient.create) throw patient.create.error;
    if (allergies.errors.length) throw allergies.errors[0]!;
    written = createdPatient({ ...patient.create.input, mrn: patient.mrn }, ctx.actor.identity.practice.timeZone);
    warnings.push(...patient.create.warnings);
  }
  const created = stored === null || stored === 'unknown';
  const detail = { patientCreated: created ? 1 : 0 };
  let gate: ImportGate;
  if (stored === 'unknown') {
    const recording = recordMessage(ctx, controlId, messageType, { sql: 'select id from patient_written', params: [] }, detail, ALLERGY_COUNTS_SQL, 'refused');
    gate = {
      ctes: `${patientWriteCtes('create-if-new', 'true')}, ${recording.ctes}`,
      params: [...patientWriteParams(written), ...recording.params],
      passed: 'exists (select 1 from message)',
      after: recording.audit,
    };
  } else {
    const recording = recordMessage(ctx, controlId, messageType, patientById(written.id), detail, ALLERGY_COUNTS_SQL);
    gate = {
      ctes: `${recording.ctes}, ${patientWriteCtes(stored ? 'update' : 'create', 'exists (select 1 from message)')}`,
      params: [...recording.params, ...patientWriteParams(written)],
      passed: 'exists (select 1 from message)',
      after: recording.audit,
    };
  }
  const entries = importedEntries(allergies.entries.map((a) => ({ patientId: written.id, importKey: a.importKey, fields: a.fields, status: 'active' })));
  const counts = await upsertImportedRecords(ctx.em, 'allergy', writerOf(ctx, controlId), entries, gate);
  return counts.passed ? { patientId: written.id, created, counts, warnings } : null;
}

/** What the ACK says of an ADT applied. */
function adtApplied({ created, counts, warnings }: NonNullable<Awaited<ReturnType<typeof writeAdt>>>, careTeam: boolean): Applied {
  const allergies = `allergies: ${counts.created} new, ${counts.updated} updated, ${counts.unchanged} unchanged`;
  return { text: `patient ${created ? 'created' : 'updated'}${careTeam ? ', attending clinician on the care team' : ''}; ${allergies}`, warnings };
}

/**
 * PV1-7 names a clinician of the practice by PAMS user id or email, else by name ("given family", any
 * case): an active clinician found so joins the care team. One not found is no error.
 */
async function joinAttendingDoctor(ctx: AuthedCtx, patientId: string, doctor: Doctor | null): Promise<boolean> {
  if (!doctor) return false;
  const byId = /^[0-9a-f-]{36}$/i.test(doctor.id) ? [{ id: doctor.id }] : [];
  const candidates = await ctx.em.find(
    User,
    { role: 'clinician', status: 'active', $or: [...byId, { email: doctor.id.toLowerCase() }, ...(doctor.name ? [{ name: { $ilike: doctor.name.replace(/[\\%_]/g, (c) => `\\${c}`) } }] : [])] },
    { limit: 2 },
  );
  if (candidates.length !== 1) return false;
  await joinCareTeam(ctx, patientId, candidates[0]!);
  return true;
}

/**
 * Each OBX of an ORU^R01 becomes an observation of the patient PID-3 names, who must exist. One
 * statement finds the patient (CTE `target`), writes the results and records the message (an
 * ImportGate), so no transaction is needed; only when it wrote nothing does a second one tell an unknown
 * MRN from a repeat.
 */
async function applyOru(ctx: AuthedCtx, { mrn, observations }: Extract<Plan, { type: 'oru' }>, controlId: string, messageType: string): Promise<Applied> {
  const recording = recordMessage(ctx, controlId, messageType, { sql: 'select id from target', params: [] }, { observations: observations.length });
  const gate: ImportGate = {
    ctes: `target as (select id from patient where practice_id = ? and mrn = ? and status <> 'merged'), ${recording.ctes}, ${recording.audit.ctes}`,
    params: [ctx.actor.practiceId, mrn, ...recording.params, ...recording.audit.params],
    passed: 'exists (select 1 from message)',
  };
  // The entries' patient is the one `target` finds (the nil id here is replaced in SQL).
  const held = importedEntries(observations.map((o) => ({ patientId: NIL_UUID, ...o })));
  const entries = { sql: `select target.id as patient_id, x.record_key, x.fields, x.status from (${held.sql}) x cross join target`, params: held.params };
  const counts = await upsertImportedRecords(ctx.em, 'observation', writerOf(ctx, controlId), entries, gate);
  if (!counts.passed) {
    const patient = await ctx.em.findOne(Patient, { mrn }, { fields: ['id', 'mergedIntoId'] });
    if (!patient) throw new Hl7Error('AE', 204, `no patient has MRN ${mrn}`, 'PID^1^3');
    if (patient.mergedIntoId) throw mergedRecord(mrn, (await ctx.em.findOneOrFail(Patient, patient.mergedIntoId, { fields: ['mrn'] })).mrn);
    throw new AppliedBefore();
  }
  return { text: `observations: ${counts.created} new, ${counts.updated} updated, ${counts.unchanged} unchanged`, warnings: [] };
}

const NIL_UUID = '00000000-0000-0000-0000-000000000000';
