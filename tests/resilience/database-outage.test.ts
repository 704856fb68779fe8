import { connect } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPamsClient } from '../../shared/client.ts';
import { MllpDecoder, mllpFrame } from '../../shared/hl7-framing.ts';
import { demoLogins, DEMO_PASSWORD } from '../../server/demo-seed.ts';
import { NOTE } from '../care-loop-setup.ts';
import { answerFromBulletLines, startFakeLlm } from '../fake-llm.ts';
import { TEST_ENCRYPTION_KEY } from '../harness.ts';
import { startOwnPostgres } from '../own-postgres.ts';
import { startPams, type PamsProcess } from '../pams-process.ts';
import { rejection } from '../rejection.ts';

/**
 * PostgreSQL stopped (a fast shutdown: every connection terminated, 57P01, as in a restart or failover)
 * and started again under a running `pams serve --jobs`, a `pams serve`, a `pams worker` and a `pams hl7 listen`, all
 * real processes on a cluster of this test's own. None may die; while the database is away the API
 * answers a typed 503 and /healthz stays up; once it is back the same processes serve again, and the
 * extraction job that was waiting runs exactly once.
 */
let own: Awaited<ReturnType<typeof startOwnPostgres>>;
let llm: Awaited<ReturnType<typeof startFakeLlm>>;
let serve: PamsProcess;
let producer: PamsProcess;
let worker: PamsProcess;
let listen: PamsProcess;
let url: string;
let producerUrl: string;
let mllpPort: number;
let dbUrl: string;

beforeAll(async () => {
  own = await startOwnPostgres();
  dbUrl = await own.createDatabase('pams');
  llm = await startFakeLlm(answerFromBulletLines);
  const env = {
    DATABASE_URL: dbUrl,
    PAMS_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEY,
    PORT: '0',
    LLM_BASE_URL: llm.url,
    LLM_API_KEY: 'test-llm-key',
    LLM_MODEL: 'fake-model',
    LLM_TIMEOUT_MS: '5000',
    LLM_MAX_ATTEMPTS: '5',
    // The failed first attempt is retried after the outage this test makes.
    LLM_RETRY_DELAY_MS: '6000',
  };
  serve = startPams(['serve', '--jobs', '--migrate', '--demo'], env);
  url = (await serve.waitFor(/listening on (http:\/\/[\d.:]+)/, 60_000))[1]!;
  await serve.waitFor(/Demo data created/);
  worker = startPams(['worker'], env);
  producer = startPams(['serve'], env); // without --jobs
  await worker.waitFor(/worker started/);
  producerUrl = (await producer.waitFor(/listening on (http:\/\/[\d.:]+)/, 60_000))[1]!;
}, 90_000);

afterAll(async () => {
  await Promise.all([serve?.kill(), producer?.kill(), worker?.kill(), listen?.kill()]);
  await llm?.close();
  await own?.close();
});

const login = async (email: string) => (await createPamsClient({ url }).auth.login.mutate({ email, password: DEMO_PASSWORD })).token;

/** One HL7 message over MLLP: the ACK, or null when the listener closed the connection without one. */
function sendMllp(message: string): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const socket = connect(mllpPort, '127.0.0.1', () => socket.write(mllpFrame(message)));
    const decoder = new MllpDecoder();
    socket.on('data', (chunk) => {
      const [ack] = decoder.push(chunk);
      if (ack) socket.end(), resolve(ack);
    });
    socket.on('close', () => resolve(null));
    socket.on('error', reject);
  });
}
const a04 = (controlId: string, mrn: string) => [`MSH|^~\\&|ENGINE|HOSP|PAMS|CLINIC|20240305101500||ADT^A04^ADT_A01|${controlId}|P|2.5`, `PID|1||${mrn}^^^HOSP^MR||Walsh^Ciara||19920304|F`].join('\r');

