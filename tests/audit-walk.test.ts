import type { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signLink } from '../server/modules/reminders/reminder-links.ts';
import { appRouter } from '../server/root-router.ts';
import type { Meta } from '../server/trpc.ts';
import { answerFromBulletLines, startFakeLlm } from './fake-llm.ts';
import { pdfOf, uploaded } from './file-samples.ts';
import { createPatient, createPractice, invitePatientToPortal, inviteUser, recordRouters, sampleRecordFields, sql, type TestUser } from './fixtures.ts';
import { startFakeStripe } from './fake-stripe.ts';
import { startTestServer, type TestServer } from './harness.ts';
import { idFields, inputJsonSchema, sampleInput } from './sample-input.ts';
import { callSubscription } from './subscription-call.ts';
import { startWorker, waitFor } from './workers.ts';

/**
 * The audit walk: every procedure whose meta says `phi` is called successfully, through real HTTP, and
 * must leave at least one new audit row. It walks the router itself, so a new PHI procedure is covered
 * without editing this file (or fails saying it needs an input below). The other direction: every query
 * not marked `phi` is called too, and must not answer with the patient's data (their id or name), and no
 * unmarked procedure may name a patient in its input unless it is on the short list below, with the reason.
 * A subscription is called by opening it over real SSE (tests/subscription-call.ts): refused, or opened and
 * heard briefly (resuming from the beginning, so it replays what its user was told), then closed.
 */

type Procedure = { _def: { type: 'query' | 'mutation' | 'subscription'; inputs: z.ZodType[]; meta?: Meta } };
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, Procedure>);
const phi = procedures.filter(([, p]) => p._def.meta?.phi);

/** Procedures not marked `phi` that name a patient (in their input or answer), and why they are not audited. */
const notPhi: Record<string, string> = {
  'careTeams.list': 'names the clinicians on a care team, nothing of the patient',
  'portal.careTeam': "the directory's public entries of the clinicians on the patient's own care team, nothing of the patient",
  'patients.invitePortal': 'sends the patient an invite to the portal, which the invites module audits',
  'audit.list': 'the audit trail names patients by id only; reading it is not itself audited',
};

let t: TestServer;
let llm: Awaited<ReturnType<typeof startFakeLlm>>;
let stripe: Awaited<ReturnType<typeof startFakeStripe>>;
let admin: TestUser;
let carer: TestUser;
let portalUser: TestUser;
let patient: { id: string; familyName: string };
/** What betrays a patient's data in an answer: the ids of this walk's patients (all named Quillfeather). */
let patientIds: string[];
let ids: Record<string, string>;
/** Inputs the schema's sample cannot make, by procedure: a row one call uses up (an appointment to cancel, a step to accept). */
let inputs: Record<string, Record<string, unknown> | (() => Promise<Record<string, unknown>>)>;

const recordFields: Record<string, object> = Object.fromEntries(Object.entries(recordRouters).map(([kind, domain]) => [domain, sampleRecordFields[kind as keyof typeof recordRouters]()]));

function idOf(domain: string, field: string): string | undefined {
  const kind = field === 'id' ? domain : field.replace(/Id$/, '');
  return ids[
    { patient: 'patients', clinician: 'users', clinicians: 'users', type: 'appointmentTypes', import: 'imports', guardianPatient: 'guardian', conversation: 'conversations', upToMessage: 'messages' }[
      kind
    ] ?? kind
  ];
}

/** The generic input: the schema's sample, with practice A's ids and, where the input can name a patient, ours. */
function genericInput(path: string, schema: z.ZodType | undefined): Record<string, unknown> {
  if (!schema) return {};
  const [domain] = path.split('.') as [string];
  const input = sampleInput(schema);
  for (const field of idFields(schema)) {
    const id = idOf(domain, field);
    if (!id) throw new Error(`no id for ${path}.${field}: add it to the set-up of this test, or an input to \`inputs\``);
    input[field] = id;
  }
  if ('patientId' in (inputJsonSchema(schema).properties ?? {})) input.patientId = patient.id;
  if (recordFields[domain] && 'fields' in input) input.fields = recordFields[domain];
  return input;
}

