import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REQUEUE_EXTRACTIONS } from '../../server/modules/notes/notes.jobs.ts';
import { SWEEP_REMINDERS } from '../../server/modules/reminders/reminders.jobs.ts';
import { deliveries, extracted, patientWithPortal, startCareLoop } from '../care-loop-setup.ts';
import { sql } from '../fixtures.ts';
import { rejection } from '../rejection.ts';
import { CLI, runCli } from '../run-cli.ts';
import { runJobNow, startWorker, waitFor } from '../workers.ts';

/** The LLM, the mail server and the workers fail in every way the issue names; nothing is lost. */
let world: Awaited<ReturnType<typeof startCareLoop>>;

beforeAll(async () => {
  world = await startCareLoop({ start: new Date().toISOString() });
});
afterAll(() => world.close());

const walkSteps = async (patientId: string) => (await world.t.client(world.clinician.token).steps.list.query({ patientId, kind: 'plan' })).items;

describe('the LLM fails', () => {
  it('down, slow, garbage and schema-breaking answers are retried with backoff until the LLM recovers', async () => {
    const { t, clinician, llm } = world;
    const worker = await startWorker(t);
    const { patient } = await patientWithPortal(t, clinician);
    llm.queue({ kind: 'error', status: 500 }, { kind: 'slow', ms: 3000 }, { kind: 'garbage' }, { kind: 'schema-breaking' });
    const note = await t.client(clinician.token).notes.create.mutate({ patientId: patient.id, body: '- Walk every day' });
    const done = await extracted(t, clinician.token, note.id, 20_000);
    expect(done.extraction).toMatchObject({ state: 'done', attempts: 5, stepsCreated: 1, reason: null });
    await worker.stop();
  });

  it('after the last attempt the note is failed with a reason, saved all the same, and `pams jobs retry` starts it again', async () => {
    const { t, clinician, admin, llm } = world;
    const worker = await startWorker(t);
    const { patient } = await patientWithPortal(t, clinician);
    llm.setFallback({ kind: 'error', status: 503 });
    const note = await t.client(clinician.token).notes.create.mutate({ patientId: patient.id, body: '- Walk every day after lunch' });
    const failed = await extracted(t, clinician.token, note.id, 20_000);
    expect(failed).toMatchObject({ body: '- Walk every day after lunch', extraction: { state: 'failed', attempts: 5, reason: expect.stringMatching(/HTTP 503/) } });

    const jobs = await waitFor(
      async () => {
        const list = await t.client(admin.token).jobs.list.query({ state: 'failed' });
        return list.find((j) => j.data.noteId === note.id) && list;
      },
      { what: 'the failed job in the list' },
    );
    const job = jobs.find((j) => j.data.noteId === note.id)!;
    expect(job).toMatchObject({ name: 'notes.extract', state: 'failed' });

    llm.setFallback({ kind: 'answer' });
    const retried = await runCli(['jobs', 'retry', job.id, '--json'], { env: { PAMS_URL: t.url, PAMS_TOKEN: admin.token } });
    expect(retried.code, retried.stderr + retried.stdout).toBe(0);
    expect(retried.json()).toMatchObject({ id: job.id, state: 'retried' });
    const done = await extracted(t, clinician.token, note.id, 20_000);
    expect(done.extraction).toMatchObject({ state: 'done', attempts: 1, stepsCreated: 1 });
    expect((await runCli(['jobs', 'retry', job.id], { env: { PAMS_URL: t.url, PAMS_TOKEN: admin.token } })).code).toBe(3);
    await worker.stop();
  });
});

describe('a job enqueued by a request', () => {
  it('carries the request id in its data, and its log lines name that request', async () => {
    const { t, clinician, llm } = world;
    const worker = await startWorker(t);
    const { patient } = await patientWithPortal(t, clinician);
    llm.queue({ kind: 'error', status: 500 });
    const note = await t.client(clinician.token).notes.create.mutate({ patientId: patient.id, body: '- Stretch every morning' });
    const [created] = await sql(t, "select request_id from audit_event where action = 'note.created' and entity_id = ?", [note.id]);
    const [job] = await sql(t, "select data from agenda_jobs where name = 'notes.extract' and data->>'noteId' = ?", [note.id]);
    expect(job!.data).toMatchObject({ noteId: note.id, requestId: created!.request_id });
    await extracted(t, clinician.token, note.id, 20_000);
    const failedAttempt = t.logLines.map((line) => JSON.parse(line)).find((l) => l.msg === 'extraction attempt failed' && l.noteId === note.id);
    expect(failedAttempt).toMatchObject({ job: 'notes.extract', requestId: created!.request_id });
    await worker.stop();
  });
});

describe('job ids', () => {
  it('an ObjectId-shaped id on the PostgreSQL backend names no job: NOT_FOUND, not a 500; a malformed one is a field error', async () => {
    const jobs = world.t.client(world.admin.token).jobs;
    for (const call of [jobs.retry, jobs.cancel]) {
      expect(await rejection(call.mutate({ id: '507f1f77bcf86cd799439011' }))).toMatchObject({ code: 'NOT_FOUND' });
      expect(await rejection(call.mutate({ id: '0190a000-0000-7000-8000-000000000000' }))).toMatchObject({ code: 'NOT_FOUND' });
      expect(await rejection(call.mutate({ id: '507f1f77bcf86cd79943901z' }))).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { id: ['must be a job id'] } });
    }
  });
});

