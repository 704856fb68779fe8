import { z } from 'zod';
import { text } from '../../../shared/schemas/common.ts';
import { createPatientInput, updatePatientInput, type CreatePatientInput } from '../../../shared/schemas/patients.ts';
import { allergyFields, observationFields } from '../../../shared/schemas/records.ts';
import { Hl7Error, type Hl7Issue } from './hl7-ack.ts';
import { al1Allergy, al1Fields, attendingDoctor, obxFields, obxObservation, pidFields, pidMrn, pidPatient, schemaError } from './hl7-mapping.ts';
import { read, type Hl7Message, type Hl7Segment } from './hl7-text.ts';

/**
 * What the mapping made of a message, checked with the API's own schemas before anything is written, so
 * no value the database could refuse reaches it and the transaction that follows only writes. Nothing
 * here reads the database: which of create or update applies is settled later, by the MRN, so both are
 * prepared.
 *
 * The rules: a patient created must have every required field (PID-3, PID-5 family and given names,
 * PID-7, PID-8) valid, and each allergy (AL1) valid, or the message is refused (AE); an optional field
 * that fails (phone, email, address) is left out with a warning, because the engine cannot correct it
 * and the patient is better registered without it. An update applies what is valid and leaves each
 * field or allergy that fails unchanged, with a warning: one ERR segment of severity W each.
 */

type PatientFields = Omit<CreatePatientInput, 'mrn'>;
export type PatientPlan = {
  mrn: string;
  create: { input: CreatePatientInput; warnings: Hl7Issue[] } | { error: Hl7Error };
  update: { changes: Partial<PatientFields>; warnings: Hl7Issue[] };
};
export type AllergyEntry = { importKey: string; fields: Record<string, unknown> };
export type Doctor = { id: string; name: string };

const leftOut = (issue: Hl7Issue, what: string): Hl7Issue => ({ code: issue.code, location: issue.location, message: `${issue.message} (${what})` });
const required = new Set(
  Object.entries(createPatientInput.shape)
    .filter(([, schema]) => !schema.isOptional())
    .map(([key]) => key),
);

/** The patient of a PID, as a create and as an update. Throws when it names no valid MRN, as neither can apply. */
export function patientPlan(pid: Hl7Segment): PatientPlan {
  const { fields, unreadable } = pidPatient(pid);
  if (!fields.mrn) throw new Hl7Error('AE', 101, 'a patient identifier (PID-3) is required', pidFields.mrn);
  const mrn = updatePatientInput.shape.mrn.safeParse(fields.mrn);
  if (!mrn.success) throw schemaError({ ...mrn.error.issues[0]!, path: ['mrn'] }, pidFields, 'PID');
  const valid: Record<string, unknown> = {};
  const failed: Record<string, Hl7Error> = { ...unreadable };
  for (const [key, value] of Object.entries(fields)) {
    if (key === 'mrn') continue;
    const parsed = updatePatientInput.shape[key as keyof PatientFields].safeParse(value);
    if (parsed.success) valid[key] = parsed.data;
    else failed[key] = schemaError({ ...parsed.error.issues[0]!, path: [key, ...parsed.error.issues[0]!.path] }, pidFields, 'PID');
  }
  const failedRequired = Object.entries(failed).find(([key]) => required.has(key));
  const created = createPatientInput.safeParse({ ...valid, mrn: mrn.data });
  const create = failedRequired
    ? { error: failedRequired[1] }
    : created.success
      ? { input: created.data, warnings: Object.values(failed).map((e) => leftOut(e, 'left out')) }
      : { error: schemaError(created.error.issues[0]!, pidFields, 'PID') };
  return { mrn: mrn.data!, create, update: { changes: valid as Partial<PatientFields>, warnings: Object.values(failed).map((e) => leftOut(e, 'left unchanged')) } };
}

/** Each AL1 as an allergy, and the error of each one refused (a create refuses the message for the first, an update skips them). */
export function allergyEntries(message: Hl7Message): { entries: AllergyEntry[]; errors: Hl7Error[] } {
  const entries: AllergyEntry[] = [];
  const errors: Hl7Error[] = [];
  for (const [i, al1] of message.getAllSegments('AL1').entries()) {
    try {
      const { fields, importKey } = al1Allergy(al1, i + 1);
      const parsed = allergyFields.safeParse(fields);
      if (parsed.success) entries.push({ importKey, fields: parsed.data });
      else errors.push(schemaError(parsed.error.issues[0]!, al1Fields(i + 1), `AL1^${i + 1}`));
    } catch (e) {
      if (!(e instanceof Hl7Error)) throw e;
      errors.push(e);
    }
  }
  return { entries, errors };
}

export type ObservationEntry = { importKey: string; fields: Record<string, unknown>; status: string };

/** The OBX segments of an ORU^R01 as observations (an order's OBR-3/OBR-2 and OBR-7 go with its OBXs); the first invalid one refuses the message. */
export function observationEntries(message: Hl7Message, zone: string): ObservationEntry[] {
  const entries: ObservationEntry[] = [];
  let obr: Hl7Segment | undefined;
  for (const segment of message.segments) {
    if (segment.name === 'OBR') obr = segment;
    if (segment.name !== 'OBX') continue;
    const n = entries.length + 1;
    const { fields, status, importKey } = obxObservation(segment, n, read(obr, 7), read(obr, 3) || read(obr, 2), zone);
    const parsed = observationFields.safeParse(fields);
    if (!parsed.success) throw schemaError(parsed.error.issues[0]!, obxFields(n), `OBX^${n}`);
    // The key holds the test's code and the order's id, which no field schema sees when they are not LOINC.
    if (importKey.includes('\u0000')) throw new Hl7Error('AE', 102, 'the observation identifier (OBX-3) and its order (OBR-2, OBR-3) must not contain NUL characters', obxFields(n).code);
    entries.push({ importKey, fields: parsed.data, status });
  }
  if (!entries.length) throw new Hl7Error('AE', 100, 'an ORU^R01 message needs at least one OBX segment', 'OBX');
  return entries;
}

/** The MRN an ORU names (PID-3), valid, or an AE: its patient must exist. */
export function resultsMrn(pid: Hl7Segment): string {
  const raw = pidMrn(pid);
  if (!raw) throw new Hl7Error('AE', 101, 'a patient identifier (PID-3) is required', pidFields.mrn);
  const mrn = updatePatientInput.shape.mrn.safeParse(raw);
  if (!mrn.success) throw schemaError({ ...mrn.error.issues[0]!, path: ['mrn'] }, pidFields, 'PID');
  return mrn.data!;
}

const doctorSchema = z.object({ id: text().max(320), name: text().max(200) });

/** PV1-7 when it can name anyone; an unreadable one is treated as one not found (no error). */
export function doctorOf(message: Hl7Message): Doctor | null {
  const parsed = doctorSchema.safeParse(attendingDoctor(message.getSegment('PV1')));
  return parsed.success ? parsed.data : null;
}
