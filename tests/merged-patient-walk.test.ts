import type { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../server/root-router.ts';
import { dataSnapshot } from './data-snapshot.ts';
import { createPatient, createPractice, invitePatientToPortal, inviteUser, recordRouters, sampleRecordFields, sql, type TestUser } from './fixtures.ts';
import { startTestServer, type TestServer } from './harness.ts';
import { inputJsonSchema, sampleInput } from './sample-input.ts';

/**
 * A record merged into another stays, read-only, for its history. The walk: every mutation whose input
 * names a patient (`patientId`, `guardianPatientId`, or `id` for patients.*) is called with the merged
 * record, and must be refused with CONFLICT `patient-merged` and change nothing. A merge takes the
 * record off every care team and guardian, so to reach it at all the walk puts a clinician and a
 * guardian back on it by hand: the refusal must hold whoever reaches it. A new procedure naming a patient
 * is walked without editing this file.
 */

type Procedure = { _def: { type: 'query' | 'mutation'; inputs: z.ZodType[] } };
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, Procedure>);
const recordFields: Record<string, object> = Object.fromEntries(Object.entries(recordRouters).map(([kind, domain]) => [domain, sampleRecordFields[kind as keyof typeof recordRouters]()]));

/** The fields of a procedure's input that can name a patient. */
function patientFields(path: string, schema: z.ZodType | undefined): string[] {
  if (!schema) return [];
  const properties = Object.keys(inputJsonSchema(schema).properties ?? {});
  return properties.filter((key) => key === 'patientId' || key === 'guardianPatientId' || (key === 'id' && path.startsWith('patients.')));
}
const walked = procedures.filter(([path, p]) => p._def.type === 'mutation' && patientFields(path, p._def.inputs[0]).length);

let t: TestServer;
let admin: TestUser;
let carer: TestUser;
let guardian: TestUser;
let merged: string;
let target: string;
/** Rows of the practice the inputs name besides the patient: a clinician off the care team, one on it, a type, a guardian's record. */
let ids: Record<string, string>;

beforeAll(async () => {
  t = await startTestServer();
  ({ admin } = await createPractice(t, 'Practice A'));
  carer = await inviteUser(t, admin);
  const outsider = await inviteUser(t, admin);
  await t.client(outsider.token).clinicians.updateProfile.mutate({ id: outsider.id, acceptsNewPatients: true });
  const type = await t.client(admin.token).appointmentTypes.create.mutate({ name: 'Consultation', durationMinutes: 30, bookableByPatients: true });
  const guardianRecord = await createPatient(t, carer.token, { givenName: 'Gus', familyName: 'Guardian', email: 'gus@example.test' });
  guardian = await invitePatientToPortal(t, carer.token, guardianRecord.id);

  merged = (await createPatient(t, carer.token, { givenName: 'Dup', familyName: 'Merged', email: 'dup@example.test' })).id;
  target = (await createPatient(t, carer.token, { givenName: 'Kept', familyName: 'Merged' })).id;
  await t.client(admin.token).patients.merge.mutate({ sourceId: merged, targetId: target });
  // Back on the merged record by hand: the clinician on its care team, the guardian acting for it.
  await sql(t, 'insert into care_team_member (id, practice_id, patient_id, clinician_id, created_at) values (uuidv7(), ?, ?, ?, now())', [admin.practiceId, merged, carer.id]);
  await sql(t, 'insert into guardianship (id, practice_id, dependent_id, guardian_id, created_at) values (uuidv7(), ?, ?, ?, now())', [admin.practiceId, merged, guardian.id]);
  ids = { clinicianId: outsider.id, typeId: type.id, guardianPatientId: guardianRecord.id };
});

afterAll(async () => {
  await t?.close();
});

/** The input naming the merged record: the schema's sample, the practice's rows, and fields a kind of record needs. */
function inputFor(path: string, schema: z.ZodType): Record<string, unknown> {
  const [domain] = path.split('.') as [string];
  const input: Record<string, unknown> = { ...sampleInput(schema) };
  for (const [field, id] of Object.entries(ids)) if (field in input) input[field] = id;
  for (const field of patientFields(path, schema)) if (field !== 'guardianPatientId') input[field] = merged;
  // Leaving or removing names a clinician on the team: the one put back on the merged record.
  if (path === 'careTeams.leave' || path === 'careTeams.remove') input.clinicianId = carer.id;
  if (path === 'patients.update') input.givenName = 'Changed';
  if (path === 'portal.updateProfile') input.phone = '+353871112222';
  if (recordFields[domain] && 'fields' in input) input.fields = recordFields[domain];
  return input;
}