async function until<T>(check: () => Promise<T | false | null | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the database goes away and comes back', () => {
  it('keeps every process alive, answers 503 meanwhile, and serves and runs the waiting job once afterwards', async () => {
    const admin = await login(demoLogins[0].email);
    const clinicianToken = await login(demoLogins[1].email);
    const clinician = createPamsClient({ url, token: clinicianToken });
    const apiToken = (await createPamsClient({ url, token: admin }).tokens.create.mutate({ name: 'interface engine' })).token;
    listen = startPams(['hl7', 'listen', '--port', '0'], { PAMS_URL: url, PAMS_TOKEN: apiToken });
    mllpPort = Number((await listen.waitFor(/listening for MLLP on [\d.]+:(\d+)/))[1]);
    expect(await sendMllp(a04('BEFORE1', 'MRN-BEFORE'))).toMatch(/MSA\|AA\|BEFORE1/);

    // A note whose extraction fails once (the LLM answers 500), so its retry is due after the outage.
    const patient = await clinician.patients.create.mutate({ givenName: 'Outage', familyName: 'Patient', birthDate: '1980-01-01', gender: 'unknown' });
    llm.queue({ kind: 'error', status: 500 });
    const note = await clinician.notes.create.mutate({ patientId: patient.id, body: NOTE });
    await until(async () => (await clinician.notes.byId.query({ id: note.id })).extraction?.reason, 'the first, failed extraction attempt');
    expect(llm.requests).toHaveLength(1);

    await own.stop();

    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${producerUrl}/healthz`)).status).toBe(200);
    expect(await rejection(createPamsClient({ url: producerUrl, token: clinicianToken }).auth.me.query())).toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'database-unavailable' });
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.text()).toMatch(/database/);
    // Through the typed client: the credential lookup itself cannot reach the database.
    expect(await rejection(clinician.patients.byId.query({ id: patient.id }))).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      httpStatus: 503,
      reason: 'database-unavailable',
      requestId: expect.any(String),
    });
    // Without a credential too (a public procedure), and the raw answer carries Retry-After.
    const raw = await fetch(`${url}/trpc/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: demoLogins[1].email, password: DEMO_PASSWORD }),
    });
    expect(raw.status).toBe(503);
    expect(raw.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await raw.json()) as { error: { data: unknown } }).error.data).toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'database-unavailable', requestId: expect.any(String) });
    const fhir = await fetch(`${url}/fhir/Patient/${patient.id}/$everything`, { headers: { authorization: `Bearer ${clinicianToken}` } });
    expect(fhir.status).toBe(503);
    expect(fhir.headers.get('retry-after')).toMatch(/^\d+$/);
    const hl7 = await fetch(`${url}/hl7/v2`, { method: 'POST', headers: { authorization: `Bearer ${apiToken}` }, body: a04('HTTP1', 'MRN-HTTP') });
    expect(hl7.status).toBe(503);
    expect(hl7.headers.get('retry-after')).toMatch(/^\d+$/);
    // The MLLP listener sends no ACK (the engine will resend) and stays up.
    expect(await sendMllp(a04('DURING1', 'MRN-DURING'))).toBeNull();
    await new Promise((r) => setTimeout(r, 1000)); // a few of Agenda's polls, against no database
    expect([serve.exitCode(), producer.exitCode(), worker.exitCode(), listen.exitCode()]).toEqual([null, null, null, null]);

    await own.start();

    await until(async () => (await fetch(`${url}/readyz`)).status === 200, 'readyz after the restart');
    expect(await clinician.patients.byId.query({ id: patient.id })).toMatchObject({ id: patient.id });
    expect(await createPamsClient({ url: producerUrl, token: clinicianToken }).patients.byId.query({ id: patient.id })).toMatchObject({ id: patient.id });
    expect(await sendMllp(a04('DURING1', 'MRN-DURING'))).toMatch(/MSA\|AA\|DURING1/);
    const done = await until(
      async () => {
        const n = await clinician.notes.byId.query({ id: note.id });
        return n.extraction?.state === 'done' && n;
      },
      'the extraction retried after the outage',
      30_000,
    );
    expect(done.extraction).toMatchObject({ state: 'done', attempts: 2, stepsCreated: 3 });
    expect(llm.requests).toHaveLength(2);
    const db = new pg.Client({ connectionString: dbUrl });
    await db.connect();
    const { rows } = await db.query('select count(*)::int as n from step where note_id = $1', [note.id]);
    await db.end();
    expect(rows[0].n).toBe(3);
    expect([serve.exitCode(), producer.exitCode(), worker.exitCode(), listen.exitCode()]).toEqual([null, null, null, null]);

    for (const p of [listen, worker, producer, serve]) p.signal('SIGTERM');
    expect(await Promise.all([listen.exit, worker.exit, producer.exit, serve.exit])).toEqual([0, 0, 0, 0]);
    for (const p of [serve, producer, worker]) expect(p.output()).not.toMatch(/Unhandled|uncaught|"level":50/i);
  }, 90_000);
});
