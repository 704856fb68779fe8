import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgPool } from '../../server/database.ts';
import { processMetrics } from '../../server/observability/metrics-gauges.ts';
import { startMetricsServer } from '../../server/observability/metrics-server.ts';
import { SWEEP_REMINDERS } from '../../server/modules/reminders/reminders.jobs.ts';
import { newId } from '../../server/ids.ts';
import { createPamsClient } from '../../shared/client.ts';
import { extracted, NOTE, patientWithPortal, startCareLoop } from '../care-loop-setup.ts';
import { sql } from '../fixtures.ts';
import { createTestDatabase, startTestServer, TEST_ENCRYPTION_KEY } from '../harness.ts';
import { startPams } from '../pams-process.ts';
import { parseExposition, type Exposition, type Sample } from '../prometheus-text.ts';
import { runJobNow, startWorker, waitFor } from '../workers.ts';

/**
 * GET /metrics. A test server (its clock moved by hand, a worker beside it) with its metrics on a listener
 * of their own: real calls, then a scrape, parsed as Prometheus parses it. Then `pams serve` and
 * `pams worker` as real processes with METRICS_PORT: the URL they print, /healthz and /metrics there.
 */
const TOKEN = `metrics-${randomBytes(12).toString('hex')}`;
let world: Awaited<ReturnType<typeof startCareLoop>>;
let listener: { server: Server; url: string };

