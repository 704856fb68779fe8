import type { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../server/root-router.ts';
import { dataSnapshot } from './data-snapshot.ts';
import { pdfOf, uploaded } from './file-samples.ts';
import { createPractice, invitePatientToPortal, inviteUser, recordRouters, sampleRecordFields, type TestUser } from './fixtures.ts';
import { startTestServer, type TestServer } from './harness.ts';
import { idFields, inputJsonSchema, sampleInput } from './sample-input.ts';
import { answerFromBulletLines, startFakeLlm } from './fake-llm.ts';
import { callSubscription } from './subscription-call.ts';
import { startWorker, waitFor } from './workers.ts';

/**
 * Walks the router itself: every procedure that takes an id is called with practice A's real ids by users
 * of practice B and by a clinician of A outside the patient's care team. Each must answer NOT_FOUND or
 * FORBIDDEN and change nothing. Then every list (a query whose answer holds an array, found by calling each
 * query as A's own users) is called by the same users, and its answer must hold none of A's ids. A new
 * procedure is covered without editing this file, as patient data unless `practiceWide` says otherwise;
 * a new kind of id needs one line in `idOf`, or the walk fails and says which. Last, every subscription is
 * opened over real SSE by the same users, resuming from the beginning of time (everything kept that they
 * may see), and what it sends must hold none of A's ids, while A's own users' streams do hold them.
 */

type Procedure = { _def: { type: 'query' | 'mutation' | 'subscription'; inputs: z.ZodType[] } };
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, Procedure>);
const subscriptions = procedures.filter(([, p]) => p._def.type === 'subscription');
/** Queries and mutations: request and answer (subscriptions have their own walk, last). */
type Call = [string, { _def: { type: 'query' | 'mutation'; inputs: z.ZodType[] } }];
const calls = procedures.filter((entry): entry is Call => entry[1]._def.type !== 'subscription');
/** The smallest UUID v7: a stream resumed after it replays all it still keeps for its user. */
const BEGINNING = '00000000-0000-7000-8000-000000000000';

let t: TestServer;
let llm: Awaited<ReturnType<typeof startFakeLlm>>;
let ids: Record<string, string>;
let callers: { name: string; user: TestUser; patientDataOnly: boolean }[];
/** A's own users, who may call what the walk calls: a query is classified by what they get. */
let owners: TestUser[];

/** Valid fields for each kind of clinical record, by router, so that only the id can be the reason for a refusal. */
const recordFields: Record<string, object> = Object.fromEntries(Object.entries(recordRouters).map(([kind, domain]) => [domain, sampleRecordFields[kind as keyof typeof recordRouters]()]));

/** Which of A's rows an id field names, by field and procedure domain. */
function idOf(domain: string, field: string): string {
  const kind = field === 'id' ? domain : field.replace(/Id$/, '');
  const key =
    {
      guardianPatient: 'patients',
      patient: 'patients',
      clinician: 'users',
      clinicians: 'users',
      actor: 'users',
      entity: 'patients',
      type: 'appointmentTypes',
      import: 'imports',
      medication: 'medications',
      file: 'files',
      conversation: 'conversations',
      upToMessage: 'messages',
      invoice: 'invoices',
      line: 'invoiceLines',
      service: 'services',
      payment: 'payments',
    }[kind] ?? kind;
  const id = ids[key];
  if (!id) throw new Error(`no id of practice A for ${domain}.${field}: add one to the set-up of this test`);
  return id;
}

/**
 * What a clinician of the practice outside the patient's care team may call: procedures that name no
 * patient and answer any clinician of the practice. Everything else counts as patient data, so a new
 * procedure is called by the outsider too unless it is listed here, with the reason.
 */
const practiceWide: Record<string, string> = {
  'appointments.freeSlots': "a clinician's free times, for booking any patient of the practice",
  'availability.list': "a clinician's working hours and leave, shared by the practice for booking",
  'clinicians.byId': "a colleague's directory entry: every user of the practice may find its clinicians",
};

/** Queries outside the lists walk, with the reason. */
const notLists: Record<string, string> = {
  'invites.lookup': "public: its input is an invite's secret token, the credential itself",
  'reminders.lookupCheckIn': "public: its input is a reminder mail's signed link, the credential itself",
  'reminders.lookupUnsubscribe': "public: its input is a reminder mail's signed link, the credential itself",
};

/** Kinds of A's rows that name no patient: the outsider of A may see them (its own practice's staff, types, hours). */
const practiceRows = new Set(['users', 'appointmentTypes', 'availability', 'invites', 'tokens', 'imports', 'sessions', 'jobs', 'services', 'taxRates', 'organisations']);

