import { chmodSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AllergyIntolerance, Bundle, CarePlan, Observation, Practitioner, PractitionerRole, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extracted, NOTE } from '../care-loop-setup.ts';
import { answerFromBulletLines, startFakeLlm } from '../fake-llm.ts';
import { auditTrail, createPatient, createPractice, createRecordsOfEveryKind, inviteUser, recordApi, sql, type TestUser } from '../fixtures.ts';
import { pdfOf, pngOf, uploaded } from '../file-samples.ts';
import { fhirProblems } from '../fhir-validator.ts';
import { startTestServer, type TestServer } from '../harness.ts';
import { rejection } from '../rejection.ts';
import { runCli } from '../run-cli.ts';
import { startWorker } from '../workers.ts';

const frequency = ['not-at-all', 'several-days', 'more-than-half', 'nearly-every-day'];
const answers = (prefix: string, count: number, score: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}.${i + 1}`, frequency[score]!]));

let t: TestServer;
let llm: Awaited<ReturnType<typeof startFakeLlm>>;
let admin: TestUser;
let clinician: TestUser;
let outsider: TestUser;
let otherAdmin: TestUser;
let patientId: string;
let secondPatientId: string;
let firstNoteId: string;
let secondNoteId: string;
let referral: { id: string; file: { id: string; size: number } };

/** Every problem of every resource, keyed by type/id, so a failure names the resource. */
function problemsOf(resources: Resource[]): Record<string, string[]> {
  return Object.fromEntries(resources.map((r) => [`${r.resourceType}/${r.id}`, fhirProblems(r)] as const).filter(([, p]) => p.length));
}

const tomorrowAt = (hour: number) => {
  const d = new Date(Date.now() + 24 * 3600_000);
  d.setUTCHours(hour, 0, 0, 0);
  return d.toISOString();
};

beforeAll(async () => {
  llm = await startFakeLlm(answerFromBulletLines);
  t = await startTestServer({ LLM_BASE_URL: llm.url, LLM_API_KEY: 'test-llm-key', LLM_MODEL: 'fake-model' });
  await startWorker(t);
  ({ admin } = await createPractice(t));
  clinician = await inviteUser(t, admin);
  outsider = await inviteUser(t, admin);
  ({ admin: otherAdmin } = await createPractice(t));
  const api = t.client(clinician.token);
  await api.clinicians.updateProfile.mutate({
    id: clinician.id,
    displayName: 'Aoife Byrne',
    title: 'Dr',
    specialty: { name: 'General practice', code: { system: 'http://snomed.info/sct', code: '62247001' } },
    languages: ['ga', 'en-IE'],
    registration: { system: 'https://www.medicalcouncil.ie', value: '423516', issuer: 'Medical Council' },
    phone: '+353871234500',
  });
  patientId = (
    await createPatient(t, clinician.token, {
      givenName: 'Áine',
      familyName: 'Ó Briain',
      gender: 'female',
      email: 'aine@example.test',
      phone: '+353861234567',
      preferredLanguage: 'ga',
      address: { lines: ['1 Main St'], city: 'Galway', country: 'IE' },
      emergencyContact: { name: 'Seán', relationship: 'brother', phone: '+353861234568' },
    })
  ).id;
  secondPatientId = (await createPatient(t, clinician.token)).id;
  await createRecordsOfEveryKind(t, clinician.token, patientId, 2);
  await recordApi(t, clinician.token, 'observation').create.mutate({
    patientId,
    fields: {
      category: 'laboratory',
      name: 'HbA1c',
      code: { system: 'http://loinc.org', code: '4548-4' },
      valueNumber: 7.1,
      unit: '%',
      referenceHigh: 6.5,
      abnormalFlag: 'high',
      effectiveAt: '2025-03-01T09:00:00Z',
      note: 'fasting',
    },
  });
  await recordApi(t, clinician.token, 'observation').create.mutate({ patientId, fields: { category: 'laboratory', name: 'Urine colour', valueText: 'amber', effectiveAt: '2025-03-01T09:00:00Z' } });
  const resolved = await recordApi(t, clinician.token, 'condition').create.mutate({ patientId, fields: { name: 'Flu', onsetDate: '2024-01-01', abatementDate: '2024-01-10' } });
  await recordApi(t, clinician.token, 'condition').setStatus.mutate({ id: resolved.id, status: 'resolved' });
  const wrong = await recordApi(t, clinician.token, 'allergy').create.mutate({ patientId, fields: { substance: 'Latex', severity: 'severe' } });
  await recordApi(t, clinician.token, 'allergy').setStatus.mutate({ id: wrong.id, status: 'entered-in-error' });
  await api.relatedPersons.create.mutate({ patientId, relationship: 'mother', name: 'Máire', phone: '+353861234569' });
  for (const [key, prefix, count] of [
    ['phq-9', 'phq9', 9],
    ['gad-7', 'gad7', 7],
  ] as const) {
    const { id } = await api.assessments.start.mutate({ patientId, questionnaireKey: key });
    await api.assessments.submit.mutate({ id, answers: answers(prefix, count, 1) });
  }
  const draft = await api.assessments.start.mutate({ patientId, questionnaireKey: 'phq-9' });
  await api.assessments.saveAnswers.mutate({ id: draft.id, answers: { 'phq9.1': 'not-at-all' } });
  const type = await t.client(admin.token).appointmentTypes.create.mutate({ name: 'Consultation', durationMinutes: 30 });
  await api.availability.setWeeklyHours.mutate({ clinicianId: clinician.id, hours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '00:00', end: '24:00' })) });
  await api.appointments.book.mutate({ clinicianId: clinician.id, patientId, typeId: type.id, startsAt: tomorrowAt(9) });
  const cancelled = await api.appointments.book.mutate({ clinicianId: clinician.id, patientId, typeId: type.id, startsAt: tomorrowAt(11) });
  await api.appointments.cancel.mutate({ id: cancelled.id, reason: 'patient asked' });

  // Care plans: a first note's checklist item is ticked, then a second note supersedes its walk; one of the second's plan items is checked in.
  firstNoteId = (await api.notes.create.mutate({ patientId, body: '- Walk 20 minutes every day\n- Book a follow-up visit' })).id;
  await extracted(t, clinician.token, firstNoteId);
  const stepOf = async (noteId: string, word: string) => (await api.steps.list.query({ patientId })).items.find((s) => s.noteId === noteId && s.title.startsWith(word))!.id;
  await api.steps.tick.mutate({ id: await stepOf(firstNoteId, 'Book') });
  secondNoteId = (await api.notes.create.mutate({ patientId, body: NOTE })).id;
  await extracted(t, clinician.token, secondNoteId);
  await api.steps.checkIn.mutate({ id: await stepOf(secondNoteId, 'Take') });

  // Documents: a referral kept, and one deleted, which the export leaves out.
  referral = await api.documents.create.mutate({ patientId, fileId: await uploaded(t, clinician.token, pdfOf()), title: 'Cardiology referral', category: 'referral', staffOnly: true });
  const deleted = await api.documents.create.mutate({ patientId, fileId: await uploaded(t, clinician.token, await pngOf(40, 40)), title: 'Wrong scan', category: 'image' });
  await api.documents.delete.mutate({ id: deleted.id, reason: 'Wrong patient' });
});
afterAll(async () => {
  await t.close();
  await llm.close();
});

describe('patients.fhir: Patient/$everything as a Bundle', () => {
  let bundle: Bundle;
  beforeAll(async () => {
    bundle = (await t.client(clinician.token).patients.fhir.query({ id: patientId })) as Bundle;
  });

  it('holds every resource type of the record, each valid FHIR R4 against the base specification', () => {
    expect(fhirProblems(bundle as Resource)).toEqual([]);
    const resources = bundle.entry!.map((e) => e.resource!);
    expect(problemsOf(resources)).toEqual({});
    const count = (type: string) => resources.filter((r) => r.resourceType === type).length;
    expect({
      Patient: count('Patient'),
      RelatedPerson: count('RelatedPerson'),
      Practitioner: count('Practitioner'),
      PractitionerRole: count('PractitionerRole'),
      AllergyIntolerance: count('AllergyIntolerance'),
      MedicationStatement: count('MedicationStatement'),
      Condition: count('Condition'),
      Observation: count('Observation'),
      Questionnaire: count('Questionnaire'),
      QuestionnaireResponse: count('QuestionnaireResponse'),
      Appointment: count('Appointment'),
      CarePlan: count('CarePlan'),
      DocumentReference: count('DocumentReference'),
    }).toEqual({
      Patient: 1,
      RelatedPerson: 1,
      Practitioner: 1,
      PractitionerRole: 1,
      AllergyIntolerance: 3,
      MedicationStatement: 2,
      Condition: 3,
      Observation: 6,
      Questionnaire: 2,
      QuestionnaireResponse: 3,
      Appointment: 2,
      CarePlan: 2,
      DocumentReference: 1,
    });
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: resources.length });
    expect(bundle.entry![0]).toMatchObject({ fullUrl: `http://pams.test/fhir/Patient/${patientId}`, search: { mode: 'match' } });
  });

  it('codes assessment totals with LOINC (PHQ-9 44261-6, GAD-7 70274-6) and links them to their responses', () => {
    const totals = bundle.entry!.map((e) => e.resource as Observation).filter((r) => r.resourceType === 'Observation' && r.category?.[0]?.coding?.[0]?.code === 'survey');
    expect(totals.map((o) => [o.code.coding?.[0]?.system, o.code.coding?.[0]?.code, o.valueQuantity?.value]).sort()).toEqual([
      ['http://loinc.org', '44261-6', 9],
      ['http://loinc.org', '70274-6', 7],
    ]);
    const responses = new Set(bundle.entry!.filter((e) => e.resource!.resourceType === 'QuestionnaireResponse').map((e) => `QuestionnaireResponse/${e.resource!.id}`));
    for (const o of totals) expect(responses.has(o.derivedFrom![0]!.reference!)).toBe(true);
  });

  it('points every reference at a resource in the bundle, and every response at its questionnaire version', () => {
    const present = new Set(bundle.entry!.map((e) => `${e.resource!.resourceType}/${e.resource!.id}`));
    const references = JSON.stringify(bundle)
      .match(/"reference":"[^"]+"/g)!
      .map((r) => r.slice(13, -1));
    expect(references.filter((r) => !present.has(r))).toEqual([]);
    const questionnaires = new Set(
      bundle
        .entry!.map((e) => e.resource!)
        .filter((r) => r.resourceType === 'Questionnaire')
        .map((q) => `${q.url}|${q.version}`),
    );
    for (const e of bundle.entry!) if (e.resource!.resourceType === 'QuestionnaireResponse') expect(questionnaires.has(e.resource!.questionnaire!)).toBe(true);
  });

  it('maps entries in error and statuses as FHIR wants them', () => {
    const resources = bundle.entry!.map((e) => e.resource!);
    const inError = resources.find((r) => r.resourceType === 'AllergyIntolerance' && r.code?.text === 'Latex');
    expect(inError).toMatchObject({ verificationStatus: { coding: [{ code: 'entered-in-error' }] } });
    expect(inError).not.toHaveProperty('clinicalStatus');
    expect(resources.find((r) => r.resourceType === 'Condition' && r.code?.text === 'Flu')).toMatchObject({ abatementDateTime: '2024-01-10', clinicalStatus: { coding: [{ code: 'resolved' }] } });
    expect(
      resources
        .filter((r) => r.resourceType === 'Appointment')
        .map((a) => a.status)
        .sort(),
    ).toEqual(['booked', 'cancelled']);
    expect(resources.find((r) => r.resourceType === 'Patient')).toMatchObject({ name: [{ family: 'Ó Briain', given: ['Áine'] }], gender: 'female', identifier: [{ type: { text: 'MRN' } }] });
  });

  it('names the clinician of a visit and the author of a care plan as the Practitioner the bundle holds', () => {
    const resources = bundle.entry!.map((e) => e.resource!);
    const named = { reference: `Practitioner/${clinician.id}`, display: 'Aoife Byrne' };
    for (const appointment of resources.filter((r) => r.resourceType === 'Appointment')) {
      expect(appointment.participant.find((p) => p.type?.[0]?.coding?.[0]?.code === 'PPRF')).toMatchObject({ actor: named });
    }
    const plans = resources.filter((r): r is CarePlan => r.resourceType === 'CarePlan');
    expect(plans.map((p) => p.author)).toEqual([named, named]);
  });

  it('holds the care team as Practitioners, with their registration, languages and specialty (PractitionerRole)', () => {
    const resources = bundle.entry!.map((e) => e.resource!);
    const practitioners = resources.filter((r): r is Practitioner => r.resourceType === 'Practitioner');
    expect(practitioners.map((p) => p.id)).toEqual([clinician.id]); // not the outsider, who is not on the care team
    expect(practitioners[0]).toEqual({
      resourceType: 'Practitioner',
      id: clinician.id,
      meta: { lastUpdated: expect.any(String) },
      identifier: [{ system: 'https://www.medicalcouncil.ie', value: '423516', assigner: { display: 'Medical Council' } }],
      active: true,
      name: [{ text: 'Aoife Byrne', prefix: ['Dr'] }],
      telecom: [
        { system: 'email', value: clinician.email, use: 'work' },
        { system: 'phone', value: '+353871234500', use: 'work' },
      ],
      communication: [{ coding: [{ system: 'urn:ietf:bcp:47', code: 'ga' }] }, { coding: [{ system: 'urn:ietf:bcp:47', code: 'en-IE' }] }],
    });
    expect(resources.find((r) => r.resourceType === 'PractitionerRole')).toMatchObject({
      active: true,
      practitioner: { reference: `Practitioner/${clinician.id}`, display: 'Aoife Byrne' },
      specialty: [{ coding: [{ system: 'http://snomed.info/sct', code: '62247001' }], text: 'General practice' }],
    });
  });

  it("maps a note's steps to a CarePlan: activities with the steps' states, schedules and check-ins", () => {
    const plans = Object.fromEntries(
      bundle
        .entry!.map((e) => e.resource!)
        .filter((r): r is CarePlan => r.resourceType === 'CarePlan')
        .map((p) => [p.id, p]),
    );
    const activities = (p: CarePlan) => p.activity!.map((a) => [a.detail!.description, a.detail!.status, a.detail!.kind]);
    // The first note: its checklist item ticked, its walk cancelled by the newer note.
    expect(plans[firstNoteId]).toMatchObject({ status: 'completed', intent: 'plan', subject: { reference: `Patient/${patientId}` } });
    expect(activities(plans[firstNoteId]!)).toEqual([
      ['Book a follow-up visit', 'completed', 'Task'],
      ['Walk 20 minutes every day', 'cancelled', 'Task'],
    ]);
    expect(plans[firstNoteId]!.activity![1]!.detail!.statusReason).toEqual({ text: 'superseded by a newer note' });
    expect(plans[firstNoteId]!.period!.end).toBeDefined();
    // The second note: in force; the medicine checked in, the walk scheduled daily at 09:00, the checklist item not started.
    const second = plans[secondNoteId]!;
    expect(second).toMatchObject({ status: 'active', author: { display: expect.any(String) } });
    expect(second.period!.end).toBeUndefined();
    expect(activities(second)).toEqual([
      ['Book a blood test at the lab next week', 'not-started', 'Task'],
      ['Take amlodipine 5 mg daily at 08:30', 'completed', 'Task'],
      ['Walk 30 minutes every day', 'scheduled', 'Task'],
    ]);
    expect(second.activity![1]!.progress).toEqual([{ time: expect.any(String), text: 'Checked in' }]);
    expect(second.activity![2]!.detail!.scheduledTiming).toEqual({
      repeat: { boundsPeriod: { start: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) }, frequency: 1, period: 1, periodUnit: 'd', timeOfDay: ['09:00:00'] },
    });
    // Provenance passages are note text: they stay encrypted with the note, out of the export.
    expect(JSON.stringify(second)).not.toMatch(/provenance|passage/i);
  });

  it('is audited as a read of the patient', async () => {
    expect((await auditTrail(t, patientId)).map((a) => a.action)).toContain('patient.fhir-read');
  });

  it('answers NOT_FOUND outside the care team and across practices; an admin sees it all', async () => {
    expect((await rejection(t.client(outsider.token).patients.fhir.query({ id: patientId }))).code).toBe('NOT_FOUND');
    expect((await rejection(t.client(otherAdmin.token).patients.fhir.query({ id: patientId }))).code).toBe('NOT_FOUND');
    expect((await t.client(admin.token).patients.fhir.query({ id: patientId })).total).toBe(bundle.total);
  });
});

