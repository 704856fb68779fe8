import type { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../server/root-router.ts';
import { extracted } from './care-loop-setup.ts';
import { answerFromBulletLines, startFakeLlm } from './fake-llm.ts';
import { createPatient, createPractice, inviteUser, recordApi, recordKinds, recordRouters, sampleRecordFields } from './fixtures.ts';
import { startTestServer, type TestServer } from './harness.ts';
import { extremeVariants, inputJsonSchema, sample } from './sample-input.ts';
import { startWorker } from './workers.ts';

/**
 * Every field of every procedure, one at a time, set to each extreme value of its kind (tests/sample-input.ts
 * `extremes`), with real ids in play so the call gets past the lookups to the service and the database:
 * never a 500. A new procedure or field is walked without editing this file.
 */

type Procedure = { _def: { type: 'query' | 'mutation'; inputs: z.ZodType[] } };
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, Procedure>).filter(([, p]) => p._def.inputs[0]);

let t: TestServer;
let llm: Awaited<ReturnType<typeof startFakeLlm>>;
let token: string;
/** Real ids by field name, and for `id` by the procedure's router. */
let ids: Record<string, string>;
/** Per router, ids that differ: a new note for the patient would cancel the steps the walk updates. */
let idsByRouter: Record<string, Record<string, string>>;
/** Valid inputs to start from where a schema's sample alone is refused as a whole (a record's rules across fields). */
let bases: Record<string, Record<string, unknown>>;

beforeAll(async () => {
  llm = await startFakeLlm(answerFromBulletLines);
  t = await startTestServer({ LLM_BASE_URL: llm.url, LLM_API_KEY: 'test-llm-key', LLM_MODEL: 'fake-model' });
  await startWorker(t);
  const { admin } = await createPractice(t);
  const clinician = await inviteUser(t, admin);
  token = t.secret((await t.client(admin.token).tokens.create.mutate({ name: 'extreme input' })).token);
  const api = t.client(admin.token);
  const patient = await createPatient(t, admin.token, { timeZone: 'Pacific/Kiritimati' });
  const guardian = await createPatient(t, admin.token);
  await api.careTeams.add.mutate({ patientId: patient.id, clinicianId: clinician.id });
  const records = Object.fromEntries(
    await Promise.all(
      recordKinds.map(async (kind) => [recordRouters[kind], (await recordApi(t, admin.token, kind).create.mutate({ patientId: patient.id, fields: sampleRecordFields[kind]() })).id] as const),
    ),
  );
  const type = await api.appointmentTypes.create.mutate({ name: 'Review', durationMinutes: 30 });
  await api.availability.setWeeklyHours.mutate({ clinicianId: clinician.id, hours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '00:00', end: '24:00' })) });
  const appointment = await api.appointments.book.mutate({
    clinicianId: clinician.id,
    patientId: patient.id,
    typeId: type.id,
    startsAt: new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 13) + ':00:00Z',
  });
  const note = await api.notes.create.mutate({ patientId: patient.id, body: '- Walk every day at 08:00' });
  await extracted(t, admin.token, note.id);
  const step = (await api.steps.list.query({ patientId: patient.id })).items[0]!;
  const assessment = await api.assessments.start.mutate({ patientId: patient.id, questionnaireKey: 'phq-9' });
  const related = await api.relatedPersons.create.mutate({ patientId: patient.id, relationship: 'sister', name: 'Ann Lee' });
  const importSession = await api.imports.begin.mutate({ type: 'patients' });
  ids = {
    patientId: patient.id,
    clinicianId: clinician.id,
    typeId: type.id,
    guardianPatientId: guardian.id,
    importId: importSession.id,
    actorId: admin.id,
    patients: patient.id,
    users: clinician.id,
    clinicians: clinician.id,
    appointmentTypes: type.id,
    appointments: appointment.id,
    notes: note.id,
    steps: step.id,
    assessments: assessment.id,
    relatedPersons: related.id,
    ...records,
  };
  idsByRouter = { notes: { patientId: guardian.id } };
  bases = {
    'observations.create': { patientId: patient.id, fields: sampleRecordFields.observation() },
    'observations.update': { id: records.observations!, fields: sampleRecordFields.observation() },
    'steps.update': { id: step.id, schedule: { cadence: 'weekly', startDate: '2026-01-05' } },
    // Answers keyed by the questionnaire's real items, so a value reaches the service.
    'assessments.saveAnswers': { id: assessment.id, answers: { 'phq9.1': 'several-days' } },
  };
}, 60_000);
afterAll(async () => {
  await t.close();
  await llm.close();
});

/** The sample input with real ids in its id fields. */
function withIds(path: string, value: unknown): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  const domain = path.split('.')[0]!;
  const named = { ...ids, ...idsByRouter[domain] };
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'id' ? (ids[domain] ?? v) : (named[k] ?? withIds(path, v))]));
}

describe('extreme values at every field', () => {
  it('walks the whole router', () => {
    expect(procedures.length).toBeGreaterThan(50);
  });

  for (const [path, procedure] of procedures) {
    it(`${path} never answers 500`, async () => {
      const schema = inputJsonSchema(procedure._def.inputs[0]!);
      const base = (bases[path] ?? withIds(path, sample(schema))) as Record<string, unknown>;
      const inputs = extremeVariants(schema).map((v) => ({ ...base, ...(withIds(path, v) as object) }));
      // Nested fields too: a variant of `fields.x` keeps the rest of the valid base's `fields`.
      for (const [key, value] of Object.entries(base)) {
        const prop = schema.properties?.[key];
        if (prop && value && typeof value === 'object' && !Array.isArray(value)) {
          for (const v of extremeVariants(prop, key)) inputs.push({ ...base, [key]: { ...value, ...(v as object) } });
          // A record's own entries (answers by item id) take each extreme value of their kind.
          const entry = typeof prop.additionalProperties === 'object' ? prop.additionalProperties : null;
          for (const k of entry ? Object.keys(value) : []) for (const v of extremeVariants(entry!, k)) inputs.push({ ...base, [key]: { ...value, [k]: v } });
        }
      }
      const failures: string[] = [];
      for (const input of inputs) {
        const body = JSON.stringify(input);
        const url = `${t.url}/trpc/${path}`;
        const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
        const res = procedure._def.type === 'query' ? await t.fetch(`${url}?input=${encodeURIComponent(body)}`, { headers }) : await t.fetch(url, { method: 'POST', headers, body });
        const text = await res.text();
        if (res.status >= 500) failures.push(`${res.status} ${body.slice(0, 200)} -> ${text.slice(0, 120)}`);
      }
      expect(failures.join('\n'), `${path}: ${inputs.length} inputs`).toBe('');
      // A random `practices.update` may turn on practice-wide MFA, which would refuse everything after it.
      await t.em().getConnection().execute('update practice set mfa_required = false');
    });
  }
});
