import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ReceiveHl7Input } from '../../../shared/schemas/hl7.ts';
import { createPatientInput, updatePatientInput } from '../../../shared/schemas/patients.ts';
import { allergyFields, observationFields } from '../../../shared/schemas/records.ts';
import type { AuthedCtx } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { joinCareTeam } from '../patients/care-team.service.ts';
import { Patient } from '../patients/patient.entity.ts';
import { createPatient, updatePatient } from '../patients/patients.service.ts';
import { upsertImportedRecord } from '../records/records.service.ts';
import { User } from '../users/user.entity.ts';
import { assertRole } from '../users/roles.ts';
import { buildAck, Hl7Error, type AckCode } from './hl7-ack.ts';
import { al1Allergy, al1Fields, attendingDoctor, obxFields, obxObservation, pidFields, pidMrn, pidPatient, schemaError } from './hl7-mapping.ts';
import { Hl7Message as Hl7MessageRow } from './hl7-message.entity.ts';
import { parseMessage, read, type Hl7Message, type Hl7Segment } from './hl7-text.ts';

const ADT_EVENTS = new Set(['A01', 'A04', 'A08', 'A28', 'A31']);

export type Hl7Result = { controlId: string | null; messageType: string | null; ackCode: AckCode; text: string; errorLocation: string | null; ack: string };

/**
 * Applies one HL7 v2 message and answers its ACK: AA when applied (or applied before, by its control id),
 * AR when the message itself is unusable (no MSH or control id, a type PAMS does not take), AE when its
 * content is refused. A message not accepted writes nothing: it is applied in one transaction.
 */
export async function receiveHl7Message(ctx: AuthedCtx, { message }: ReceiveHl7Input): Promise<Hl7Result> {
  assertRole(ctx.actor, 'admin');
  const parsed = parseMessage(message);
  const controlId = parsed ? read(parsed.header, 10) || null : null;
  const messageType = parsed ? [read(parsed.header, 9, 1), read(parsed.header, 9, 2)].filter(Boolean).join('^') || null : null;
  const { hl7SendingApplication: application, hl7SendingFacility: facility } = ctx.actor.identity.practice;
  const answer = (ackCode: AckCode, text: string, error?: Hl7Error): Hl7Result => ({ controlId, messageType, ackCode, text, errorLocation: error?.location ?? null, ack: buildAck({ application, facility }, parsed, ackCode, text, error) });
  try {
    if (!parsed) throw new Hl7Error('AR', 100, 'not an HL7 v2 message: it must begin with an MSH segment declaring its separators (MSH|^~\\&)');
    if (!controlId) throw new Hl7Error('AR', 101, 'the message control id (MSH-10) is required', 'MSH^1^10');
    if (controlId.length > 199) throw new Hl7Error('AR', 102, 'the message control id (MSH-10) is too long', 'MSH^1^10');
    if (await ctx.em.count(Hl7MessageRow, { controlId })) return answer('AA', `message ${controlId} was applied before: not applied again`);
    const summary = await ctx.em.transactional(async (em) => {
      const tx = { ...ctx, em: em as EntityManager };
      const result = await apply(tx, parsed);
      em.create(Hl7MessageRow, { practice: ctx.actor.practiceId, controlId, messageType: messageType!, patientId: result.patientId });
      recordAudit(tx, { action: 'hl7.applied', entityType: 'patient', entityId: result.patientId, detail: { controlId, messageType, ...result.counts } });
      await em.flush();
      return result;
    });
    return answer('AA', summary.text);
  } catch (e) {
    if (e instanceof Hl7Error) return answer(e.ackCode, e.message, e);
    if (e instanceof AppError) return answer('AE', e.message, new Hl7Error('AE', 207, e.message));
    // The same control id applied by a concurrent delivery: this one is the repeat.
    if (e instanceof UniqueConstraintViolationException) return answer('AA', `message ${controlId} was applied before: not applied again`);
    throw e;
  }
}

type Applied = { patientId: string; text: string; counts: Record<string, number> };

async function apply(ctx: AuthedCtx, message: Hl7Message): Promise<Applied> {
  const type = read(message.header, 9, 1).toUpperCase();
  const event = read(message.header, 9, 2).toUpperCase();
  const pid = message.getSegment('PID');
  if (type === 'ADT' && ADT_EVENTS.has(event)) {
    if (!pid) throw new Hl7Error('AE', 100, 'an ADT message needs a PID segment', 'PID');
    return applyAdt(ctx, message, pid);
  }
  if (type === 'ORU' && event === 'R01') {
    if (!pid) throw new Hl7Error('AE', 100, 'an ORU message needs a PID segment', 'PID');
    return applyOru(ctx, message, pid);
  }
  if (type === 'ADT' || type === 'ORU') throw new Hl7Error('AR', 201, `event ${type}^${event} is not supported: PAMS takes ADT A01, A04, A08, A28, A31 and ORU R01`, 'MSH^1^9^^2');
  throw new Hl7Error('AR', 200, `message type ${type || '(none)'} is not supported: PAMS takes ADT and ORU^R01`, 'MSH^1^9');
}