type Answer = { error?: { data: { code: string; reason?: string | null } } };

async function call(user: TestUser, path: string, input: unknown): Promise<Answer> {
  const res = await t.fetch(`${t.url}/trpc/${path}`, { method: 'POST', headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' }, body: JSON.stringify(input) });
  return (await res.json()) as Answer;
}

describe('a merged record refuses writes', () => {
  it('walks the mutations that name a patient', () => {
    const paths = walked.map(([path]) => path);
    // The walk finds them from the router; these must be among them, or it would walk nothing.
    for (const path of ['patients.update', 'allergies.create', 'appointments.book', 'notes.create', 'portal.updateProfile', 'careRequests.create', 'careTeams.add', 'patients.addGuardian']) {
      expect(paths).toContain(path);
    }
  });

  it.each(walked.map(([path, p]) => [path, p] as const))('%s refuses the merged record, and changes nothing', async (path, procedure) => {
    const input = inputFor(path, procedure._def.inputs[0]!);
    const before = await dataSnapshot(t);
    // The first of the roles that may call it: staff first, then the guardian (portal procedures).
    let answer: Answer | undefined;
    for (const user of [admin, carer, guardian]) {
      answer = await call(user, path, input);
      if (answer.error?.data.code !== 'FORBIDDEN') break;
    }
    expect(answer!.error?.data, JSON.stringify(answer)).toMatchObject({ code: 'CONFLICT', reason: 'patient-merged' });
    expect(await dataSnapshot(t)).toBe(before);
  });

  it('names the merged record as a guardian: refused too', async () => {
    const dependent = await createPatient(t, carer.token);
    const answer = await call(carer, 'patients.addGuardian', { patientId: dependent.id, guardianPatientId: merged });
    expect(answer.error?.data).toMatchObject({ code: 'CONFLICT', reason: 'patient-merged' });
  });

  it('refuses HL7 messages and CSV rows naming the merged record by its MRN, pointing at the one it went into', async () => {
    const api = t.client(admin.token);
    const [mergedMrn, targetMrn] = [(await api.patients.byId.query({ id: merged })).mrn, (await api.patients.byId.query({ id: target })).mrn];
    const msh = (type: string, controlId: string) => `MSH|^~\\&|ENGINE|HOSP|PAMS|CLINIC|20240305101500||${type}|${controlId}|P|2.5`;
    const a08 = [msh('ADT^A08^ADT_A01', 'MERGED-1'), `PID|1||${mergedMrn}^^^HOSP^MR||Walsh^Ciara||19920304|F`].join('\r');
    const oru = [msh('ORU^R01^ORU_R01', 'MERGED-2'), `PID|1||${mergedMrn}^^^HOSP^MR`, 'OBR|1|O1|F1|24323-8^Panel^LN|||20240301083000', 'OBX|1|NM|2823-3^Potassium^LN||4.4|mmol/L|3.5-5.1|N|||F'].join(
      '\r',
    );
    const before = await dataSnapshot(t);
    for (const message of [a08, oru]) {
      const answer = await api.hl7.receive.mutate({ message });
      expect(answer.ackCode).toBe('AE');
      expect(answer.ack).toContain(`merged into MRN ${targetMrn}`);
    }
    const { id } = await api.imports.begin.mutate({ type: 'patients' });
    const added = await api.imports.add.mutate({ importId: id, rows: [{ line: 2, values: { mrn: mergedMrn, givenName: 'Dup', familyName: 'Changed', birthDate: '1990-01-01', gender: 'F' } }] });
    expect(added.errors).toEqual([{ line: 2, field: 'mrn', message: `belongs to a record merged into MRN ${targetMrn}: import into that one` }]);
    await api.imports.cancel.mutate({ importId: id });
    expect(await dataSnapshot(t)).toBe(before);
  });

  it('still reads: the record, its history, its FHIR export', async () => {
    const api = t.client(admin.token);
    expect(await api.patients.byId.query({ id: merged })).toMatchObject({ id: merged, status: 'merged', mergedIntoId: target });
    expect(await api.patients.history.query({ id: merged })).toEqual(expect.any(Array));
    expect((await api.patients.fhir.query({ id: merged })).resourceType).toBe('Bundle');
  });
});
