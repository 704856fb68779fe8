import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouterInputs } from '../../shared/client.ts';
import { allPages, createPatient, createPractice, inviteUser, loginAs, newEmail, newPassword, sql, type TestUser } from '../fixtures.ts';
import { startTestServer, type TestServer } from '../harness.ts';
import { rejection } from '../rejection.ts';
import { tokenFromMail } from '../smtp-capture.ts';

const frequency = ['not-at-all', 'several-days', 'more-than-half', 'nearly-every-day'];

/** PHQ-9 or GAD-7 answers summing to `total`: items filled with 3s in order (PHQ-9 item 9 only from 25 on). */
function answersFor(prefix: 'phq9' | 'gad7', total: number): Record<string, string> {
  const count = prefix === 'phq9' ? 9 : 7;
  let left = total;
  return Object.fromEntries(
    Array.from({ length: count }, (_, i) => {
      const score = Math.min(3, left);
      left -= score;
      return [`${prefix}.${i + 1}`, frequency[score]!];
    }),
  );
}

let t: TestServer;
let admin: TestUser;
let clinician: TestUser;
/** A clinician of the same practice, on no patient's care team. */
let outsider: TestUser;
let otherAdmin: TestUser;

/** A patient registered by `user` (a clinician so joins the care team). */
const start = (user: TestUser, input: RouterInputs['assessments']['start']) => t.client(user.token).assessments.start.mutate(input);

/** Start and submit in one go, as the clinician. */
async function completed(patientId: string, questionnaireKey: 'phq-9' | 'gad-7', answers: Record<string, string>) {
  const { id } = await start(clinician, { patientId, questionnaireKey });
  return t.client(clinician.token).assessments.submit.mutate({ id, answers });
}

function seedFile(name: string) {
  const text = readFileSync(path.resolve(import.meta.dirname, '../fixtures/questionnaires', name), 'utf8');
  return { name, documents: YAML.parseAllDocuments(text).map((d) => d.toJS()) };
}

beforeAll(async () => {
  t = await startTestServer();
  ({ admin } = await createPractice(t));
  clinician = await inviteUser(t, admin);
  outsider = await inviteUser(t, admin);
  ({ admin: otherAdmin } = await createPractice(t));
  await t.client(admin.token).questionnaires.seed.mutate({ files: [seedFile('01-wellbeing-bank.yaml'), seedFile('02-wellbeing-check.yaml')] });
});
afterAll(() => t.close());

describe('PHQ-9 and GAD-7 through the API, at every band boundary', () => {
  let patientId: string;
  beforeAll(async () => {
    patientId = (await createPatient(t, clinician.token)).id;
  });

  const phq9: [number, string][] = [
    [0, 'minimal'],
    [4, 'minimal'],
    [5, 'mild'],
    [9, 'mild'],
    [10, 'moderate'],
    [14, 'moderate'],
    [15, 'moderately-severe'],
    [19, 'moderately-severe'],
    [20, 'severe'],
    [27, 'severe'],
  ];
  it.each(phq9)('PHQ-9 total %i is %s', async (total, band) => {
    const started = await start(clinician, { patientId, questionnaireKey: 'phq-9' });
    expect(started).toMatchObject({ status: 'in-progress', questionnaireKey: 'phq-9', questionnaireVersion: 1, total: null, severity: null });
    const submitted = await t.client(clinician.token).assessments.submit.mutate({ id: started.id, answers: { ...answersFor('phq9', total), difficulty: 'very-difficult' } });
    expect(submitted).toMatchObject({ status: 'submitted', total, severity: { code: band }, submittedBy: clinician.id });
    expect(submitted.flags.map((f) => f.code)).toEqual(total >= 25 ? ['self-harm'] : []);
  });

  const gad7: [number, string][] = [
    [0, 'minimal'],
    [4, 'minimal'],
    [5, 'mild'],
    [9, 'mild'],
    [10, 'moderate'],
    [14, 'moderate'],
    [15, 'severe'],
    [21, 'severe'],
  ];
  it.each(gad7)('GAD-7 total %i is %s', async (total, band) => {
    const submitted = await completed(patientId, 'gad-7', answersFor('gad7', total));
    expect(submitted).toMatchObject({ status: 'submitted', total, severity: { code: band }, flags: [] });
  });

  it('stores what it returned', async () => {
    const byId = await t.client(clinician.token).assessments.byId.query({ id: (await completed(patientId, 'phq-9', answersFor('phq9', 11))).id });
    expect(byId).toMatchObject({ total: 11, severity: { code: 'moderate', label: 'Moderate depression' }, status: 'submitted' });
    expect(byId.definition.key).toBe('phq-9');
  });
});