describe('patients.fhir: what HL7 v2 carried, in R4', () => {
  let resources: Resource[];
  let hl7Admin: TestUser;
  beforeAll(async () => {
    ({ admin: hl7Admin } = await createPractice(t));
    const api = t.client(hl7Admin.token);
    const messages = [
      [
        'MSH|^~\\&|ENGINE|HOSP|PAMS|CLINIC|20240305101500||ADT^A04^ADT_A01|FHIR0001|P|2.5',
        'PID|1||X-1001^^^HOSP^MR||Family^Given^Middle Further||19750102|F',
        'AL1|1|FA|^Peanut|SV|Hives~Swelling~Wheezing',
        'AL1|2|MA|^Adhesive tape|MI|Rash',
      ],
      [
        'MSH|^~\\&|LAB|HOSP|PAMS|CLINIC|20240306090000||ORU^R01^ORU_R01|FHIR0002|P|2.5',
        'PID|1||X-1001^^^HOSP^MR',
        'OBR|1|ORD9|FIL9|24323-8^Panel^LN|||20240306083000',
        'OBX|1|NM|4548-4^HbA1c^LN||6.1|%^percent^UCUM|<5.7|H|||F',
        'OBX|2|NM|33914-3^eGFR^LN||72|mL/min/{1.73_m2}^^UCUM|>60|N|||F',
        'OBX|3|NM|2093-3^Cholesterol^LN||4.2|mmol/L|<=5.0|N|||F',
        'OBX|4|NM|2345-7^Glucose^LN||4.1|mmol/L|3.9-7.8|N|||F',
        'OBX|5|NM|8480-6^Systolic^LN||128|mmHg|90-140|N|||F',
      ],
    ];
    for (const m of messages) expect((await api.hl7.receive.mutate({ message: m.join('\r') })).ackCode).toBe('AA');
    const [patient] = (await api.patients.search.query({ mrn: 'X-1001' })).items;
    // The record API takes a UCUM code beside a unit that is none, and refuses a code that is not UCUM.
    const observations = recordApi(t, hl7Admin.token, 'observation');
    await observations.create.mutate({
      patientId: patient!.id,
      fields: { category: 'vital-signs', name: 'Diastolic', valueNumber: 80, unit: 'mmHg', unitCode: 'mm[Hg]', effectiveAt: '2024-03-06T08:30:00Z' },
    });
    expect(
      await rejection(
        observations.create.mutate({ patientId: patient!.id, fields: { category: 'vital-signs', name: 'Pulse', valueNumber: 60, unit: 'bpm', unitCode: 'bpm', effectiveAt: '2024-03-06T08:30:00Z' } }),
      ),
    ).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { 'fields.unitCode': [expect.stringContaining('UCUM')] } });
    resources = ((await api.patients.fhir.query({ id: patient!.id })) as Bundle).entry!.map((e) => e.resource!);
  });

  it('is valid R4', () => {
    expect(problemsOf(resources)).toEqual({});
  });

  it('gives every given name, in order', () => {
    expect(resources.find((r) => r.resourceType === 'Patient')).toMatchObject({ name: [{ family: 'Family', given: ['Given', 'Middle', 'Further'] }] });
  });

  it("gives the allergy's category where FHIR has one, and each reaction of AL1-5 as a manifestation", () => {
    const allergies = Object.fromEntries(resources.filter((r): r is AllergyIntolerance => r.resourceType === 'AllergyIntolerance').map((a) => [a.code!.text, a]));
    expect(allergies.Peanut).toMatchObject({ category: ['food'], reaction: [{ manifestation: [{ text: 'Hives' }, { text: 'Swelling' }, { text: 'Wheezing' }], severity: 'severe' }] });
    expect(allergies['Adhesive tape']!.category).toBeUndefined();
    expect(allergies['Adhesive tape']!.reaction).toEqual([{ manifestation: [{ text: 'Rash' }], severity: 'mild' }]);
  });

  it('keeps ranges with comparators as text, low and high only where they are limits, and codes UCUM units', () => {
    const byName = Object.fromEntries(resources.filter((r): r is Observation => r.resourceType === 'Observation').map((o) => [o.code.text, o]));
    const ucum = (code: string, unit = code) => ({ unit, system: 'http://unitsofmeasure.org', code });
    expect(byName.HbA1c).toMatchObject({ valueQuantity: { value: 6.1, ...ucum('%') }, referenceRange: [{ text: '<5.7' }] });
    expect(byName.HbA1c!.referenceRange![0]).not.toHaveProperty('high');
    expect(byName.eGFR!.referenceRange).toEqual([{ text: '>60' }]);
    expect(byName.Cholesterol!.referenceRange).toEqual([{ high: { value: 5, ...ucum('mmol/L') }, text: '<=5.0' }]);
    expect(byName.Glucose!.referenceRange).toEqual([{ low: { value: 3.9, ...ucum('mmol/L') }, high: { value: 7.8, ...ucum('mmol/L') }, text: '3.9-7.8' }]);
    expect(byName.Systolic!.valueQuantity).toEqual({ value: 128, unit: 'mmHg' }); // mmHg is no UCUM code, and the lab named none
    expect(byName.Diastolic!.valueQuantity).toEqual({ value: 80, ...ucum('mm[Hg]', 'mmHg') });
  });
});

