import type { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../server/root-router.ts';
import { dataSnapshot } from './data-snapshot.ts';
import { createPractice, inviteUser, recordRouters, sampleRecordFields, type TestUser } from './fixtures.ts';
import { startTestServer, type TestServer } from './harness.ts';
import { idFields, sampleInput } from './sample-input.ts';
import { answerFromBulletLines, startFakeLlm } from './fake-llm.ts';
import { startWorker, waitFor } from './workers.ts';

/**
 * Walks the router itself: every procedure that takes an id is called with practice A's real ids by users
 * of practice B, and (for patient data) by a clinician of A outside the patient's care team. Each must
 * answer NOT_FOUND or FORBIDDEN and change nothing. A new procedure is covered without editing this file;
 * a new kind of id needs one line in `idOf`, or the walk fails and says which.
 */

type Procedure = { _def: { type: 'query' | 'mutation'; inputs: z.ZodType[] } };
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, Procedure>);

let t: TestServer;
let llm: Awaited<ReturnType<typeof startFakeLlm>>;
let ids: Record<string, string>;
let callers: { name: string; user: TestUser; patientDataOnly: boolean }[];

/** Valid fields for each kind of clinical record, by router, so that only the id can be the reason for a refusal. */
const recordFields: Record<string, object> = Object.fromEntries(Object.entries(recordRouters).map(([kind, domain]) => [domain, sampleRecordFields[kind as keyof typeof recordRouters]()]));

/** Which of A's rows an id field names, by field and procedure domain. */
function idOf(domain: string, field: string): string {
  const kind = field === 'id' ? domain : field.replace(/Id$/, '');
  const key = { guardianPatient: 'patients', patient: 'patients', clinician: 'users', type: 'appointmentTypes', import: 'imports' }[kind] ?? kind;
  const id = ids[key];
  if (!id) throw new Error(`no id of practice A for ${domain}.${field}: add one to the set-up of this test`);
  return id;
}

/** Procedures of those domains that name no patient: any clinician of the practice may call them. */
const practiceWide = new Set(['appointments.freeSlots']);

const patientScoped = new Set(['notes', 'steps', 'patients', 'allergies', 'medications', 'conditions', 'observations', 'historyEntries', 'relatedPersons', 'careTeams', 'assessments', 'alerts', 'appointments', 'portal']);

beforeAll(async () => {
  llm = await startFakeLlm(answerFromBulletLines);
  t = await startTestServer({ LLM_BASE_URL: llm.url, LLM_API_KEY: 'k' });
  const a = await createPractice(t, 'Practice A');
  const b = await createPractice(t, 'Practice B');
  const carer = await inviteUser(t, a.admin);
  const outsider = await inviteUser(t, a.admin);
  const otherClinician = await inviteUser(t, b.admin);
  const api = t.client(carer.token);

  const patient = await api.patients.create.mutate({ givenName: 'Ana', familyName: 'Ruiz', birthDate: '1990-04-01', gender: 'female', email: 'ana@example.test' });
  ids = { patients: patient.id, users: carer.id };
  for (const [domain, fields] of Object.entries(recordFields)) {
    const router = api[domain as 'allergies'];
    ids[domain] = (await router.create.mutate({ patientId: patient.id, fields: fields as never })).id;
  }
  await api.availability.setWeeklyHours.mutate({ clinicianId: carer.id, hours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '00:00', end: '24:00' })) });
  ids.appointmentTypes = (await t.client(a.admin.token).appointmentTypes.create.mutate({ name: 'Consultation', durationMinutes: 30 })).id;
  ids.availability = (await api.availability.addException.mutate({ clinicianId: carer.id, startsAt: '2030-01-01T00:00:00Z', endsAt: '2030-01-02T00:00:00Z', reason: 'Leave' })).id;
  ids.appointments = (await api.appointments.book.mutate({ clinicianId: carer.id, patientId: patient.id, typeId: ids.appointmentTypes, startsAt: '2030-02-01T09:00:00Z' })).id;
  ids.relatedPersons = (await api.relatedPersons.create.mutate({ patientId: patient.id, relationship: 'sister', name: 'Eva Ruiz' })).id;
  const assessment = await api.assessments.start.mutate({ patientId: patient.id, questionnaireKey: 'phq-9' });
  const answers = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`phq9.${i + 1}`, i === 8 ? 'several-days' : 'not-at-all']));
  ids.assessments = (await api.assessments.submit.mutate({ id: assessment.id, answers })).id;
  ids.alerts = (await api.alerts.list.query({ patientId: patient.id })).items[0]!.id;
  ids.invites = (await t.client(a.admin.token).invites.create.mutate({ email: 'pending@example.test', role: 'clinician' })).id;
  ids.tokens = (await t.client(a.admin.token).tokens.create.mutate({ name: 'a script' })).apiToken.id;
  ids.imports = (await t.client(a.admin.token).imports.begin.mutate({ type: 'patients' })).id;
  t.secret((await t.client(a.admin.token).tokens.list.query())[0]!.id);
  ids.sessions = a.admin.token.split('.')[0]!;
  // A note extracted by a worker that is stopped before the walk, so that no sweep changes data during it.
  const worker = await startWorker(t);
  ids.notes = (await api.notes.create.mutate({ patientId: patient.id, body: '- Walk every day' })).id;
  ids.steps = (await waitFor(async () => (await api.steps.list.query({ patientId: patient.id })).items[0], { what: 'an extracted step' })).id;
  ids.jobs = String((await t.agenda.queryJobs({ name: 'notes.extract' })).jobs[0]!._id);
  await worker.stop();

  callers = [
    { name: 'admin of practice B', user: b.admin, patientDataOnly: false },
    { name: 'clinician of practice B', user: otherClinician, patientDataOnly: false },
    { name: 'clinician of practice A outside the care team', user: outsider, patientDataOnly: true },
  ];
});
afterAll(async () => {
  await t.close();
  await llm.close();
});

describe('tenant isolation, walking the router', () => {
  const withIds = procedures.filter(([, p]) => p._def.inputs[0] && idFields(p._def.inputs[0]).length > 0);

  it('finds the id-taking procedures', () => {
    expect(withIds.length).toBeGreaterThan(30);
  });

  for (const [path, procedure] of withIds) {
    it(`${path}: other practices and outsiders get NOT_FOUND or FORBIDDEN, and nothing changes`, async () => {
      const [domain, name] = path.split('.') as [string, string];
      const schema = procedure._def.inputs[0]!;
      const input = sampleInput(schema);
      for (const field of idFields(schema)) input[field] = idOf(domain, field);
      if (recordFields[domain] && 'fields' in input) input.fields = recordFields[domain];

      for (const caller of callers) {
        if (caller.patientDataOnly && (!patientScoped.has(domain) || practiceWide.has(path))) continue;
        const before = await dataSnapshot(t);
        const url = `${t.url}/trpc/${path}`;
        const init = { headers: { authorization: `Bearer ${caller.user.token}`, 'content-type': 'application/json' } };
        const res = procedure._def.type === 'query'
          ? await t.fetch(`${url}?input=${encodeURIComponent(JSON.stringify(input))}`, init)
          : await t.fetch(url, { ...init, method: 'POST', body: JSON.stringify(input) });
        const body = (await res.json()) as { error?: { data: { code: string } } };
        expect(body.error?.data.code, `${caller.name} calling ${path} (${name}) with ${JSON.stringify(input)}`).toMatch(/^(NOT_FOUND|FORBIDDEN)$/);
        expect(await dataSnapshot(t), `${path} by ${caller.name} changed data`).toBe(before);
      }
    });
  }
});