describe('custom scoring rules through the API', () => {
  it('reverse-scores, sums subscales, bands and flags the seeded wellbeing check', async () => {
    const { id: patientId } = await createPatient(t, clinician.token);
    const { id } = await start(clinician, { patientId, questionnaireKey: 'wellbeing-check' });
    // sleep 2 + energy 1 + calm "never" reversed to 3 + hopeless 2 = 8: struggling, and the flag.
    const submitted = await t.client(clinician.token).assessments.submit.mutate({
      id,
      answers: { 'sleep-quality': 'poor', energy: 'sometimes', 'hours-slept': 5.5, calm: 'never', hopeless: 'often' },
    });
    expect(submitted).toMatchObject({ total: 8, subscales: { body: 3, mood: 5 }, severity: { code: 'struggling' }, flags: [{ code: 'hopelessness' }] });
  });
});

describe('alerts', () => {
  let patientId: string;
  beforeAll(async () => {
    patientId = (await createPatient(t, clinician.token)).id;
  });

  it('raises one when PHQ-9 item 9 is answered 1 or more, for the care team to acknowledge', async () => {
    const none = await completed(patientId, 'phq-9', answersFor('phq9', 6));
    expect(none.flags).toEqual([]);
    const flagged = await completed(patientId, 'phq-9', { ...answersFor('phq9', 6), 'phq9.9': 'several-days' });
    expect(flagged).toMatchObject({ total: 7, flags: [{ code: 'self-harm' }] });

    const open = await t.client(clinician.token).alerts.list.query({ patientId });
    expect(open.items).toEqual([expect.objectContaining({ patientId, assessmentId: flagged.id, code: 'self-harm', acknowledgedAt: null })]);
    const alertId = open.items[0]!.id;
    expect((await t.client(admin.token).alerts.list.query({ patientId })).items.map((a) => a.id)).toEqual([alertId]);

    // Outside the care team: the alert does not exist.
    expect((await t.client(outsider.token).alerts.list.query({ patientId })).items).toEqual([]);
    expect((await rejection(t.client(outsider.token).alerts.acknowledge.mutate({ id: alertId }))).code).toBe('NOT_FOUND');
    expect((await rejection(t.client(otherAdmin.token).alerts.acknowledge.mutate({ id: alertId }))).code).toBe('NOT_FOUND');

    const acknowledged = await t.client(clinician.token).alerts.acknowledge.mutate({ id: alertId });
    expect(acknowledged).toMatchObject({ id: alertId, acknowledgedBy: clinician.id, acknowledgedAt: expect.any(String) });
    expect((await t.client(clinician.token).alerts.list.query({ patientId })).items).toEqual([]);
    expect((await t.client(clinician.token).alerts.list.query({ patientId, acknowledged: true })).items.map((a) => a.id)).toEqual([alertId]);
    // Acknowledging again changes nothing.
    expect(await t.client(admin.token).alerts.acknowledge.mutate({ id: alertId })).toEqual(acknowledged);
  });
});

