import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPamsClient, type PamsClient } from '../shared/client.ts';
import { demoLogins, DEMO_PASSWORD } from '../server/demo-seed.ts';
import { closeOrm, initOrm, type Orm } from '../server/orm.ts';
import { dataSnapshot } from './data-snapshot.ts';
import { createTestDatabase, TEST_ENCRYPTION_KEY } from './harness.ts';
import { startPams, type PamsProcess } from './pams-process.ts';

/**
 * What `npm start` gives a newcomer: a real `pams serve --migrate --demo --jobs` on a fresh database,
 * explored through the API as the demo clinician would, then started a second time, which adds nothing.
 */
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let orm: Orm;
let serve: PamsProcess | undefined;
const env = () => ({ DATABASE_URL: db.url, PAMS_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEY, PORT: '0', LOG_LEVEL: 'info' });

beforeAll(async () => {
  db = await createTestDatabase();
  orm = await initOrm(db.url);
});
afterAll(async () => {
  await serve?.kill();
  await closeOrm(orm);
  await db.drop();
});

async function start() {
  serve = startPams(['serve', '--migrate', '--demo', '--jobs'], env());
  const url = (await serve.waitFor(/listening on (http:\/\/[\d.:]+)/, 60_000))[1]!;
  await serve.waitFor(/docs is the API reference/);
  return url;
}
async function stop() {
  serve!.signal('SIGTERM');
  expect(await serve!.exit).toBe(0);
}
const snapshot = () => dataSnapshot({ em: () => orm.em.fork() }, ['session', 'reminder_delivery']);