/** Creates or updates the patient named by PID-3 (by MRN), then the care team (PV1-7) and allergies (AL1). */
async function applyAdt(ctx: AuthedCtx, message: Hl7Message, pid: Hl7Segment): Promise<Applied> {
  const values = pidPatient(pid);
  if (!values.mrn) throw new Hl7Error('AE', 101, 'a patient identifier (PID-3) is required', pidFields.mrn);
  const existing = await ctx.em.findOne(Patient, { mrn: values.mrn.toUpperCase() });
  let patientId: string;
  if (existing) {
    const parsed = updatePatientInput.safeParse({ id: existing.id, ...values });
    if (!parsed.success) throw schemaError(parsed.error.issues[0]!, pidFields, 'PID');
    patientId = (await updatePatient(ctx, parsed.data)).id;
  } else {
    const parsed = createPatientInput.safeParse(values);
    if (!parsed.success) throw schemaError(parsed.error.issues[0]!, pidFields, 'PID');
    patientId = (await createPatient(ctx, parsed.data)).id;
  }
  const careTeam = await joinAttendingDoctor(ctx, patientId, attendingDoctor(message.getSegment('PV1')));
  const allergies = { created: 0, updated: 0, unchanged: 0 };
  for (const [i, al1] of message.getAllSegments('AL1').entries()) {
    const { fields, importKey } = al1Allergy(al1, i + 1);
    const parsed = allergyFields.safeParse(fields);
    if (!parsed.success) throw schemaError(parsed.error.issues[0]!, al1Fields(i + 1), `AL1^${i + 1}`);
    allergies[(await upsertImportedRecord(ctx, 'allergy', { patientId, importKey, fields: parsed.data, status: 'active' })).action]++;
  }
  return {
    patientId,
    text: `patient ${existing ? 'updated' : 'created'}${careTeam ? ', attending clinician on the care team' : ''}; allergies: ${allergies.created} new, ${allergies.updated} updated, ${allergies.unchanged} unchanged`,
    counts: { patientCreated: existing ? 0 : 1, allergiesCreated: allergies.created, allergiesUpdated: allergies.updated },
  };
}

/**
 * PV1-7 names a clinician of the practice by PAMS user id or email, else by name ("given family", any
 * case): an active clinician found so joins the care team. One not found is no error.
 */
async function joinAttendingDoctor(ctx: AuthedCtx, patientId: string, doctor: { id: string; name: string } | null): Promise<boolean> {
  if (!doctor) return false;
  const byId = /^[0-9a-f-]{36}$/i.test(doctor.id) ? [{ id: doctor.id }] : [];
  const candidates = await ctx.em.find(User, { role: 'clinician', status: 'active', $or: [...byId, { email: doctor.id.toLowerCase() }, ...(doctor.name ? [{ name: { $ilike: doctor.name.replace(/[\\%_]/g, (c) => `\\${c}`) } }] : [])] }, { limit: 2 });
  if (candidates.length !== 1) return false;
  await joinCareTeam(ctx, patientId, candidates[0]!);
  return true;
}

/** Each OBX of an ORU^R01 becomes an observation of the patient PID-3 names, who must exist. */
async function applyOru(ctx: AuthedCtx, message: Hl7Message, pid: Hl7Segment): Promise<Applied> {
  const mrn = pidMrn(pid).toUpperCase();
  if (!mrn) throw new Hl7Error('AE', 101, 'a patient identifier (PID-3) is required', pidFields.mrn);
  const patient = await ctx.em.findOne(Patient, { mrn });
  if (!patient) throw new Hl7Error('AE', 204, `no patient has MRN ${mrn}`, pidFields.mrn);
  const zone = ctx.actor.identity.practice.timeZone;
  const counts = { created: 0, updated: 0, unchanged: 0 };
  let obr: Hl7Segment | undefined;
  let n = 0;
  for (const segment of message.segments) {
    if (segment.name === 'OBR') obr = segment;
    if (segment.name !== 'OBX') continue;
    n++;
    const orderId = read(obr, 3) || read(obr, 2);
    const { fields, status, importKey } = obxObservation(segment, n, read(obr, 7), orderId, zone);
    const parsed = observationFields.safeParse(fields);
    if (!parsed.success) throw schemaError(parsed.error.issues[0]!, obxFields(n), `OBX^${n}`);
    counts[(await upsertImportedRecord(ctx, 'observation', { patientId: patient.id, importKey, fields: parsed.data, status })).action]++;
  }
  if (n === 0) throw new Hl7Error('AE', 100, 'an ORU^R01 message needs at least one OBX segment', 'OBX');
  return { patientId: patient.id, text: `observations: ${counts.created} new, ${counts.updated} updated, ${counts.unchanged} unchanged`, counts: { observationsCreated: counts.created, observationsUpdated: counts.updated } };
}