describe('DocumentReference', () => {
  it("carries a document's file as an attachment by URL, with its size and SHA-1, and its uploader as author", async () => {
    const bundle = (await t.client(clinician.token).patients.fhir.query({ id: patientId })) as Bundle;
    const refs = bundle.entry!.map((e) => e.resource!).filter((r) => r.resourceType === 'DocumentReference');
    const stored = (await sql(t, 'select sha1 from stored_file where id = ?', [referral.file.id]))[0]!;
    expect(refs).toEqual([
      {
        resourceType: 'DocumentReference',
        id: referral.id,
        meta: { lastUpdated: expect.any(String) },
        status: 'current',
        type: { text: 'Referral letter' },
        category: [{ text: 'referral' }],
        subject: { reference: `Patient/${patientId}` },
        date: expect.any(String),
        author: [{ reference: `Practitioner/${clinician.id}` }],
        description: 'Cardiology referral',
        content: [
          {
            attachment: {
              contentType: 'application/pdf',
              size: referral.file.size,
              hash: stored.sha1,
              title: 'Cardiology referral',
              creation: expect.any(String),
              url: `http://pams.test/files/${referral.file.id}`,
            },
          },
        ],
      },
    ]);
    expect(Buffer.from(stored.sha1, 'base64')).toHaveLength(20);
  });
});