describe('answering', () => {
  let patientId: string;
  beforeAll(async () => {
    patientId = (await createPatient(t, clinician.token)).id;
  });

  it('saves partial answers, and refuses a submit with a required item missing', async () => {
    const c = t.client(clinician.token);
    const { id } = await start(clinician, { patientId, questionnaireKey: 'phq-9' });
    await c.assessments.saveAnswers.mutate({ id, answers: { 'phq9.1': 'several-days' } });
    const saved = await c.assessments.saveAnswers.mutate({ id, answers: { 'phq9.2': 'not-at-all', 'phq9.1': 'more-than-half' } });
    expect(saved).toMatchObject({ status: 'in-progress', answers: { 'phq9.1': 'more-than-half', 'phq9.2': 'not-at-all' }, total: null });

    const missing = await rejection(c.assessments.submit.mutate({ id, answers: { 'phq9.4': 'not-at-all' } }));
    expect(missing.code).toBe('BAD_REQUEST');
    expect(missing.fieldErrors).toMatchObject({ 'answers.phq9.3': ['is required'] });
    expect(Object.keys(missing.fieldErrors!).sort()).toEqual(['answers.phq9.3', 'answers.phq9.5', 'answers.phq9.6', 'answers.phq9.7', 'answers.phq9.8', 'answers.phq9.9']);
    // The refused submit saved nothing: the assessment is as it was.
    expect(await c.assessments.byId.query({ id })).toMatchObject({ status: 'in-progress', answers: { 'phq9.1': 'more-than-half', 'phq9.2': 'not-at-all' } });
    expect((await c.assessments.byId.query({ id })).answers).not.toHaveProperty('phq9.4');
  });

  it('refuses an answer that is not one of the options, and items the questionnaire does not have', async () => {
    const c = t.client(clinician.token);
    const { id } = await start(clinician, { patientId, questionnaireKey: 'phq-9' });
    for (const bad of ['sometimes', 2, true]) {
      const error = await rejection(c.assessments.saveAnswers.mutate({ id, answers: { 'phq9.1': bad } }));
      expect(error).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { 'answers.phq9.1': [expect.stringContaining('must be one of')] } });
    }
    const unknown = await rejection(c.assessments.submit.mutate({ id, answers: { ...answersFor('phq9', 3), 'phq9.10': 'not-at-all' } }));
    expect(unknown).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { 'answers.phq9.10': ['is not an item of this questionnaire'] } });
    expect(await c.assessments.byId.query({ id })).toMatchObject({ status: 'in-progress', answers: {} });
  });

  it('computes scores on the server: a client-sent total, severity or flags are ignored', async () => {
    const c = t.client(clinician.token);
    const { id } = await start(clinician, { patientId, questionnaireKey: 'phq-9' });
    // zod drops keys an input object does not declare; the types forbid them, so the test casts.
    const forged = { id, answers: answersFor('phq9', 2), total: 27, severity: { code: 'severe' }, flags: [{ code: 'self-harm' }], status: 'submitted' };
    await c.assessments.saveAnswers.mutate(forged as unknown as RouterInputs['assessments']['saveAnswers']);
    expect(await c.assessments.byId.query({ id })).toMatchObject({ status: 'in-progress', total: null, severity: null });
    const submitted = await c.assessments.submit.mutate(forged as unknown as RouterInputs['assessments']['submit']);
    expect(submitted).toMatchObject({ total: 2, severity: { code: 'minimal' }, flags: [] });
    expect(await sql(t, 'select total, severity from assessment where id = ?', [id])).toEqual([{ total: 2, severity: 'minimal' }]);
    // A score smuggled in as an answer is an answer to no item.
    const { id: other } = await start(clinician, { patientId, questionnaireKey: 'phq-9' });
    const smuggled = await rejection(c.assessments.submit.mutate({ id: other, answers: { ...answersFor('phq9', 2), total: 27 } }));
    expect(smuggled).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { 'answers.total': ['is not an item of this questionnaire'] } });
  });

  it('never changes a submitted assessment: saveAnswers and submit get CONFLICT', async () => {
    const c = t.client(clinician.token);
    const submitted = await completed(patientId, 'phq-9', answersFor('phq9', 8));
    const row = () => sql(t, 'select answers, total, severity, status, submitted_at, updated_at from assessment where id = ?', [submitted.id]);
    const before = await row();
    for (const call of [
      () => c.assessments.saveAnswers.mutate({ id: submitted.id, answers: { 'phq9.1': 'not-at-all' } }),
      () => c.assessments.submit.mutate({ id: submitted.id, answers: answersFor('phq9', 0) }),
      () => c.assessments.submit.mutate({ id: submitted.id }),
    ]) {
      expect(await rejection(call())).toMatchObject({ code: 'CONFLICT', reason: 'assessment-submitted' });
    }
    expect(await row()).toEqual(before);
  });

  it('amends a submitted assessment as a new one linked to it', async () => {
    const c = t.client(clinician.token);
    const original = await completed(patientId, 'phq-9', answersFor('phq9', 8));
    const amendment = await c.assessments.amend.mutate({ id: original.id });
    expect(amendment).toMatchObject({ amendsId: original.id, status: 'in-progress', questionnaireVersion: 1, answers: original.answers, total: null, patientId });
    expect(amendment.id).not.toBe(original.id);
    const corrected = await c.assessments.submit.mutate({ id: amendment.id, answers: { 'phq9.1': 'not-at-all' } });
    expect(corrected).toMatchObject({ total: 5, severity: { code: 'mild' }, amendsId: original.id });
    expect(await c.assessments.byId.query({ id: original.id })).toMatchObject({ total: 8, status: 'submitted', amendsId: null });
    // In the trend, the amendment stands in place of what it corrected.
    const trend = (await c.assessments.trend.query({ patientId, questionnaireKey: 'phq-9' })).map((p) => p.assessmentId);
    expect(trend).toContain(corrected.id);
    expect(trend).not.toContain(original.id);
    // Only a submitted one can be amended.
    const { id: open } = await start(clinician, { patientId, questionnaireKey: 'phq-9' });
    expect(await rejection(c.assessments.amend.mutate({ id: open }))).toMatchObject({ code: 'CONFLICT', reason: 'assessment-not-submitted' });
  });

  it('lets only one of two concurrent submits through, and raises its alerts once', async () => {
    const { id } = await start(clinician, { patientId, questionnaireKey: 'phq-9' });
    const answers = { ...answersFor('phq9', 3), 'phq9.9': 'nearly-every-day' };
    // Two clients: two HTTP requests, not one batch.
    const results = await Promise.allSettled([t.client(clinician.token).assessments.submit.mutate({ id, answers }), t.client(admin.token).assessments.submit.mutate({ id, answers })]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const failed = results.find((r) => r.status === 'rejected');
    expect(await rejection(Promise.reject(failed!.reason))).toMatchObject({ code: 'CONFLICT', reason: 'assessment-submitted' });
    expect(await sql(t, 'select count(*)::int as n from alert where assessment_id = ?', [id])).toEqual([{ n: 1 }]);
  });
});