beforeAll(async () => {
  world = await startCareLoop({ env: { METRICS_TOKEN: TOKEN } });
  await startWorker(world.t);
  listener = await startMetricsServer(world.t.metrics, { host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  listener?.server.close();
  await world?.close();
});

async function scrape(url = `${listener.url}/metrics`, headers: Record<string, string> = {}): Promise<Exposition> {
  const res = await fetch(url, { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await res.text());
}

const sameLabels = (a: Record<string, string>, b: Record<string, string>) => Object.keys(a).length === Object.keys(b).length && Object.entries(b).every(([k, v]) => a[k] === v);

/** The samples named `name` whose labels include `labels`. */
const samples = (s: Exposition, name: string, labels: Record<string, string> = {}): Sample[] => s.samples.filter((m) => m.name === name && Object.entries(labels).every(([k, v]) => m.labels[k] === v));

/** A histogram's count and sum for one exact label set (0 and 0 while it has no such series). */
function histogram(s: Exposition, name: string, labels: Record<string, string>) {
  expect(s.types.get(name)).toBe('histogram');
  const one = (suffix: string) => s.samples.find((m) => m.name === `${name}_${suffix}` && sameLabels(m.labels, labels))?.value ?? 0;
  return { count: one('count'), sum: one('sum') };
}

/** A gauge's one sample with exactly these labels (undefined: none). */
const gauge = (s: Exposition, name: string, labels: Record<string, string> = {}) => s.samples.find((m) => m.name === name && sameLabels(m.labels, labels))?.value;

/** The values a histogram's series have for one label. */
const labelValues = (s: Exposition, name: string, label: string) => new Set(samples(s, `${name}_count`).map((m) => m.labels[label]));

const has = (s: Exposition, name: string) => s.types.has(name);

describe('GET /metrics', () => {
  it('times each tRPC call by procedure, type and code, and each HTTP request by method, route pattern and status', async () => {
    const { t, clinician } = world;
    const procedure = (code: string, type = 'query') => ({ procedure: 'auth.me', type, code });
    const http = { method: 'GET', route: '/trpc/*', status: '200' };
    const before = await scrape();
    for (let i = 0; i < 5; i++) await t.client(clinician.token).auth.me.query();
    await expect(t.client().auth.me.query()).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
    await expect(t.client(clinician.token).patients.create.mutate({} as never)).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' } });
    const healthz = await t.fetch(`${t.url}/healthz`);
    expect(healthz.status).toBe(200);
    const after = await scrape();

    const name = 'pams_procedure_duration_seconds';
    expect(histogram(after, name, procedure('OK')).count - histogram(before, name, procedure('OK')).count).toBe(5);
    expect(histogram(after, name, procedure('UNAUTHORIZED')).count - histogram(before, name, procedure('UNAUTHORIZED')).count).toBe(1);
    const badInput = { procedure: 'patients.create', type: 'mutation', code: 'BAD_REQUEST' };
    expect(histogram(after, name, badInput).count - histogram(before, name, badInput).count).toBe(1);
    expect(histogram(after, name, procedure('OK')).sum).toBeGreaterThan(0);

    const requests = 'pams_http_request_duration_seconds';
    // Five calls answered 200, the unauthorized one 401 (a GET: a query).
    expect(histogram(after, requests, http).count - histogram(before, requests, http).count).toBe(5);
    expect(histogram(after, requests, { ...http, status: '401' }).count - histogram(before, requests, { ...http, status: '401' }).count).toBe(1);
    const health = { method: 'GET', route: '/healthz', status: '200' };
    expect(histogram(after, requests, health).count - histogram(before, requests, health).count).toBe(1);
    expect(gauge(after, 'pams_http_requests_in_flight')).toBe(0);
  });

  it('adds no label values for paths, procedures or methods a client makes up', async () => {
    const { t, clinician } = world;
    const marker = `zz${randomBytes(4).toString('hex')}`;
    const unknown = () => [
      t.fetch(`${t.url}/${marker}-${randomBytes(3).toString('hex')}`),
      t.fetch(`${t.url}/fhir/${marker}/${randomBytes(3).toString('hex')}`, { headers: { authorization: `Bearer ${clinician.token}` } }),
      t.fetch(`${t.url}/trpc/${marker}.${randomBytes(3).toString('hex')}`, { headers: { authorization: `Bearer ${clinician.token}` } }),
      t.fetch(`${t.url}/${marker}`, { method: 'PURGE' }),
    ];
    await Promise.all(unknown()); // the catch-all patterns, once
    const before = await scrape();
    for (let i = 0; i < 10; i++) await Promise.all(unknown());
    const after = await scrape();
    for (const [name, label] of [
      ['pams_http_request_duration_seconds', 'route'],
      ['pams_http_request_duration_seconds', 'method'],
      ['pams_procedure_duration_seconds', 'procedure'],
    ] as const) {
      expect([...labelValues(after, name, label)].sort()).toEqual([...labelValues(before, name, label)].sort());
      expect([...labelValues(after, name, label)].join(' ')).not.toContain(marker);
    }
    expect(samples(after, 'pams_http_request_duration_seconds_count').length).toBe(samples(before, 'pams_http_request_duration_seconds_count').length);
    expect(labelValues(after, 'pams_http_request_duration_seconds', 'method')).toContain('other');
  });

  it("shows the ORM's pool and the side pool by state", async () => {
    const s = await scrape();
    for (const pool of ['orm', 'side']) {
      for (const state of ['in_use', 'idle', 'waiting']) expect(gauge(s, 'pams_db_pool_connections', { pool, state })).toBeGreaterThanOrEqual(0);
      // Both have served queries by now, and keep their connections for a while.
      expect(gauge(s, 'pams_db_pool_connections', { pool, state: 'idle' })! + gauge(s, 'pams_db_pool_connections', { pool, state: 'in_use' })!).toBeGreaterThan(0);
    }
  });

  it('counts due jobs no worker has taken, and the age of the oldest', async () => {
    // No process defines this job, so it stays due: as a job does when every worker is busy or gone.
    const job = `metrics.probe-${randomBytes(3).toString('hex')}`;
    await world.t.agenda.schedule(new Date(Date.now() - 120_000), job, {});
    await world.t.agenda.schedule(new Date(Date.now() - 30_000), job, {});
    await world.t.agenda.schedule(new Date(Date.now() + 3_600_000), job, {}); // not due
    const s = await scrape();
    expect(gauge(s, 'pams_job_queue_depth', { job_name: job })).toBe(2);
    const age = gauge(s, 'pams_job_oldest_due_age_seconds', { job_name: job })!;
    expect(age).toBeGreaterThanOrEqual(119);
    expect(age).toBeLessThan(180);
  });

  it('answers without the queue series when the queue cannot be read', async () => {
    const { t } = world;
    const ended = createPgPool(t.dbUrl, t.config.database, () => {});
    await ended.end();
    const failing = await startMetricsServer(processMetrics({ orm: t.orm, pool: ended, config: t.config, log: t.log }), { host: '127.0.0.1', port: 0 });
    try {
      const s = await scrape(`${failing.url}/metrics`);
      expect(samples(s, 'pams_job_queue_depth')).toEqual([]);
      expect(samples(s, 'pams_job_oldest_due_age_seconds')).toEqual([]);
      expect(gauge(s, 'pams_db_pool_connections', { pool: 'side', state: 'idle' })).toBe(0);
      expect(t.logLines.some((l) => l.includes('metrics: could not read the job queue'))).toBe(true);
    } finally {
      failing.server.close();
    }
  });

  it("observes a reminder's lag from its time of day to when it was sent, by channel", async () => {
    const { t, clock, clinician } = world;
    clock.set('2026-03-02T13:00:00Z');
    const { patient } = await patientWithPortal(t, clinician);
    const note = await t.client(clinician.token).notes.create.mutate({ patientId: patient.id, body: NOTE });
    await extracted(t, clinician.token, note.id);
    const before = await scrape();
    // Amlodipine at 08:30 and the walk at 09:00, New York time (EST): 13:30Z and 14:00Z; sent at 14:45Z.
    clock.set('2026-03-02T14:45:00Z');
    await runJobNow(t, SWEEP_REMINDERS);
    await waitFor(async () => (await sql<{ n: string }>(t, `select count(*) as n from reminder_delivery where patient_id = ? and status = 'sent'`, [patient.id]))[0]!.n === '4', {
      what: 'both reminders sent in the app and by email',
    });
    const after = await scrape();
    for (const channel of ['in-app', 'email']) {
      const [b, a] = [histogram(before, 'pams_reminder_lag_seconds', { channel }), histogram(after, 'pams_reminder_lag_seconds', { channel })];
      expect(a.count - b.count).toBe(2);
      expect(a.sum - b.sum).toBeCloseTo(75 * 60 + 45 * 60, 3);
    }
  });

  it('counts open notification streams, up and down', async () => {
    const { t, clinician } = world;
    const open = async () => gauge(await scrape(), 'pams_live_streams_open');
    expect(await open()).toBe(0);
    const client = createPamsClient({ url: t.url, token: clinician.token, EventSource });
    const subs = [0, 1].map(() => client.notifications.stream.subscribe({ lastEventId: newId() }, { onData: () => {} }));
    await waitFor(async () => (await open()) === 2, { what: 'two streams counted' });
    subs[0]!.unsubscribe();
    await waitFor(async () => (await open()) === 1, { what: 'one stream counted' });
    subs[1]!.unsubscribe();
    await waitFor(async () => (await open()) === 0, { what: 'no stream counted' });
  });

  it('shows prom-client default metrics with the pams_ prefix', async () => {
    const s = await scrape();
    for (const name of ['pams_process_resident_memory_bytes', 'pams_process_cpu_seconds_total', 'pams_nodejs_heap_size_used_bytes', 'pams_nodejs_eventloop_lag_p99_seconds']) {
      expect(has(s, name), name).toBe(true);
    }
  });

  it('on the public port, only with METRICS_TOKEN, and only with that Bearer token', async () => {
    const { t } = world;
    const url = `${t.url}/metrics`;
    for (const headers of [{}, { authorization: `Bearer ${TOKEN}x` }, { authorization: `Bearer ${TOKEN.slice(0, -1)}` }, { authorization: TOKEN }, { authorization: `Basic ${TOKEN}` }]) {
      const res = await fetch(url, { headers });
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(await res.text()).not.toContain('pams_');
    }
    const s = await scrape(url, { authorization: `Bearer ${TOKEN}` });
    expect(has(s, 'pams_http_request_duration_seconds')).toBe(true);
    expect(has(s, 'pams_db_pool_connections')).toBe(true);

    const plain = await startTestServer();
    try {
      const res = await fetch(`${plain.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.status).toBe(404);
    } finally {
      await plain.close();
    }
  });
});

describe('the metrics listener of pams serve and pams worker', () => {
  it('starts with METRICS_PORT, prints its URL, answers /healthz and /metrics, and closes on SIGTERM', async () => {
    const db = await createTestDatabase();
    const env = { DATABASE_URL: db.url, PAMS_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEY, PORT: '0', METRICS_PORT: '0', LOG_LEVEL: 'warn' };
    const serve = startPams(['serve'], env);
    const worker = startPams(['worker'], env);
    try {
      const [serveMetrics, workerMetrics] = await Promise.all([serve, worker].map(async (p) => (await p.waitFor(/Metrics on (http:\/\/127\.0\.0\.1:\d+)\/metrics/, 60_000))[1]!));
      const publicUrl = (await serve.waitFor(/listening on (http:\/\/[\d.:]+)/))[1]!;
      // No METRICS_TOKEN: the public port has no /metrics.
      expect((await fetch(`${publicUrl}/metrics`)).status).toBe(404);
      await fetch(`${publicUrl}/healthz`);
      for (const [url, isServer] of [
        [serveMetrics!, true],
        [workerMetrics!, false],
      ] as const) {
        const health = await fetch(`${url}/healthz`);
        expect(health.status).toBe(200);
        expect(await health.json()).toEqual({ status: 'ok' });
        const s = await scrape(`${url}/metrics`);
        expect(has(s, 'pams_process_resident_memory_bytes')).toBe(true);
        expect(gauge(s, 'pams_db_pool_connections', { pool: 'side', state: 'waiting' })).toBe(0);
        expect(has(s, 'pams_job_queue_depth')).toBe(true);
        // Streams are served by `pams serve` only; the public port's requests are timed there.
        expect(has(s, 'pams_live_streams_open')).toBe(isServer);
        expect(histogram(s, 'pams_http_request_duration_seconds', { method: 'GET', route: '/healthz', status: '200' }).count).toBe(isServer ? 1 : 0);
      }
      serve.signal('SIGTERM');
      worker.signal('SIGTERM');
      expect(await serve.exit).toBe(0);
      expect(await worker.exit).toBe(0);
      await expect(fetch(`${workerMetrics}/healthz`)).rejects.toThrow();
    } finally {
      await Promise.all([serve.kill(), worker.kill()]);
      await db.drop();
    }
  }, 90_000);
});