describe('GET /fhir/Patient/{id}/$everything', () => {
  it('answers a Bundle as application/fhir+json to an API token', async () => {
    const { token } = await t.client(clinician.token).tokens.create.mutate({ name: 'fhir script' });
    const res = await t.fetch(`${t.url}/fhir/Patient/${patientId}/$everything`, { headers: { authorization: `Bearer ${t.secret(token)}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/fhir+json');
    const bundle = (await res.json()) as Bundle;
    expect(bundle.entry!.length).toBe(bundle.total);
  });

  it('answers errors as OperationOutcomes with the status', async () => {
    const none = await t.fetch(`${t.url}/fhir/Patient/${patientId}/$everything`);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'security' }] });
    const elsewhere = await t.fetch(`${t.url}/fhir/Patient/${patientId}/$everything`, { headers: { authorization: `Bearer ${otherAdmin.token}` } });
    expect(elsewhere.status).toBe(404);
    const bad = await t.fetch(`${t.url}/fhir/Patient/not-a-uuid/$everything`, { headers: { authorization: `Bearer ${clinician.token}` } });
    expect(bad.status).toBe(400);
    expect(fhirProblems((await bad.json()) as Resource)).toEqual([]);
  });
});

describe('exports.fhir: bulk export page by page', () => {
  const everything = async (type: Parameters<ReturnType<typeof t.client>['exports']['fhir']['query']>[0]['type'], token = admin.token, since?: string, limit = 2) => {
    const items: Resource[] = [];
    let cursor: string | undefined;
    do {
      const page = await t.client(token).exports.fhir.query({ type, since, cursor, limit });
      items.push(...(page.items as Resource[]));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return items;
  };

  it('walks every resource of a type once, across sources, in small pages', async () => {
    const observations = await everything('Observation');
    expect(observations).toHaveLength(6);
    expect(new Set(observations.map((o) => o.id)).size).toBe(6);
    expect(problemsOf(observations)).toEqual({});
    expect((await everything('Patient')).map((p) => p.id).sort()).toEqual([patientId, secondPatientId].sort());
    const carePlans = await everything('CarePlan', admin.token, undefined, 1);
    expect(carePlans.map((p) => p.id).sort()).toEqual([firstNoteId, secondNoteId].sort());
    expect(problemsOf(carePlans)).toEqual({});
  });

  it('holds every practitioner of the practice, the deactivated as inactive, and the specialties as PractitionerRoles', async () => {
    const leaver = await inviteUser(t, admin);
    await t.client(leaver.token).clinicians.updateProfile.mutate({ id: leaver.id, specialty: { name: 'Dermatology' } });
    await t.client(admin.token).users.deactivate.mutate({ id: leaver.id });
    const practitioners = await everything('Practitioner');
    expect(problemsOf(practitioners)).toEqual({});
    // The admin has no profile, so is no practitioner; the outsider has none either, but is a clinician.
    expect(Object.fromEntries(practitioners.map((p) => [p.id, (p as Practitioner).active]))).toEqual({ [clinician.id]: true, [outsider.id]: true, [leaver.id]: false });
    const roles = (await everything('PractitionerRole')) as PractitionerRole[];
    expect(problemsOf(roles)).toEqual({});
    expect(roles.map((r) => [r.practitioner!.reference, r.specialty![0]!.text, r.active]).sort()).toEqual(
      [
        [`Practitioner/${clinician.id}`, 'General practice', true],
        [`Practitioner/${leaver.id}`, 'Dermatology', false],
      ].sort(),
    );
    expect(await everything('Practitioner', otherAdmin.token)).toEqual([]);
  });

  it('keeps to the practice and to what changed since an instant', async () => {
    expect(await everything('Patient', otherAdmin.token)).toEqual([]);
    const before = new Date().toISOString();
    await t.client(clinician.token).patients.update.mutate({ id: secondPatientId, givenName: 'Changed' });
    expect((await everything('Patient', admin.token, before)).map((p) => p.id)).toEqual([secondPatientId]);
  });

  it('is for admins only, audits a run once, and refuses a forged cursor', async () => {
    expect((await rejection(t.client(clinician.token).exports.fhir.query({ type: 'Patient' }))).code).toBe('FORBIDDEN');
    const audits = async () => (await sql(t, `select count(*)::int as n from audit_event where action = 'fhir.bulk-export' and practice_id = ?`, [admin.practiceId]))[0]!.n as number;
    const runs = await audits();
    await everything('Condition', admin.token, undefined, 1);
    expect(await audits()).toBe(runs + 1);
    const forged = await rejection(t.client(admin.token).exports.fhir.query({ type: 'Patient', cursor: 'bm90LWEtY3Vyc29y' }));
    expect(forged.code).toBe('BAD_REQUEST');
  });
});

describe('GET /fhir/$export', () => {
  it('streams one type as NDJSON to an admin', async () => {
    const res = await t.fetch(`${t.url}/fhir/$export?_type=Observation`, { headers: { authorization: `Bearer ${admin.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/fhir+ndjson');
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Resource);
    expect(lines).toHaveLength(6);
    expect(problemsOf(lines)).toEqual({});
  });

  it('refuses a clinician, a missing type and a bad instant before streaming', async () => {
    expect((await t.fetch(`${t.url}/fhir/$export?_type=Patient`, { headers: { authorization: `Bearer ${clinician.token}` } })).status).toBe(403);
    expect((await t.fetch(`${t.url}/fhir/$export`, { headers: { authorization: `Bearer ${admin.token}` } })).status).toBe(400);
    expect((await t.fetch(`${t.url}/fhir/$export?_type=Patient&_since=yesterday`, { headers: { authorization: `Bearer ${admin.token}` } })).status).toBe(400);
  });
});

describe('pams export fhir', () => {
  it('writes one valid NDJSON file per resource type (FHIR Bulk Data layout)', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'pams-fhir-'));
    const run = await runCli(['export', 'fhir', '--out', out, '--json', '--url', t.url, '--token', admin.token]);
    expect(run.stderr).toMatch(/Patient: 2 resources in/);
    expect(run.code).toBe(0);
    const summary = run.json();
    expect(summary.total).toBeGreaterThan(20);
    expect(readdirSync(out).sort()).toEqual(
      [
        'AllergyIntolerance',
        'Appointment',
        'CarePlan',
        'Condition',
        'DocumentReference',
        'MedicationStatement',
        'Observation',
        'Patient',
        'Practitioner',
        'PractitionerRole',
        'Questionnaire',
        'QuestionnaireResponse',
        'RelatedPerson',
      ].map((t) => `${t}.ndjson`),
    );
    for (const file of readdirSync(out)) {
      const resources = readFileSync(path.join(out, file), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Resource);
      expect(resources.every((r) => `${r.resourceType}.ndjson` === file)).toBe(true);
      expect(problemsOf(resources)).toEqual({});
    }
  });

  it('writes PHI only as 0600 files in a 0700 folder, and refuses a folder open to others', async () => {
    const modeOf = (p: string) => statSync(p).mode & 0o777;
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'pams-fhir-')), 'exports', 'today');
    const first = await runCli(['export', 'fhir', '--out', out, '--json', '--url', t.url, '--token', admin.token]);
    expect(first.code).toBe(0);
    expect(modeOf(out)).toBe(0o700);
    expect(modeOf(path.dirname(out))).toBe(0o700);
    const files = readdirSync(out).map((f) => path.join(out, f));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) expect([file, modeOf(file)]).toEqual([file, 0o600]);

    // A second run replaces the files, whatever mode they were given meanwhile.
    chmodSync(files[0]!, 0o644);
    expect((await runCli(['export', 'fhir', '--out', out, '--url', t.url, '--token', admin.token])).code).toBe(0);
    for (const file of files) expect([file, modeOf(file)]).toEqual([file, 0o600]);

    const shared = mkdtempSync(path.join(os.tmpdir(), 'pams-fhir-'));
    chmodSync(shared, 0o755);
    writeFileSync(path.join(shared, 'notes.txt'), 'kept');
    const refused = await runCli(['export', 'fhir', '--out', shared, '--url', t.url, '--token', admin.token]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('chmod 700');
    expect(readdirSync(shared)).toEqual(['notes.txt']);
    expect(modeOf(shared)).toBe(0o755);
  });

  it('exports only what changed since a date, and refuses a clinician with exit code 2', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'pams-fhir-'));
    const run = await runCli(['export', 'fhir', '--out', out, '--since', '2199-01-01', '--json', '--url', t.url, '--token', admin.token]);
    expect(run.code).toBe(0);
    expect(run.json().total).toBe(0);
    expect(readdirSync(out)).toEqual([]);
    const refused = await runCli(['export', 'fhir', '--out', out, '--url', t.url, '--token', clinician.token]);
    expect(refused.code).toBe(2);
    const bad = await runCli(['export', 'fhir', '--out', out, '--since', 'soon', '--url', t.url, '--token', admin.token]);
    expect(bad.code).toBe(1);
  });
});