/** Calls a procedure over HTTP as `user`, as scripts do; the parsed JSON body. */
async function call(user: TestUser, path: string, type: 'query' | 'mutation', input: unknown): Promise<{ result?: { data: unknown }; error?: { data: { code: string } } }> {
  const url = `${t.url}/trpc/${path}`;
  const init = { headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' } };
  const res = type === 'query' ? await t.fetch(`${url}?input=${encodeURIComponent(JSON.stringify(input))}`, init) : await t.fetch(url, { ...init, method: 'POST', body: JSON.stringify(input) });
  return (await res.json()) as never;
}

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
  // patients.merge names two: the patient, and another of A's to merge it into.
  const other = await api.patients.create.mutate({ givenName: 'Ines', familyName: 'Ruiz', birthDate: '1991-05-02', gender: 'female' });
  ids = { patients: patient.id, users: carer.id, source: patient.id, target: other.id };
  for (const [domain, fields] of Object.entries(recordFields)) {
    const router = api[domain as 'allergies'];
    ids[domain] = (await router.create.mutate({ patientId: patient.id, fields: fields as never })).id;
  }
  await api.availability.setWeeklyHours.mutate({ clinicianId: carer.id, hours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '00:00', end: '24:00' })) });
  ids.appointmentTypes = (await t.client(a.admin.token).appointmentTypes.create.mutate({ name: 'Consultation', durationMinutes: 30 })).id;
  ids.availability = (await api.availability.addException.mutate({ clinicianId: carer.id, startsAt: '2030-01-01T00:00:00Z', endsAt: '2030-01-02T00:00:00Z', reason: 'Leave' })).id;
  // Soon, so that the lists' period (`period`) holds it.
  ids.appointments = (await api.appointments.book.mutate({ clinicianId: carer.id, patientId: patient.id, typeId: ids.appointmentTypes, startsAt: `${day(10)}T09:00:00Z` })).id;
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

  const portal = await invitePatientToPortal(t, carer.token, patient.id);
  // Moved by the admin: the patient (now on the portal) and the clinician are told, so A's streams carry A's ids.
  await t.client(a.admin.token).appointments.reschedule.mutate({ id: ids.appointments, startsAt: `${day(10)}T10:00:00Z` });
  // A request waiting for a clinician of A who is not on the care team.
  const chosen = await inviteUser(t, a.admin);
  await t.client(chosen.token).clinicians.updateProfile.mutate({ id: chosen.id, acceptsNewPatients: true });
  ids.careRequests = (await t.client(portal.token).careRequests.create.mutate({ patientId: patient.id, clinicianId: chosen.id })).id;
  ids.deliveries = (await t.client(portal.token).deliveries.create.mutate({ medicationId: ids.medications!, quantity: 1, address: { lines: ['1 Calle Mayor'], city: 'Madrid', country: 'ES' } })).id;
  ids.sos = (await t.client(portal.token).sos.raise.mutate({ patientId: patient.id, text: 'Dizzy', callbackPhone: '+34612345678' })).id;
  // A document of the patient's, and an upload of the carer's that nothing has claimed (files.byId, documents.create).
  ids.documents = (await api.documents.create.mutate({ patientId: patient.id, fileId: await uploaded(t, carer.token, pdfOf()), title: 'Referral', category: 'referral' })).id;
  ids.files = await uploaded(t, carer.token, pdfOf());
  const conversation = await api.conversations.create.mutate({ patientId: patient.id, kind: 'care-team', firstMessage: { body: 'Hola' } });
  ids.conversations = conversation.id;
  ids.messages = conversation.firstMessage!.id;
  // Billing: the price list, a payer, a charge of the patient's, an invoice issued with its line (a draft of it would be the portal's NOT_FOUND anyway), and a payment of it.
  const admin = t.client(a.admin.token);
  ids.taxRates = (await admin.taxRates.create.mutate({ name: 'VAT 23%', ratePpm: 230_000 })).id;
  ids.services = (await admin.services.create.mutate({ code: 'CONS', name: 'Consultation', price: 8000, taxRateId: ids.taxRates })).id;
  ids.organisations = (await admin.organisations.create.mutate({ name: 'Insurer A', kind: 'insurer' })).id;
  ids.charges = (await api.charges.create.mutate({ patientId: patient.id, serviceId: ids.services })).id;
  const invoice = await admin.invoices.createDraft.mutate({ patientId: patient.id });
  ids.invoiceLines = invoice.lines[0]!.id;
  ids.invoices = (await admin.invoices.issue.mutate({ id: invoice.id })).id;
  ids.payments = (await admin.payments.record.mutate({ patientId: patient.id, amount: 500, method: 'cash', allocations: [{ invoiceId: ids.invoices, amount: 500 }] })).id;

  // The clinician and the patient's portal user are told of the reschedule (the subscriptions walk looks for it).
  owners = [carer, a.admin, portal];
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
  const withIds = calls.filter(([, p]) => p._def.inputs[0] && idFields(p._def.inputs[0]).length > 0);

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
        if (caller.patientDataOnly && path in practiceWide) continue;
        const before = await dataSnapshot(t);
        const body = await call(caller.user, path, procedure._def.type, input);
        expect(body.error?.data.code, `${caller.name} calling ${path} (${name}) with ${JSON.stringify(input)}`).toMatch(/^(NOT_FOUND|FORBIDDEN)$/);
        expect(await dataSnapshot(t), `${path} by ${caller.name} changed data`).toBe(before);
      }
    });
  }
});