describe('version pinning', () => {
  const pinned = (score: number) => ({
    name: 'pinned.yaml',
    documents: [
      {
        key: 'pin-check',
        title: 'Pin check',
        items: [
          {
            id: 'q',
            text: 'Any trouble?',
            type: 'choice',
            options: [
              { value: 'no', label: 'No', score: 0 },
              { value: 'yes', label: 'Yes', score },
            ],
          },
        ],
        scoring: {
          bands: [
            { min: 0, max: 4, code: 'low', label: 'Low' },
            { min: 5, max: 10, code: 'high', label: 'High' },
          ],
        },
      },
    ],
  });

  it('scores an assessment with the version it was started on, after a new version is seeded', async () => {
    const { id: patientId } = await createPatient(t, clinician.token);
    const a = t.client(admin.token);
    expect((await a.questionnaires.seed.mutate({ files: [pinned(1)] })).results[0]).toMatchObject({ action: 'created', version: 1 });
    const onV1 = await start(clinician, { patientId, questionnaireKey: 'pin-check' });
    expect(onV1.questionnaireVersion).toBe(1);
    expect((await a.questionnaires.seed.mutate({ files: [pinned(5)] })).results[0]).toMatchObject({ action: 'new-version', version: 2 });

    const onV2 = await start(clinician, { patientId, questionnaireKey: 'pin-check' });
    const explicitV1 = await start(clinician, { patientId, questionnaireKey: 'pin-check', version: 1 });
    expect([onV2.questionnaireVersion, explicitV1.questionnaireVersion]).toEqual([2, 1]);

    const c = t.client(clinician.token);
    expect(await c.assessments.submit.mutate({ id: onV1.id, answers: { q: 'yes' } })).toMatchObject({ questionnaireVersion: 1, total: 1, severity: { code: 'low' } });
    expect(await c.assessments.submit.mutate({ id: onV2.id, answers: { q: 'yes' } })).toMatchObject({ questionnaireVersion: 2, total: 5, severity: { code: 'high' } });
    const v1 = await c.assessments.byId.query({ id: explicitV1.id });
    expect(v1.definition.items[0]!.options![1]!.score).toBe(1);
    expect((await rejection(start(clinician, { patientId, questionnaireKey: 'pin-check', version: 3 }))).code).toBe('NOT_FOUND');
  });
});