describe('merged records in FHIR', () => {
  let source: string;
  let target: string;
  let second: string;
  let beforeMerges: string;
  beforeAll(async () => {
    [source, second, target] = [
      (await createPatient(t, clinician.token, { givenName: 'Dup', familyName: 'Merged' })).id,
      (await createPatient(t, clinician.token, { givenName: 'Dup', familyName: 'Again' })).id,
      (await createPatient(t, clinician.token, { givenName: 'Kept', familyName: 'Merged' })).id,
    ];
    await new Promise((r) => setTimeout(r, 5));
    beforeMerges = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    await t.client(admin.token).patients.merge.mutate({ sourceId: source, targetId: target });
    await t.client(admin.token).patients.merge.mutate({ sourceId: second, targetId: target });
  });
  const patientOf = async (id: string) => {
    const bundle = (await t.client(admin.token).patients.fhir.query({ id })) as Bundle;
    expect(problemsOf(bundle.entry!.map((e) => e.resource!))).toEqual({});
    return bundle.entry!.map((e) => e.resource!).find((r) => r.resourceType === 'Patient' && r.id === id);
  };
  const replaces = () => [source, second].sort().map((id) => ({ other: { reference: `Patient/${id}` }, type: 'replaces' }));

  it('$everything: the merged-away record is inactive and replaced by the target, which replaces each merged into it', async () => {
    expect(await patientOf(source)).toMatchObject({ active: false, link: [{ other: { reference: `Patient/${target}` }, type: 'replaced-by' }] });
    expect(await patientOf(target)).toMatchObject({ active: true, link: replaces() });
  });

  it('bulk export: the same links on both sides, valid R4', async () => {
    const patients = (await t.client(admin.token).exports.fhir.query({ type: 'Patient', limit: 100 })).items as Resource[];
    expect(problemsOf(patients)).toEqual({});
    const byId = Object.fromEntries(patients.map((p) => [p.id, p]));
    expect(byId[source]).toMatchObject({ active: false, link: [{ other: { reference: `Patient/${target}` }, type: 'replaced-by' }] });
    expect(byId[target]).toMatchObject({ link: replaces() });
    expect(byId[patientId]).not.toHaveProperty('link');
  });

  it('an export of changes since before the merges has both sides: the target changed too (its new links)', async () => {
    const since = (await t.client(admin.token).exports.fhir.query({ type: 'Patient', since: beforeMerges, limit: 100 })).items.map((p) => (p as Resource).id);
    expect(since).toEqual(expect.arrayContaining([source, second, target]));
    expect(since).not.toContain(patientId);
  });
});
