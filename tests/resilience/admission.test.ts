import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPatient, createPractice, inviteUser, type TestUser } from '../fixtures.ts';
import { startTestServer, type TestServer } from '../harness.ts';
import { parseExposition } from '../prometheus-text.ts';
import { callSubscription } from '../subscription-call.ts';

/**
 * Two calls at work at once, one waiting, for at most 1.5 s (server/http/admission.ts). Calls are made
 * slow for real: they update a patient whose row a transaction of the test holds locked.
 */
let t: TestServer;
let clinician: TestUser;
let patientId: string;
let locker: pg.Client;
let updates = 0;

beforeAll(async () => {
  t = await startTestServer({ REQUESTS_ACTIVE_MAX: '2', REQUESTS_QUEUE_MAX: '1', REQUESTS_QUEUE_MS: '1500', METRICS_TOKEN: 'metrics-token-for-the-test' });
  const { admin } = await createPractice(t);
  clinician = await inviteUser(t, admin);
  patientId = (await createPatient(t, clinician.token)).id;
  locker = new pg.Client({ connectionString: t.dbUrl });
  await locker.connect();
});
afterAll(async () => {
  await locker.end();
  await t.close();
});

/** One call in one HTTP request (the typed client would batch calls made together into one). */
const call = (path: string, input?: unknown) =>
  t.fetch(`${t.url}/trpc/${path}`, {
    method: input === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${clinician.token}`, 'content-type': 'application/json' },
    ...(input !== undefined && { body: JSON.stringify(input) }),
  });

/** Two calls that wait on the patient's row lock: they take both places until `release`. */
async function fillBothPlaces() {
  await locker.query('begin');
  await locker.query('select 1 from patient where id = $1 for update', [patientId]);
  // Each a new number: an update that changes nothing would not touch the row, nor wait for it.
  const slow = [0, 1].map(() => call('patients.update', { id: patientId, phone: `+353 87 ${1000000 + ++updates}` }));
  await waitForCallsAtWork(2, slow);
  return {
    slow,
    release: async () => {
      await locker.query('rollback');
      return Promise.all(slow);
    },
  };
}

/** The server's gauges, as a scraper reads them. */
async function metric(name: string) {
  const res = await t.fetch(`${t.url}/metrics`, { headers: { authorization: 'Bearer metrics-token-for-the-test' } });
  return parseExposition(await res.text()).samples.find((s) => s.name === name)!.value;
}

/** Until `n` calls are being answered besides the scrape itself, and none of them has been answered. */
async function waitForCallsAtWork(n: number, calls: Promise<Response>[]) {
  let answered = false;
  for (const c of calls) c.then(() => (answered = true));
  for (const deadline = Date.now() + 5000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 20))) {
    if (answered) throw new Error('a call meant to wait on the lock was answered');
    if ((await metric('pams_http_requests_in_flight')) >= n + 1) return;
  }
  throw new Error(`${n} calls were never at work together`);
}

const shed = () => metric('pams_http_requests_shed_total');
describe('admission: a bounded number of calls at work, the rest in a bounded queue', () => {
  it('queues a call while both places are taken and runs it when one is free', async () => {
    const busy = await fillBothPlaces();
    let answered = false;
    const queued = call('auth.me').finally(() => (answered = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(answered).toBe(false);
    const answers = await busy.release();
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    expect((await queued).status).toBe(200);
  });

  it('answers 503 overloaded, with Retry-After, to a call that waited too long and to one that finds the queue full', async () => {
    const before = await shed();
    const busy = await fillBothPlaces();
    const started = Date.now();
    const waited = call('auth.me');
    await new Promise((r) => setTimeout(r, 100));
    const full = await call('patients.byId?input=' + encodeURIComponent(JSON.stringify({ id: patientId })));
    expect(Date.now() - started).toBeLessThan(1500); // refused at once, not after waiting
    const late = await waited;
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    for (const res of [full, late]) {
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      const body = (await res.json()) as { error: { data: { code: string; reason: string; requestId: string } } };
      expect(body.error.data).toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'overloaded', requestId: expect.any(String) });
    }
    expect((await busy.release()).map((r) => r.status)).toEqual([200, 200]);
    expect(await shed()).toBe(before + 2);
    // The refused calls changed nothing, and the places are free again.
    expect((await call('auth.me')).status).toBe(200);
  });

  it('does not count live streams: a stream opens while both places are taken', async () => {
    const busy = await fillBothPlaces();
    try {
      const answer = await callSubscription(t, 'notifications.stream', undefined, clinician.token);
      expect(answer).toMatchObject({ opened: true });
    } finally {
      await busy.release();
    }
  });
});