/** The smallest UUID v7: a stream resumed after it replays all it still keeps for its user. */
const BEGINNING = '00000000-0000-7000-8000-000000000000';

type Answer = { body: { result?: { data: unknown }; error?: { data: { code: string } } } };

async function call(path: string, procedure: Procedure, user: TestUser, input: Record<string, unknown> | undefined): Promise<Answer> {
  if (procedure._def.type === 'subscription') {
    const answer = await callSubscription(t, path, JSON.stringify({ ...input, lastEventId: BEGINNING }), user.token, { listenMs: 300 });
    return { body: 'error' in answer ? { error: { data: answer.error } } : { result: { data: answer.text } } };
  }
  const url = `${t.url}/trpc/${path}`;
  const init = { headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' } };
  const res =
    procedure._def.type === 'query'
      ? await t.fetch(input ? `${url}?input=${encodeURIComponent(JSON.stringify(input))}` : url, init)
      : await t.fetch(url, { ...init, method: 'POST', body: JSON.stringify(input ?? {}) });
  return { body: (await res.json()) as Answer['body'] };
}

/** The first of the care-team clinician, the admin and the patient whose role may call the procedure. */
async function callAsAllowed(path: string, procedure: Procedure, input: Record<string, unknown> | undefined): Promise<Answer> {
  let answer: Answer | undefined;
  for (const user of [carer, admin, portalUser]) {
    answer = await call(path, procedure, user, input);
    if (answer.body.error?.data.code !== 'FORBIDDEN') break;
  }
  return answer!;
}

const auditRows = async () => (await sql<{ n: number }>(t, 'select count(*)::int as n from audit_event'))[0]!.n;

beforeAll(async () => {
  llm = await startFakeLlm(answerFromBulletLines);
  stripe = await startFakeStripe('whsec_walk');
  t = await startTestServer({ LLM_BASE_URL: llm.url, LLM_API_KEY: 'k', ...stripe.env });
  ({ admin } = await createPractice(t, 'Practice A'));
  carer = await inviteUser(t, admin);
  const api = t.client(carer.token);
  const adminApi = t.client(admin.token);

  patient = await createPatient(t, carer.token, { givenName: 'Audra', familyName: 'Quillfeather', email: 'audra@example.test' });
  const guardian = await createPatient(t, carer.token, { givenName: 'Gus', familyName: 'Quillfeather', email: 'gus@example.test' });
  await invitePatientToPortal(t, carer.token, guardian.id);
  const archived = await createPatient(t, carer.token, { givenName: 'Ada', familyName: 'Quillfeather' });
  // A note cancels its patient's pending steps: the steps walked belong to a patient who gets no other note.
  const stepsPatient = await createPatient(t, carer.token, { givenName: 'Sam', familyName: 'Quillfeather' });
  ids = { patients: patient.id, guardian: guardian.id, users: carer.id };
  patientIds = [patient.id, guardian.id, archived.id, stepsPatient.id];
  const statusChanges: Record<string, Record<string, unknown>> = {};
  for (const [domain, fields] of Object.entries(recordFields)) {
    const record = await api[domain as 'allergies'].create.mutate({ patientId: patient.id, fields: fields as never });
    ids[domain] = record.id;
    // A status change to the status it has already changes nothing, so writes no audit row: another status.
    const [, setStatus] = procedures.find(([path]) => path === `${domain}.setStatus`)!;
    const statuses = (inputJsonSchema(setStatus._def.inputs[0]!).properties?.status?.enum ?? []) as string[];
    statusChanges[`${domain}.setStatus`] = { id: record.id, status: statuses.find((status) => status !== record.status) };
  }
  ids.relatedPersons = (await api.relatedPersons.create.mutate({ patientId: patient.id, relationship: 'sister', name: 'Eva Quillfeather' })).id;

  await api.availability.setWeeklyHours.mutate({ clinicianId: carer.id, hours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '00:00', end: '24:00' })) });
  ids.appointmentTypes = (await adminApi.appointmentTypes.create.mutate({ name: 'Consultation', durationMinutes: 30 })).id;
  const hour = (n: number) => new Date(Date.UTC(2030, 1, 1, n)).toISOString();
  const book = async (startsAt: string) => (await api.appointments.book.mutate({ clinicianId: carer.id, patientId: patient.id, typeId: ids.appointmentTypes!, startsAt })).id;
  ids.appointments = await book(hour(1));
  const toCancel = await book(hour(2));
  // What happened at a visit is marked only once it has begun: these three are past.
  const pastHour = (n: number) => new Date(Date.UTC(2020, 1, 1, n)).toISOString();
  const [toArrive, toComplete, toMiss] = [await book(pastHour(3)), await book(pastHour(4)), await book(pastHour(5))];

  const started = await api.assessments.start.mutate({ patientId: patient.id, questionnaireKey: 'phq-9' });
  const answers = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`phq9.${i + 1}`, i === 8 ? 'several-days' : 'not-at-all']));
  ids.assessments = started.id;
  const submitted = (await api.assessments.submit.mutate({ id: (await api.assessments.start.mutate({ patientId: patient.id, questionnaireKey: 'phq-9' })).id, answers })).id;
  ids.alerts = (await api.alerts.list.query({ patientId: patient.id })).items[0]!.id;

  // Steps in the states their procedures move them from (proposed, for review, then some accepted),
  // extracted by a worker stopped before the walk.
  await adminApi.practices.update.mutate({ reviewExtractedSteps: true });
  const worker = await startWorker(t);
  ids.notes = (
    await api.notes.create.mutate({ patientId: stepsPatient.id, body: '- Book a blood test\n- Buy a scale\n- Bring your diary\n- Walk every day\n- Swim every day\n- Stretch daily\n- Jog every day' })
  ).id;
  const steps = await waitFor(
    async () => {
      const page = await api.steps.list.query({ patientId: stepsPatient.id });
      return page.items.length === 7 && page.items;
    },
    { what: 'seven extracted steps' },
  );
  await worker.stop();
  const step = (title: string) => steps.find((s) => s.title === title)!.id;
  ids.steps = step('Walk every day');
  await api.steps.accept.mutate({ id: step('Bring your diary') });
  await api.steps.accept.mutate({ id: step('Stretch daily') });
  await api.steps.accept.mutate({ id: step('Jog every day') });
  // A reminder mail's links, signed as the sweep signs them (server/modules/reminders/reminder-links.ts).
  const link = { practiceId: carer.practiceId, patientId: stepsPatient.id };
  const checkInLink = signLink(t.config.encryptionKeys, { ...link, purpose: 'check-in', stepId: step('Jog every day'), localDay: '2030-01-01', expiresAt: Date.now() + 86_400_000 });
  portalUser = await invitePatientToPortal(t, carer.token, patient.id);
  // Clinicians the patient may ask to take them on (careRequests), each request used up by one call.
  const takingPatients = async () => {
    const clinician = await inviteUser(t, admin);
    await t.client(clinician.token).clinicians.updateProfile.mutate({ id: clinician.id, acceptsNewPatients: true });
    return clinician.id;
  };
  const careRequest = async () => (await t.client(portalUser.token).careRequests.create.mutate({ patientId: patient.id, clinicianId: await takingPatients() })).id;
  // Requests the care-team clinician (the first caller) answers, each from a patient the admin registered: not on their team yet.
  await api.clinicians.updateProfile.mutate({ id: carer.id, acceptsNewPatients: true });
  const requestToCarer = async () => {
    const newcomer = await createPatient(t, admin.token, { givenName: 'Nell', familyName: 'Quillfeather', email: `nell-${patientIds.length}@example.test` });
    patientIds.push(newcomer.id);
    const portal = await invitePatientToPortal(t, admin.token, newcomer.id);
    return (await t.client(portal.token).careRequests.create.mutate({ patientId: newcomer.id, clinicianId: carer.id })).id;
  };
  // A delivery asks for an active medication, whatever the walk's setStatus made of the first one.
  const activeMedication = async () => (await api.medications.create.mutate({ patientId: patient.id, fields: recordFields.medications as never })).id;
  const home = { lines: ['1 Main Street'], city: 'Sligo', country: 'IE' };
  const requestDelivery = async () => (await t.client(portalUser.token).deliveries.create.mutate({ medicationId: await activeMedication(), quantity: 1, address: home })).id;
  ids.deliveries = await requestDelivery();
  // SOS requests, each of a patient of the carer's of its own: one patient has one unresolved SOS at a time.
  const openSos = async () => {
    const raiser = await createPatient(t, carer.token, { givenName: 'Sol', familyName: 'Quillfeather', email: `sol-${patientIds.length}@example.test` });
    patientIds.push(raiser.id);
    const portal = await invitePatientToPortal(t, carer.token, raiser.id);
    return (await t.client(portal.token).sos.raise.mutate({ patientId: raiser.id, text: 'Dizzy', callbackPhone: '+353871234567' })).id;
  };
  ids.sos = await openSos();
  ids.jobs = String((await t.agenda.queryJobs({ name: 'notes.extract' })).jobs[0]!._id);
  // An upload of the carer's own (files.byId), and a document of the patient's made from another.
  ids.files = await uploaded(t, carer.token, pdfOf());
  const newDocument = async () => ({ patientId: patient.id, fileId: await uploaded(t, carer.token, pdfOf()), title: 'Referral letter', category: 'referral' as const });
  ids.documents = (await api.documents.create.mutate(await newDocument())).id;
  // A conversation with the patient, and a message of the carer's (the first caller) for each retraction.
  const conversation = await api.conversations.create.mutate({ patientId: patient.id, kind: 'care-team', firstMessage: { body: 'Your results are in' } });
  ids.conversations = conversation.id;
  ids.messages = conversation.firstMessage!.id;
  // Billing: a service, charges of the patient's (each used up by a call), drafts to change, issue and void.
  const service = await adminApi.services.create.mutate({ code: 'CONS', name: 'Consultation', price: 8000 });
  const newCharge = async () => (await api.charges.create.mutate({ patientId: patient.id, serviceId: service.id })).id;
  ids.service = service.id;
  ids.charges = await newCharge();
  const draftWith = async (chargeId?: string) => {
    const draft = await adminApi.invoices.createDraft.mutate({ patientId: patient.id, fromCharges: false });
    return chargeId ? adminApi.invoices.addLine.mutate({ invoiceId: draft.id, line: { kind: 'charge', chargeId } }) : draft;
  };
  ids.invoices = (await draftWith(await newCharge())).id;
  // An issued invoice to pay online, and a payment with credit left (to read, refund and apply).
  const issued = async () => adminApi.invoices.issue.mutate({ id: (await draftWith(await newCharge())).id });
  ids.payments = (await adminApi.payments.record.mutate({ patientId: patient.id, amount: 100_000, method: 'cash' })).id;

  const a04 = (mrn: string) => [`MSH|^~\\&|ENGINE|HOSP|PAMS|CLINIC|20240305101500||ADT^A04^ADT_A01|${mrn}|P|2.5`, `PID|1||${mrn}^^^HOSP^MR||Walsh^Ciara||19920304|F`].join('\r');
  inputs = {
    ...statusChanges,
    'patients.archive': { id: archived.id },
    'patients.restore': { id: archived.id },
    'patients.merge': async () => ({
      sourceId: (await createPatient(t, carer.token, { givenName: 'Dup', familyName: 'Quillfeather' })).id,
      targetId: (await createPatient(t, carer.token, { givenName: 'Kept', familyName: 'Quillfeather' })).id,
    }),
    'patients.addGuardian': { patientId: patient.id, guardianPatientId: guardian.id },
    'patients.removeGuardian': { patientId: patient.id, guardianPatientId: guardian.id },
    'careTeams.add': async () => ({ patientId: patient.id, clinicianId: (await inviteUser(t, admin)).id }),
    'careTeams.remove': async () => {
      const clinicianId = (await inviteUser(t, admin)).id;
      await api.careTeams.add.mutate({ patientId: patient.id, clinicianId });
      return { patientId: patient.id, clinicianId };
    },
    'careTeams.leave': async () => {
      const clinicianId = (await inviteUser(t, admin)).id;
      await api.careTeams.add.mutate({ patientId: patient.id, clinicianId });
      return { patientId: patient.id, clinicianId };
    },
    'careRequests.create': async () => ({ patientId: patient.id, clinicianId: await takingPatients() }),
    'careRequests.accept': async () => ({ id: await requestToCarer() }),
    'careRequests.decline': async () => ({ id: await requestToCarer(), reason: 'My list is full' }),
    'careRequests.cancel': async () => ({ id: await careRequest() }),
    'relatedPersons.remove': async () => ({ id: (await api.relatedPersons.create.mutate({ patientId: patient.id, relationship: 'brother', name: 'Leo Quillfeather' })).id }),
    'assessments.submit': { id: started.id, answers },
    'assessments.amend': { id: submitted },
    'assessments.abandon': async () => ({ id: (await api.assessments.start.mutate({ patientId: patient.id, questionnaireKey: 'phq-9' })).id, reason: 'Started by mistake' }),
    'assessments.trend': { patientId: patient.id, questionnaireKey: 'phq-9' },
    'appointments.book': { clinicianId: carer.id, patientId: patient.id, typeId: ids.appointmentTypes, startsAt: hour(6) },
    'appointments.reschedule': { id: ids.appointments, startsAt: hour(7) },
    'appointments.cancel': { id: toCancel, reason: 'The patient is unwell' },
    'appointments.markArrived': { id: toArrive },
    'appointments.complete': { id: toComplete },
    'appointments.markNoShow': { id: toMiss },
    'exports.fhir': { type: 'Patient' },
    'imports.commit': async () => {
      const { id } = await adminApi.imports.begin.mutate({ type: 'patients' });
      await adminApi.imports.add.mutate({ importId: id, rows: [{ line: 2, values: { mrn: 'W-1', givenName: 'Walk', familyName: 'Imported', birthDate: '1990-01-01', gender: 'F' } }] });
      return { importId: id };
    },
    'hl7.receive': { message: a04('H-1') },
    'hl7.receiveBatch': { messages: [a04('H-2')] },
    'notes.addendum': { id: ids.notes, body: 'Addendum: also swim.' },
    'notes.retryExtraction': async () => {
      const { id } = await api.notes.create.mutate({ patientId: patient.id, body: 'A note whose extraction failed.' });
      await sql(t, "update note set extraction_state = 'failed' where id = ?", [id]);
      return { id };
    },
    'steps.accept': { id: step('Book a blood test') },
    'steps.reject': { id: step('Buy a scale') },
    'steps.cancel': { id: step('Swim every day') },
    'steps.tick': { id: step('Bring your diary') },
    'steps.checkIn': { id: step('Stretch daily') },
    'reminders.lookupCheckIn': { token: checkInLink },
    'reminders.checkIn': { token: checkInLink },
    'reminders.unsubscribe': { token: signLink(t.config.encryptionKeys, { ...link, purpose: 'unsubscribe' }) },
    'deliveries.create': async () => ({ medicationId: await activeMedication(), quantity: 1, address: home }),
    'deliveries.updateStatus': async () => ({ id: await requestDelivery(), status: 'approved' }),
    'documents.create': newDocument,
    'conversations.create': { patientId: patient.id, kind: 'care-team', firstMessage: { body: 'A question' } },
    'messages.send': { conversationId: conversation.id, body: 'Another question' },
    'messages.retract': async () => ({ id: (await api.messages.send.mutate({ conversationId: conversation.id, body: 'Sent in error' })).id }),
    'sos.raise': { patientId: patient.id, text: 'Dizzy', callbackPhone: '+353871234567' },
    'sos.acknowledge': async () => ({ id: await openSos() }),
    'charges.update': async () => ({ id: await newCharge(), quantity: 2 }),
    'invoices.paymentLink': async () => ({ id: (await issued()).id }),
    'payments.refund': { paymentId: ids.payments, amount: 100, reason: 'Overcharged' },
    'payments.applyCredit': async () => ({ invoiceId: (await issued()).id }),
    'charges.void': async () => ({ id: await newCharge(), reason: 'Entered in error' }),
    'invoices.addLine': async () => ({ invoiceId: (await draftWith()).id, line: { kind: 'charge', chargeId: await newCharge() } }),
    'invoices.removeLine': async () => {
      const draft = await draftWith(await newCharge());
      return { invoiceId: draft.id, lineId: draft.lines[0]!.id };
    },
    'invoices.issue': async () => ({ id: (await draftWith(await newCharge())).id }),
    'invoices.pdf': async () => ({ id: (await adminApi.invoices.issue.mutate({ id: (await draftWith(await newCharge())).id })).id }),
    'invoices.void': async () => ({ id: (await adminApi.invoices.issue.mutate({ id: (await draftWith(await newCharge())).id })).id, reason: 'Billed in error' }),
    'sos.resolve': async () => {
      const id = await openSos();
      await api.sos.acknowledge.mutate({ id });
      return { id, outcome: 'advised' };
    },
  };
});
afterAll(async () => {
  await t?.close();
  await llm?.close();
  await stripe?.close();
});

