import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PracticeEventOutput } from '../shared/schemas/notifications.ts';
import { createPatient, createPractice, invitePatientToPortal, inviteUser, type TestUser } from './fixtures.ts';
import { startTestServer, type TestServer } from './harness.ts';
import { CLI, REPO } from './run-cli.ts';

/**
 * `pams events tail` as a real child process against a real server: an admin sees the practice's events as
 * they are made through the API, each once (not once per recipient), as lines or as JSON; it reconnects with
 * its last id when the connection drops; a clinician is refused with the auth exit code, a server never
 * reached exits with the unreachable code; another practice's events never appear.
 */
let t: TestServer;
let admin: TestUser;
let carer: TestUser;
let portal: TestUser;
let patientId: string;
let typeId: string;
let other: { admin: TestUser; carer: TestUser; patientId: string; typeId: string };
let configDir: string;

const hours = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '00:00', end: '24:00' }));
let slot = 0;
/** Each booking (30 minutes) its own hour, in 2030. */
const nextSlot = () => new Date(Date.UTC(2030, 0, 2) + slot++ * 3_600_000).toISOString();

async function until(check: () => boolean, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** `pams events tail …` as `user` at `url`, until it is stopped; resolves once its stream is registered on the server. */
async function tail(user: TestUser, args: string[] = [], url = t.url) {
  const before = t.live.count(user.id);
  const child = spawn(process.execPath, [CLI, 'events', 'tail', ...args], {
    cwd: REPO,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', PAMS_URL: url, PAMS_TOKEN: user.token, PAMS_CONFIG_DIR: configDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d));
  let code: number | null = null;
  const exited = new Promise<number>((resolve) => child.on('exit', (c) => resolve((code = c ?? -1))));
  await until(() => t.live.count(user.id) > before || code !== null, 'the stream to open').catch((e) => {
    throw new Error(`${e.message}: ${out.stderr}`);
  });
  return {
    out,
    lines: () => out.stdout.split('\n').filter(Boolean),
    exited,
    stop: async () => (child.kill('SIGINT'), exited),
  };
}

const book = (clinician = carer, patient = patientId, type = typeId, token = admin.token) =>
  t.client(token).appointments.book.mutate({ clinicianId: clinician.id, patientId: patient, typeId: type, startsAt: nextSlot() });

beforeAll(async () => {
  t = await startTestServer();
  configDir = await mkdtemp(path.join(tmpdir(), 'pams-events-'));
  const setUp = async () => {
    const { admin } = await createPractice(t);
    const carer = await inviteUser(t, admin);
    await t.client(carer.token).availability.setWeeklyHours.mutate({ clinicianId: carer.id, hours });
    const typeId = (await t.client(admin.token).appointmentTypes.create.mutate({ name: 'Consultation', durationMinutes: 30 })).id;
    const patientId = (await createPatient(t, carer.token, { givenName: 'Ana', familyName: 'Moran' })).id;
    return { admin, carer, typeId, patientId };
  };
  ({ admin, carer, typeId, patientId } = await setUp());
  portal = await invitePatientToPortal(t, carer.token, patientId, 'ana.moran@example.test');
  other = await setUp();
});
afterAll(() => t?.close());

describe('pams events tail', () => {
  it("prints each of the practice's events once, as they are made, and none of another practice's; SIGINT exits 0", async () => {
    const tailing = await tail(admin);
    const theirs = await book(other.carer, other.patientId, other.typeId, other.admin.token);
    const appointment = await book();
    await until(() => tailing.lines().length >= 1, 'the booking line');
    await new Promise((r) => setTimeout(r, 300));
    // Told to the clinician and the patient: two rows, one line.
    expect(tailing.lines()).toHaveLength(1);
    const [line] = tailing.lines();
    expect(line).toContain('appointment.booked');
    expect(line).toContain(`appointment/${appointment.id}`);
    expect(line).toContain(`patient=${patientId}`);
    expect(line).toContain('recipients=2');
    expect(tailing.out.stdout).not.toContain(theirs.id);
    expect(await tailing.stop()).toBe(0);
    await until(() => t.live.count(admin.id) === 0, 'the server to let go of the stream');
  });

  it('prints one JSON object a line with --json, of the kinds asked for only', async () => {
    const tailing = await tail(admin, ['--json', '--kinds', 'appointment.booked,appointment.cancelled']);
    const appointment = await book();
    await t.client(admin.token).appointments.reschedule.mutate({ id: appointment.id, startsAt: nextSlot() });
    await t.client(admin.token).appointments.cancel.mutate({ id: appointment.id, reason: 'Unwell' });
    await until(() => tailing.lines().length >= 2, 'two JSON lines');
    await new Promise((r) => setTimeout(r, 300));
    const events = tailing.lines().map((l) => JSON.parse(l) as PracticeEventOutput);
    expect(events.map((e) => e.kind)).toEqual(['appointment.booked', 'appointment.cancelled']);
    expect(events[0]).toMatchObject({ patientId, subject: { type: 'appointment', id: appointment.id }, data: { appointmentId: appointment.id } });
    expect([...events[0]!.recipientIds].sort()).toEqual([carer.id, portal.id].sort());
    expect(await tailing.stop()).toBe(0);
  });

  it('reconnects after the connection drops and prints what it missed, once', async () => {
    // A TCP proxy in front of the server: closing its sockets drops the CLI's connection.
    const sockets = new Set<Socket>();
    const { port } = new URL(t.url);
    const proxy: Server = createServer((client) => {
      const upstream = connect(Number(port), '127.0.0.1');
      for (const s of [client, upstream]) sockets.add(s.on('error', () => {}).on('close', () => sockets.delete(s)));
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const address = proxy.address();
    const tailing = await tail(admin, ['--json'], `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
    try {
      const first = await book();
      await until(() => tailing.lines().length === 1, 'the first event');
      for (const s of sockets) s.destroy();
      await until(() => t.live.count(admin.id) === 0, 'the server to let go of the dropped stream');
      const missed = await book();
      await until(() => /reconnected/.test(tailing.out.stderr), 'the reconnect', 15_000);
      await until(() => tailing.lines().length >= 2, 'the missed event');
      await new Promise((r) => setTimeout(r, 300));
      expect(tailing.lines().map((l) => (JSON.parse(l) as PracticeEventOutput).subject.id)).toEqual([first.id, missed.id]);
      expect(await tailing.stop()).toBe(0);
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it('refuses a clinician with the auth exit code (FORBIDDEN), and a bad kind with the usage code', async () => {
    const refused = await tail(carer);
    expect(await refused.exited).toBe(2);
    expect(refused.out.stderr).toContain('FORBIDDEN');
    const json = await tail(carer, ['--json']);
    expect(await json.exited).toBe(2);
    expect(JSON.parse(json.out.stdout)).toMatchObject({ code: 'FORBIDDEN', exitCode: 2 });
    const badKind = await tail(admin, ['--kinds', 'appointment.exploded']);
    expect(await badKind.exited).toBe(1);
    expect(badKind.out.stderr).toContain('BAD_REQUEST');
  });

  it('exits with the unreachable code when it never reaches the server', async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => probe.once('listening', resolve));
    const address = probe.address();
    await new Promise((resolve) => probe.close(resolve));
    const unreachable = await tail(admin, [], `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
    expect(await unreachable.exited).toBe(4);
    expect(unreachable.out.stderr).toContain('Cannot reach the PAMS server');
  });
});