/** The UTC date `n` days from today. */
const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

/** The inputs a list is walked with: its required fields (ids: A's), then also every optional id filter set to A's ids. */
function listInputs(domain: string, schema: z.ZodType | undefined): Record<string, unknown>[] {
  if (!schema) return [{}];
  const json = inputJsonSchema(schema);
  const base = sampleInput(schema);
  for (const field of idFields(schema)) base[field] = idOf(domain, field);
  // A period that holds A's rows (made today, the appointment in 10 days) and that every list accepts.
  for (const [field, prop] of Object.entries(json.properties ?? {})) {
    const format = prop.format ?? prop.anyOf?.find((c) => c.format)?.format;
    const date = { from: day(-7), since: day(-7), to: day(20), until: day(20) }[field];
    if (date && format === 'date') base[field] = date;
    if (date && format === 'date-time') base[field] = `${date}T00:00:00Z`;
  }
  const optionalIds = Object.keys(json.properties ?? {}).filter((key) => /Id$/.test(key) && !(key in base));
  return optionalIds.length ? [base, { ...base, ...Object.fromEntries(optionalIds.map((key) => [key, idOf(domain, key)])) }] : [base];
}

const holdsArray = (data: unknown): boolean => Array.isArray(data) || (!!data && typeof data === 'object' && Object.values(data).some(holdsArray));

describe('tenant isolation, walking the lists', () => {
  const queries = procedures.filter(([path, p]) => p._def.type === 'query' && !(path in notLists));
  /** Each query's answer to the first of A's own users who may call it: a list is a query whose answer holds an array. */
  const answers = new Map<string, unknown>();
  beforeAll(async () => {
    for (const [path, procedure] of queries) {
      const input = listInputs(path.split('.')[0]!, procedure._def.inputs[0]).at(-1);
      for (const owner of owners) {
        const body = await call(owner, path, 'query', input);
        if (body.result) {
          answers.set(path, body.result.data);
          break;
        }
      }
    }
  });

  it("every query is answered to one of A's own users, and the lists are found", () => {
    expect(
      queries.map(([path]) => path).filter((path) => !answers.has(path)),
      "queries none of A's users could call: the walk cannot tell whether they are lists",
    ).toEqual([]);
    expect([...answers].filter(([, data]) => holdsArray(data)).length).toBeGreaterThan(25);
    // The walk looks for the right thing: A's own clinician sees the victim's ids where B's users must not.
    expect(JSON.stringify(answers.get('patients.list'))).toContain(ids.patients);
    expect(JSON.stringify(answers.get('notes.list'))).toContain(ids.notes);
  });

  for (const [path, procedure] of queries) {
    it(`${path}: if it is a list, other practices and outsiders see none of A's ids`, async () => {
      if (!holdsArray(answers.get(path))) return;
      const domain = path.split('.')[0]!;
      for (const caller of callers) {
        if (caller.patientDataOnly && path in practiceWide) continue;
        const victims = Object.entries(ids).filter(([kind]) => !caller.patientDataOnly || !practiceRows.has(kind));
        for (const input of listInputs(domain, procedure._def.inputs[0])) {
          const json = JSON.stringify(await call(caller.user, path, 'query', input));
          const seen = victims.filter(([, id]) => json.includes(id)).map(([kind]) => kind);
          expect(seen, `${caller.name} calling ${path} with ${JSON.stringify(input)} saw A's ${seen.join(', ')}`).toEqual([]);
        }
      }
    });
  }
});

describe('tenant isolation, walking the subscriptions', () => {
  it("finds the subscriptions, and A's own users hear of A's rows on them", async () => {
    expect(subscriptions.length).toBeGreaterThan(0);
    for (const [path] of subscriptions) {
      // The clinician and the patient hear of it on their own streams, the admin on the practice's.
      const hearers = path === 'notifications.practiceStream' ? [owners[1]!] : [owners[0]!, owners[2]!];
      for (const owner of hearers) {
        const answer = await callSubscription(t, path, JSON.stringify({ lastEventId: BEGINNING }), owner.token, { listenMs: 300 });
        expect('opened' in answer && answer.text, `${path} as A's own user`).toContain(ids.appointments);
      }
    }
  });

  for (const [path, procedure] of subscriptions) {
    it(`${path}: other practices and outsiders receive none of A's ids`, async () => {
      const input = procedure._def.inputs[0] ? JSON.stringify({ lastEventId: BEGINNING }) : undefined;
      for (const caller of callers) {
        const answer = await callSubscription(t, path, input, caller.user.token, { listenMs: 300 });
        // Opened, or refused for the caller's role: either way nothing of A's.
        if ('error' in answer) expect(answer.error.code, `${caller.name} opening ${path}`).toBe('FORBIDDEN');
        else expect(answer.opened).toBe(true);
        const text = 'opened' in answer ? answer.text : '';
        const seen = Object.entries(ids)
          .filter(([, id]) => text.includes(id))
          .map(([kind]) => kind);
        expect(seen, `${caller.name} on ${path} received A's ${seen.join(', ')}`).toEqual([]);
      }
    });
  }
});