describe('audit walk: every PHI procedure leaves an audit row', () => {
  it('finds the PHI procedures', () => {
    expect(phi.length).toBeGreaterThan(60);
  });

  for (const [path, procedure] of phi) {
    it(`${path} writes an audit row when it succeeds`, async () => {
      const schema = procedure._def.inputs[0];
      const prepared = inputs[path];
      const input = !schema ? undefined : typeof prepared === 'function' ? await prepared() : (prepared ?? genericInput(path, schema));
      const before = await auditRows();
      const answer = await callAsAllowed(path, procedure, input);
      expect(answer.body.error, `${path} with ${JSON.stringify(input)} must succeed: give it an input in \`inputs\``).toBeUndefined();
      expect(await auditRows(), `${path} succeeded without an audit row`).toBeGreaterThan(before);
    });
  }
});

describe('audit walk: no unmarked procedure touches a patient', () => {
  it('no procedure without `phi` takes a patient id, unless it is on the short list', () => {
    const unmarked = procedures.filter(([path, p]) => !p._def.meta?.phi && !notPhi[path] && p._def.inputs[0]);
    const namingPatients = unmarked.filter(([, p]) => idFields(p._def.inputs[0]!).some((field) => /^(patientId|guardianPatientId)$/.test(field))).map(([path]) => path);
    expect(namingPatients, 'these take a patient id: mark them `phi` (and audit them) or put them on `notPhi` with the reason').toEqual([]);
    for (const path of Object.keys(notPhi))
      expect(
        procedures.some(([p]) => p === path),
        `${path} is on notPhi but not in the router`,
      ).toBe(true);
  });

  for (const [path, procedure] of procedures.filter(([path, p]) => !p._def.meta?.phi && !notPhi[path] && p._def.type !== 'mutation')) {
    it(`${path} (no phi meta) answers with none of the patient's data`, async () => {
      let input: Record<string, unknown> | undefined;
      try {
        input = genericInput(path, procedure._def.inputs[0]);
      } catch {
        input = procedure._def.inputs[0] && sampleInput(procedure._def.inputs[0]); // an id this walk has none of: the call finds nothing
      }
      for (const user of [carer, admin, portalUser]) {
        const answer = await call(path, procedure, user, input);
        const text = JSON.stringify(answer.body.result?.data ?? null);
        expect(text.includes(patient.familyName) || patientIds.some((id) => text.includes(id)), `${path} as ${user.email} answered with the patient's data but has no \`phi\` meta`).toBe(false);
      }
    });
  }
});