describe('the demo practice', () => {
  let url: string;
  let clinician: PamsClient;
  let admin: PamsClient;
  let patients: Awaited<ReturnType<PamsClient['patients']['list']['query']>>['items'];
  const patient = (givenName: string) => patients.find((p) => p.givenName === givenName)!;
  const login = async (email: string) => createPamsClient({ url, token: (await createPamsClient({ url }).auth.login.mutate({ email, password: DEMO_PASSWORD })).token });

  beforeAll(async () => {
    url = await start();
    admin = await login(demoLogins[0].email);
    clinician = await login(demoLogins[1].email);
  }, 90_000);

  it('is seeded on the first start, which says so, logs how long it took and says what to try', () => {
    const output = serve!.output();
    expect(output).toContain('Demo data created');
    expect(output).toMatch(/pams patients search/);
    expect(output).toMatch(/alerts\.list/);
    const ms = Number(output.match(/"ms":(\d+),"msg":"demo data seeded"/)?.[1]);
    expect(ms).toBeGreaterThanOrEqual(0); // logged; its speed is the bench's to measure, not a test's
  });

  it('has a dozen patients on the demo clinician’s list', async () => {
    ({ items: patients } = await clinician.patients.list.query({ limit: 100 }));
    expect(patients).toHaveLength(12);
  });

  it('has charts with clinical records', async () => {
    const chart = await clinician.patients.chart.query({ id: patient('Aoife').id });
    expect(chart.allergies.map((a) => a.substance)).toEqual(['Penicillin']);
    expect(chart.medications.map((m) => m.name)).toEqual(['Sertraline']);
    expect(chart.conditions).toHaveLength(1);
    expect(chart.observations).toHaveLength(1);
    for (const p of patients) {
      const c = await clinician.patients.chart.query({ id: p.id });
      expect(c.conditions.length, p.givenName).toBeGreaterThan(0);
    }
  });

  it('has an alert for the flagged PHQ-9, and a trend over weeks', async () => {
    const { items: alerts } = await clinician.alerts.list.query({});
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ patientId: patient('Liam').id, code: 'self-harm' });
    const flagged = await clinician.assessments.byId.query({ id: alerts[0]!.assessmentId });
    expect(flagged).toMatchObject({ questionnaireKey: 'phq-9', status: 'submitted', total: 21, severity: { code: 'severe' }, answers: { 'phq9.9': 'more-than-half' } });

    const trend = await clinician.assessments.trend.query({ patientId: patient('Aoife').id, questionnaireKey: 'phq-9' });
    expect(trend.map((p) => p.total)).toEqual([18, 15, 12, 9, 7]);
    const weeksAgo = DateTime.now().diff(DateTime.fromISO(trend[0]!.submittedAt), 'weeks').weeks;
    expect(weeksAgo).toBeGreaterThan(7);
    expect(weeksAgo).toBeLessThan(9);
  });

  it('has weekly hours, appointment types, and past and upcoming appointments, none overlapping', async () => {
    const types = await clinician.appointmentTypes.list.query({});
    expect(types.map((t) => t.name).sort()).toEqual(['Follow-up', 'Initial assessment', 'Medication review']);
    const hours = await clinician.availability.list.query({ clinicianId: (await clinician.auth.me.query()).user.id });
    expect(hours).toMatchObject({ timeZone: 'Europe/Dublin', weeklyHours: expect.arrayContaining([{ weekday: 1, start: '09:00', end: '17:00' }]) });
    expect(hours.weeklyHours).toHaveLength(5);

    const { items } = await admin.appointments.list.query({ limit: 100 });
    const now = Date.now();
    expect(items.filter((a) => Date.parse(a.startsAt) < now).map((a) => a.status)).toEqual(expect.arrayContaining(['completed', 'no-show', 'cancelled']));
    const upcoming = items.filter((a) => Date.parse(a.startsAt) > now);
    expect(upcoming.length).toBeGreaterThan(5);
    expect(upcoming.every((a) => a.status === 'booked')).toBe(true);
    const live = items.filter((a) => a.status !== 'cancelled');
    const overlaps = (a: (typeof live)[number], b: (typeof live)[number]) => Date.parse(a.startsAt) < Date.parse(b.endsAt) && Date.parse(b.startsAt) < Date.parse(a.endsAt);
    const doubleBooked = live.flatMap((a, i) => live.slice(i + 1).filter((b) => (b.clinicianId === a.clinicianId || b.patientId === a.patientId) && overlaps(a, b)));
    expect(doubleBooked).toEqual([]);
    // In the practice's hours: weekdays, in Dublin's wall-clock time.
    for (const a of items) expect(DateTime.fromISO(a.startsAt, { zone: 'Europe/Dublin' }).weekday).toBeLessThanOrEqual(5);
  });

  it('has a note whose checklist and plan are listed, with their passages, the note sealed in the database', async () => {
    const id = patient('Aoife').id;
    const { items: notes } = await clinician.notes.list.query({ patientId: id });
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ body: expect.stringContaining('sertraline'), extraction: { state: 'done', stepsCreated: 5 } });
    const { items: steps } = await clinician.steps.list.query({ patientId: id });
    expect(steps.map((s) => [s.kind, s.state]).sort()).toEqual([
      ['checklist', 'active'],
      ['checklist', 'done'],
      ['plan', 'active'],
      ['plan', 'active'],
      ['plan', 'active'],
    ]);
    for (const s of steps) expect(notes[0]!.body).toContain(s.provenance);
    expect(steps.find((s) => s.title === 'Walk for 30 minutes')?.schedule).toMatchObject({ cadence: 'daily', timeOfDay: '18:00' });
    const [row] = await orm.em.getConnection().execute<{ body_ciphertext: string }[]>('select body_ciphertext from note');
    expect(row!.body_ciphertext).not.toContain('sertraline');
  });

  it('bills: a price list, a charge per completed visit, and an issued invoice with VAT on its report', async () => {
    expect((await clinician.services.list.query()).map((s) => [s.code, s.price, s.taxRateName])).toEqual([
      ['FU', 6000, null],
      ['IA', 12000, null],
      ['MR', 4500, null],
      ['REP', 5000, 'VAT 23%'],
    ]);
    const { items: charges } = await clinician.charges.list.query({ limit: 100 });
    expect(charges).toHaveLength(10);
    const { items: invoices } = await admin.invoices.list.query({});
    expect(invoices).toHaveLength(1);
    expect(invoices[0]).toMatchObject({ patientId: patient('Aoife').id, status: 'issued', number: `INV-${new Date().getUTCFullYear()}-000001`, subtotal: 11000, tax: 1150, total: 12150 });
  });

  it('was written through the services: each write audited as the demo user who made it', async () => {
    const rows = await orm.em.getConnection().execute<{ action: string; n: string }[]>(`select action, count(*) as n from audit_event where request_id = 'demo-seed' group by action order by action`);
    const counts = Object.fromEntries(rows.map((r) => [r.action, Number(r.n)]));
    expect(counts).toMatchObject({ 'patient.created': 12, 'assessment.submitted': 22, 'appointment.booked': 25, 'note.created': 1, 'step.ticked': 1 });
  });

  it('is not seeded again: a second start adds and changes nothing', async () => {
    await stop();
    const before = await snapshot();
    url = await start();
    expect(serve!.output()).not.toContain('Demo data created');
    expect(serve!.output()).toContain('Demo logins (if unchanged)');
    expect(await snapshot()).toBe(before);
    await stop();
  }, 90_000);
});