describe('the mail server fails', () => {
  it('SMTP down then up: the reminder email is retried, never dropped, and the in-app one is there at once', async () => {
    const { t, clinician, clock } = world;
    const down = await startWorker(t, { env: { SMTP_URL: 'smtp://127.0.0.1:1' } });
    const { patient, portal } = await patientWithPortal(t, clinician, 'UTC');
    const note = await t.client(clinician.token).notes.create.mutate({ patientId: patient.id, body: '- Walk every day at 00:00' });
    await extracted(t, clinician.token, note.id);
    const [walk] = await walkSteps(patient.id);
    await runJobNow(t, SWEEP_REMINDERS);
    await waitFor(async () => (await deliveries(t, walk!.id)).find((d) => d.channel === 'email' && d.attempts === 1 && d.last_error), { what: 'a failed attempt' });
    expect((await deliveries(t, walk!.id)).map((d) => [d.channel, d.status])).toEqual([
      ['email', 'pending'],
      ['in-app', 'sent'],
    ]);
    expect((await t.client(portal.token).reminders.list.query({})).items).toHaveLength(1);
    await down.stop();

    await startWorker(t);
    clock.advance(60_000); // past the first retry delay
    await runJobNow(t, SWEEP_REMINDERS);
    await t.smtp.waitForMail(portal.email, /Walk every day/);
    await waitFor(async () => (await deliveries(t, walk!.id)).find((d) => d.channel === 'email' && d.status === 'sent'), { what: 'email sent' });
    expect((await deliveries(t, walk!.id)).find((d) => d.channel === 'email')).toMatchObject({ attempts: 2 });
  });
});

describe('workers', () => {
  it('two workers side by side send each reminder once; back after three days down, one catch-up each, not three', async () => {
    const { t, clinician, clock } = world;
    await startWorker(t, { name: 'worker-a' });
    await startWorker(t, { name: 'worker-b' });
    const patients = await Promise.all(Array.from({ length: 6 }, () => patientWithPortal(t, clinician, 'Europe/Dublin')));
    for (const { patient } of patients) {
      const note = await t.client(clinician.token).notes.create.mutate({ patientId: patient.id, body: '- Stretch every day at 00:01' });
      await extracted(t, clinician.token, note.id);
    }
    const emailsTo = (email: string) => t.smtp.mails.filter((m) => m.to === email).length;
    const ids = `{${patients.map((p) => p.patient.id).join(',')}}`;
    const sentEmails = async () =>
      (await sql<{ n: number }>(t, `select count(*)::int as n from reminder_delivery where channel = 'email' and status = 'sent' and patient_id = any(?::uuid[])`, [ids]))[0]!.n;
    await Promise.all([runJobNow(t, SWEEP_REMINDERS), runJobNow(t, SWEEP_REMINDERS), runJobNow(t, SWEEP_REMINDERS)]);
    await waitFor(async () => (await sentEmails()) === 6, { what: 'six emails sent' });
    await Promise.all([runJobNow(t, SWEEP_REMINDERS), runJobNow(t, SWEEP_REMINDERS)]);
    for (const { portal } of patients) expect(emailsTo(portal.email)).toBe(1); // one reminder (the portal invite was read off already)

    clock.advance(3 * 24 * 3_600_000);
    await Promise.all([runJobNow(t, SWEEP_REMINDERS), runJobNow(t, SWEEP_REMINDERS)]);
    await waitFor(async () => (await sentEmails()) === 12, { what: 'six catch-up emails' });
    for (const { patient, portal } of patients) {
      expect(emailsTo(portal.email)).toBe(2);
      const [step] = await walkSteps(patient.id);
      expect(new Set((await deliveries(t, step!.id)).map((d) => d.local_day)).size).toBe(2);
    }
  });

  it('a worker killed in the middle of an extraction loses nothing: another takes the note over once its lease ends', async () => {
    const { t, clinician, clock, llm } = world;
    await t.stopWorkers();
    t.stopWorkers = async () => {};
    clock.set(new Date());
    const { patient } = await patientWithPortal(t, clinician);
    llm.queue({ kind: 'slow', ms: 60_000 });
    const note = await t.client(clinician.token).notes.create.mutate({ patientId: patient.id, body: '- Swim every day' });
    const child = spawn(process.execPath, [CLI, 'worker'], {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        DATABASE_URL: t.dbUrl,
        SMTP_URL: t.config.smtpUrl!,
        PAMS_ENCRYPTION_KEYS: t.config.encryptionKeys.map((k) => `${k.id}:${k.key.toString('base64')}`).join(','),
        LLM_BASE_URL: llm.url,
        LLM_API_KEY: 'test-llm-key',
        LLM_TIMEOUT_MS: '30000',
      },
      stdio: 'ignore',
    });
    await waitFor(async () => llm.requests.some((r) => JSON.stringify(r.body).includes('Swim every day')), { timeoutMs: 20_000, what: 'the worker calling the LLM' });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const [row] = await sql(t, 'select extraction_state, extraction_lease_until from note where id = ?', [note.id]);
    expect(row).toMatchObject({ extraction_state: 'pending', extraction_lease_until: expect.anything() });

    await startWorker(t);
    clock.advance(5 * 60_000); // the dead worker's lease has run out
    await runJobNow(t, REQUEUE_EXTRACTIONS);
    const done = await extracted(t, clinician.token, note.id);
    expect(done.extraction).toMatchObject({ state: 'done', attempts: 2, stepsCreated: 1 });
  });
});