describe('lists and trends', () => {
  let patientId: string;
  let otherPatientId: string;
  /** Ids by name, created on the 1st to 5th of January 2026 (backdated). */
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    patientId = (await createPatient(t, clinician.token)).id;
    otherPatientId = (await createPatient(t, clinician.token)).id;
    ids.phqLow = (await completed(patientId, 'phq-9', answersFor('phq9', 3))).id;
    ids.phqModerate = (await completed(patientId, 'phq-9', answersFor('phq9', 12))).id;
    ids.gadSevere = (await completed(patientId, 'gad-7', answersFor('gad7', 16))).id;
    ids.phqOpen = (await start(clinician, { patientId, questionnaireKey: 'phq-9' })).id;
    ids.gadAssigned = (await start(clinician, { patientId, questionnaireKey: 'gad-7', assignToPatient: true })).id;
    await completed(otherPatientId, 'phq-9', answersFor('phq9', 12));
    const order = ['phqLow', 'phqModerate', 'gadSevere', 'phqOpen', 'gadAssigned'];
    for (const [i, name] of order.entries()) {
      await sql(t, 'update assessment set created_at = ? where id = ?', [`2026-01-0${i + 1}T09:00:00Z`, ids[name]]);
    }
    // Submitted out of order: the moderate one was answered first.
    await sql(t, 'update assessment set submitted_at = ? where id = ?', ['2026-01-10T09:00:00Z', ids.phqLow]);
    await sql(t, 'update assessment set submitted_at = ? where id = ?', ['2026-01-08T09:00:00Z', ids.phqModerate]);
  });

  const list = (input: RouterInputs['assessments']['list'], user = clinician) => t.client(user.token).assessments.list.query(input);
  const named = (items: { id: string }[]) => items.map((a) => Object.keys(ids).find((k) => ids[k] === a.id) ?? 'other');

  it('filters by patient, questionnaire, severity, status and creation time, newest first', async () => {
    expect(named((await list({ patientId })).items)).toEqual(['gadAssigned', 'phqOpen', 'gadSevere', 'phqModerate', 'phqLow']);
    expect(named((await list({ patientId, questionnaireKey: 'phq-9' })).items)).toEqual(['phqOpen', 'phqModerate', 'phqLow']);
    expect(named((await list({ patientId, severity: 'moderate' })).items)).toEqual(['phqModerate']);
    expect(named((await list({ severity: 'moderate', questionnaireKey: 'phq-9', from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' })).items)).toEqual(['phqModerate']);
    expect(named((await list({ patientId, status: 'submitted' })).items)).toEqual(['gadSevere', 'phqModerate', 'phqLow']);
    expect(named((await list({ patientId, status: 'assigned' })).items)).toEqual(['gadAssigned']);
    expect(named((await list({ patientId, status: 'in-progress' })).items)).toEqual(['phqOpen']);
    // `from` is inclusive, `to` exclusive.
    expect(named((await list({ patientId, from: '2026-01-02T09:00:00Z', to: '2026-01-04T09:00:00Z' })).items)).toEqual(['gadSevere', 'phqModerate']);
    expect(named((await list({ patientId, from: '2026-01-04T00:00:00+01:00' })).items)).toEqual(['gadAssigned', 'phqOpen']);
    expect((await list({ patientId: otherPatientId })).items).toHaveLength(1);
  });

  it('pages with a cursor, each row once, in order', async () => {
    const { items, pages } = await allPages((cursor) => list({ patientId, limit: 2, cursor }));
    expect(pages).toBe(3);
    expect(named(items)).toEqual(['gadAssigned', 'phqOpen', 'gadSevere', 'phqModerate', 'phqLow']);
    const first = await list({ patientId, limit: 2 });
    // A row added after the first page does not shift the next one.
    await start(clinician, { patientId, questionnaireKey: 'phq-9' });
    expect(named((await list({ patientId, limit: 2, cursor: first.nextCursor! })).items)).toEqual(['gadSevere', 'phqModerate']);
    expect((await rejection(list({ patientId, cursor: 'not-a-cursor' }))).code).toBe('BAD_REQUEST');
  });

  it('gives the submitted totals of one questionnaire over time, oldest first', async () => {
    const trend = await t.client(clinician.token).assessments.trend.query({ patientId, questionnaireKey: 'phq-9' });
    expect(trend).toEqual([
      { assessmentId: ids.phqModerate, submittedAt: '2026-01-08T09:00:00.000Z', total: 12, severity: { code: 'moderate', label: 'Moderate depression' } },
      { assessmentId: ids.phqLow, submittedAt: '2026-01-10T09:00:00.000Z', total: 3, severity: { code: 'minimal', label: 'Minimal depression' } },
    ]);
    expect((await t.client(clinician.token).assessments.trend.query({ patientId, questionnaireKey: 'gad-7' })).map((p) => p.total)).toEqual([16]);
  });

  it('shows a clinician outside the care team nothing, and NOT_FOUND for real ids', async () => {
    const o = t.client(outsider.token);
    expect((await o.assessments.list.query({ patientId })).items).toEqual([]);
    expect((await o.assessments.list.query({})).items).toEqual([]);
    const calls = {
      byId: () => o.assessments.byId.query({ id: ids.phqOpen! }),
      saveAnswers: () => o.assessments.saveAnswers.mutate({ id: ids.phqOpen!, answers: { 'phq9.1': 'not-at-all' } }),
      submit: () => o.assessments.submit.mutate({ id: ids.phqOpen!, answers: answersFor('phq9', 1) }),
      amend: () => o.assessments.amend.mutate({ id: ids.phqLow! }),
      trend: () => o.assessments.trend.query({ patientId, questionnaireKey: 'phq-9' }),
      start: () => o.assessments.start.mutate({ patientId, questionnaireKey: 'phq-9' }),
    };
    for (const [name, call] of Object.entries(calls)) expect({ name, ...(await rejection(call())) }).toMatchObject({ name, code: 'NOT_FOUND' });
    // Another practice's admin sees nothing either.
    const b = t.client(otherAdmin.token);
    expect((await rejection(b.assessments.byId.query({ id: ids.phqLow! }))).code).toBe('NOT_FOUND');
    expect((await b.assessments.list.query({ patientId })).items).toEqual([]);
    expect(await t.client(clinician.token).assessments.byId.query({ id: ids.phqOpen! })).toMatchObject({ status: 'in-progress', answers: {} });
  });
});

describe('assigned to the patient, completed in the portal', () => {
  let patient: TestUser;
  let patientId: string;
  let otherPatientId: string;

  beforeAll(async () => {
    const email = newEmail('patient');
    patientId = (await createPatient(t, clinician.token, { email })).id;
    otherPatientId = (await createPatient(t, clinician.token)).id;
    await t.client(clinician.token).patients.invitePortal.mutate({ patientId });
    const inviteToken = t.secret(tokenFromMail(await t.smtp.waitForMail(email, /patient portal/)));
    const password = newPassword(t);
    const accepted = await t.client().invites.accept.mutate({ token: inviteToken, name: 'Ada Patient', password });
    t.secret(accepted.token);
    patient = { id: accepted.userId, email, password, practiceId: admin.practiceId, token: await loginAs(t, email, password) };
  });

  it('lets the patient save and submit an assessment assigned to them', async () => {
    const assigned = await start(clinician, { patientId, questionnaireKey: 'phq-9', assignToPatient: true });
    expect(assigned).toMatchObject({ status: 'assigned', assignedToPatient: true });
    const p = t.client(patient.token);
    expect((await p.assessments.list.query({ status: 'assigned' })).items.map((a) => a.id)).toEqual([assigned.id]);
    const saved = await p.assessments.saveAnswers.mutate({ id: assigned.id, answers: { 'phq9.1': 'several-days' } });
    expect(saved.status).toBe('in-progress');
    const submitted = await p.assessments.submit.mutate({ id: assigned.id, answers: { ...answersFor('phq9', 4), 'phq9.1': 'several-days', 'phq9.9': 'several-days' } });
    expect(submitted).toMatchObject({ status: 'submitted', submittedBy: patient.id, flags: [{ code: 'self-harm' }] });
    // The care team hears of it.
    expect((await t.client(clinician.token).alerts.list.query({ patientId })).items.map((a) => a.assessmentId)).toEqual([assigned.id]);
    expect(await rejection(p.assessments.saveAnswers.mutate({ id: assigned.id, answers: {} }))).toMatchObject({ code: 'CONFLICT', reason: 'assessment-submitted' });
  });

  it('gives NOT_FOUND for an assessment not assigned to them, and for another patient’s', async () => {
    const p = t.client(patient.token);
    const clinicianRun = await start(clinician, { patientId, questionnaireKey: 'gad-7' });
    const someoneElses = await start(clinician, { patientId: otherPatientId, questionnaireKey: 'gad-7', assignToPatient: true });
    for (const id of [clinicianRun.id, someoneElses.id]) {
      expect((await rejection(p.assessments.saveAnswers.mutate({ id, answers: { 'gad7.1': 'not-at-all' } }))).code).toBe('NOT_FOUND');
      expect((await rejection(p.assessments.submit.mutate({ id, answers: answersFor('gad7', 0) }))).code).toBe('NOT_FOUND');
    }
    expect((await rejection(p.assessments.byId.query({ id: someoneElses.id }))).code).toBe('NOT_FOUND');
    // What the clinician ran without assigning it stays with the care team, even for the patient's own record.
    expect((await rejection(p.assessments.byId.query({ id: clinicianRun.id }))).code).toBe('NOT_FOUND');
    expect((await p.assessments.list.query({ patientId })).items.map((a) => a.id)).not.toContain(clinicianRun.id);
    expect((await p.assessments.list.query({ patientId: otherPatientId })).items).toEqual([]);
    expect((await rejection(p.assessments.trend.query({ patientId: otherPatientId, questionnaireKey: 'gad-7' }))).code).toBe('NOT_FOUND');
    expect(await sql(t, 'select status, answers from assessment where id in (?, ?) order by status', [clinicianRun.id, someoneElses.id])).toEqual([
      { status: 'assigned', answers: {} },
      { status: 'in-progress', answers: {} },
    ]);
  });

  it('does not let a patient start, amend or see alerts', async () => {
    const p = t.client(patient.token);
    expect((await rejection(p.assessments.start.mutate({ patientId, questionnaireKey: 'phq-9' }))).code).toBe('FORBIDDEN');
    expect((await rejection(p.alerts.list.query({}))).code).toBe('FORBIDDEN');
  });
});

describe('text answers', () => {
  it('NUL, unpaired surrogates or a version past any integer column are field errors, not 500s; nothing is saved', async () => {
    const { id: patientId } = await createPatient(t, clinician.token);
    const c = t.client(clinician.token);
    const { id } = await start(clinician, { patientId, questionnaireKey: 'wellbeing-check' });
    for (const bad of ['fine\u0000', '\ud800', 'ok \udc00', 'cut \ud83d']) {
      for (const call of [c.assessments.saveAnswers.mutate({ id, answers: { notes: bad } }), c.assessments.submit.mutate({ id, answers: { notes: bad } })]) {
        expect(await rejection(call)).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { 'answers.notes': ['must not contain NUL characters or unpaired surrogates'] } });
      }
    }
    expect((await c.assessments.byId.query({ id })).answers).toEqual({});
    expect(await rejection(start(clinician, { patientId, questionnaireKey: 'wellbeing-check', version: 2 ** 31 }))).toMatchObject({
      code: 'BAD_REQUEST',
      fieldErrors: { version: [expect.any(String)] },
    });
    expect(await rejection(c.questionnaires.byKey.query({ key: 'wellbeing-check', version: 2 ** 31 }))).toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('abandoning an assessment started by mistake', () => {
  let patientId: string;
  let portal: TestUser;
  const abandon = (user: TestUser, id: string, reason = 'Started the wrong questionnaire') => t.client(user.token).assessments.abandon.mutate({ id, reason });

  beforeAll(async () => {
    const email = newEmail('abandon');
    patientId = (await createPatient(t, clinician.token, { email })).id;
    await t.client(clinician.token).patients.invitePortal.mutate({ patientId });
    const inviteToken = t.secret(tokenFromMail(await t.smtp.waitForMail(email, /patient portal/)));
    const password = newPassword(t);
    const accepted = await t.client().invites.accept.mutate({ token: inviteToken, name: 'Abandoning Patient', password });
    t.secret(accepted.token);
    portal = { id: accepted.userId, email, password, practiceId: admin.practiceId, token: await loginAs(t, email, password) };
  });

  it('keeps it, marked abandoned with who, when and why, audited; it can no longer be answered', async () => {
    const started = await start(clinician, { patientId, questionnaireKey: 'phq-9' });
    await t.client(clinician.token).assessments.saveAnswers.mutate({ id: started.id, answers: { 'phq9.1': 'several-days' } });
    const abandoned = await abandon(clinician, started.id, '  Meant the GAD-7  ');
    expect(abandoned).toMatchObject({
      id: started.id,
      status: 'abandoned',
      abandonedBy: clinician.id,
      abandonedAt: expect.any(String),
      abandonReason: 'Meant the GAD-7',
      answers: { 'phq9.1': 'several-days' },
    });
    expect(await t.client(clinician.token).assessments.byId.query({ id: started.id })).toMatchObject({ status: 'abandoned', abandonReason: 'Meant the GAD-7' });
    expect(await sql(t, `select actor_id, detail from audit_event where action = 'assessment.abandoned' and entity_id = ?`, [started.id])).toEqual([{ actor_id: clinician.id, detail: { patientId } }]);

    const c = t.client(clinician.token);
    const calls = [
      () => c.assessments.saveAnswers.mutate({ id: started.id, answers: {} }),
      () => c.assessments.submit.mutate({ id: started.id, answers: answersFor('phq9', 3) }),
      () => abandon(admin, started.id),
    ];
    for (const call of calls) expect(await rejection(call())).toMatchObject({ code: 'CONFLICT', reason: 'assessment-abandoned' });
    expect(await sql(t, 'select status, abandoned_by, abandon_reason, total from assessment where id = ?', [started.id])).toEqual([
      { status: 'abandoned', abandoned_by: clinician.id, abandon_reason: 'Meant the GAD-7', total: null },
    ]);
  });

  it('refuses a submitted assessment (amend it instead), and a missing reason, changing nothing', async () => {
    const submitted = await completed(patientId, 'gad-7', answersFor('gad7', 4));
    expect(await rejection(abandon(clinician, submitted.id))).toMatchObject({ code: 'CONFLICT', reason: 'assessment-submitted' });
    const started = await start(clinician, { patientId, questionnaireKey: 'gad-7' });
    for (const reason of ['', '   ', 'x'.repeat(501)]) {
      expect(await rejection(abandon(clinician, started.id, reason))).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { reason: [expect.any(String)] } });
    }
    expect(await sql(t, 'select status from assessment where id = ?', [submitted.id])).toEqual([{ status: 'submitted' }]);
    expect(await sql(t, 'select status, abandon_reason from assessment where id = ?', [started.id])).toEqual([{ status: 'in-progress', abandon_reason: null }]);
  });

  it('by the patient it was assigned to, not one the clinician runs; NOT_FOUND outside the care team or the practice; admins may', async () => {
    const assigned = await start(clinician, { patientId, questionnaireKey: 'phq-9', assignToPatient: true });
    const clinicianRun = await start(clinician, { patientId, questionnaireKey: 'phq-9' });
    expect(await rejection(abandon(portal, clinicianRun.id))).toMatchObject({ code: 'NOT_FOUND' });
    for (const user of [outsider, otherAdmin]) expect(await rejection(abandon(user, assigned.id))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await sql(t, 'select status from assessment where id in (?, ?) order by created_at', [assigned.id, clinicianRun.id])).toEqual([{ status: 'assigned' }, { status: 'in-progress' }]);
    expect(await abandon(portal, assigned.id, 'Already did this one at the clinic')).toMatchObject({ status: 'abandoned', abandonedBy: portal.id });
    expect(await abandon(admin, clinicianRun.id)).toMatchObject({ status: 'abandoned', abandonedBy: admin.id });
  });

  it('is left out of lists unless asked for, and out of trends, reports and the FHIR export', async () => {
    const reported = async () => (await t.client(admin.token).reports.assessments.query({ questionnaireKey: 'phq-9' })).rows.find((r) => r.clinicianId === null)?.count ?? 0;
    const reportedBefore = await reported();
    const kept = await completed(patientId, 'phq-9', answersFor('phq9', 12));
    const dropped = await start(clinician, { patientId, questionnaireKey: 'phq-9' });
    await abandon(clinician, dropped.id);
    // An amendment started and abandoned leaves the original standing in the trend.
    const amendment = await t.client(clinician.token).assessments.amend.mutate({ id: kept.id });
    await abandon(clinician, amendment.id);

    const c = t.client(clinician.token);
    const listed = async (input: Omit<RouterInputs['assessments']['list'], 'patientId'>) =>
      (await allPages((cursor) => c.assessments.list.query({ patientId, ...input, cursor }))).items.map((a) => a.id);
    const everything = await listed({ includeAbandoned: true });
    expect(everything).toEqual(expect.arrayContaining([kept.id, dropped.id, amendment.id]));
    const abandonedOnly = await listed({ status: 'abandoned' });
    expect(abandonedOnly).toEqual(expect.arrayContaining([dropped.id, amendment.id]));
    expect(await listed({})).toEqual(everything.filter((id) => !abandonedOnly.includes(id)));
    // The patient's own list too: the one they abandoned shows only when asked for.
    const p = t.client(portal.token);
    expect((await p.assessments.list.query({ patientId })).items.map((a) => a.status)).not.toContain('abandoned');
    expect((await p.assessments.list.query({ patientId, includeAbandoned: true })).items.map((a) => a.status)).toContain('abandoned');

    expect((await c.assessments.trend.query({ patientId, questionnaireKey: 'phq-9' })).map((p) => p.assessmentId)).toContain(kept.id);
    expect(await reported()).toBe(reportedBefore + 1);

    const bundle = await c.patients.fhir.query({ id: patientId });
    const exported = bundle.entry!.map((e) => (e.resource as { resourceType: string; id: string }).id);
    expect(exported).toContain(kept.id);
    expect(exported).not.toContain(dropped.id);
    expect(exported).not.toContain(amendment.id);
  });
});
