import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPatient, createPractice, inviteUser, type TestUser } from './fixtures.ts';
import { startTestServer, TEST_ENCRYPTION_KEY, type TestServer } from './harness.ts';
import { CLI, REPO, runCli } from './run-cli.ts';

/** What an admin does from the CLI beyond logging in (issue 13 §4), each through the real `pams` in a child process. */
let t: TestServer;
let admin: TestUser;
let clinician: TestUser;
const configDir = () => mkdtemp(path.join(tmpdir(), 'pams-cli-admin-'));
/** `pams …` as `user`, the server and token from the environment (as scripts pass them). */
const pams = (user: TestUser, args: string[], stdin = '') => runCli(args, { env: { PAMS_URL: t.url, PAMS_TOKEN: user.token }, stdin });

beforeAll(async () => {
  t = await startTestServer();
  ({ admin } = await createPractice(t, 'Harbour Clinic'));
  clinician = await inviteUser(t, admin, 'clinician');
});
afterAll(() => t.close());

describe('pams --version', () => {
  it("prints the package's version", async () => {
    const { version } = JSON.parse(await readFile(path.join(REPO, 'package.json'), 'utf8'));
    const result = await runCli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });
});

describe('pams practice', () => {
  it('shows the settings, and updates each of them by its flag', async () => {
    const shown = await pams(admin, ['practice', 'show', '--json']);
    expect(shown.code).toBe(0);
    expect(shown.json()).toMatchObject({ name: 'Harbour Clinic', timeZone: 'UTC', mfaRequired: false, reviewExtractedSteps: expect.any(Boolean), cancellationWindowHours: 24 });

    const updated = await pams(admin, [
      'practice',
      'update',
      '--name',
      'Harbour Health',
      '--time-zone',
      'Europe/Dublin',
      '--review-extracted-steps',
      '--hl7-sending-facility',
      'HARBOUR',
      '--cancellation-window-hours',
      '12',
      '--json',
    ]);
    expect(updated.code).toBe(0);
    expect(updated.json()).toMatchObject({
      name: 'Harbour Health',
      timeZone: 'Europe/Dublin',
      reviewExtractedSteps: true,
      hl7SendingFacility: 'HARBOUR',
      cancellationWindowHours: 12,
      usersWithoutMfa: 2,
    });
    expect((await pams(admin, ['practice', 'update', '--cancellation-window-hours', 'a day'])).code).toBe(1);
    const off = await pams(admin, ['practice', 'update', '--no-review-extracted-steps', '--hl7-sending-facility', '', '--json']);
    expect(off.json()).toMatchObject({ name: 'Harbour Health', reviewExtractedSteps: false, hl7SendingFacility: 'Harbour Health' });
    const open = await pams(admin, ['practice', 'update', '--patient-sign-up', 'open', '--slug', 'harbour-health', '--json']);
    expect(open.json()).toMatchObject({ patientSignUp: 'open', slug: 'harbour-health' });
    expect((await pams(admin, ['practice', 'update', '--slug', '', '--json'])).json()).toMatchObject({ patientSignUp: 'open', slug: null });
    expect((await pams(admin, ['practice', 'update', '--patient-sign-up', 'sometimes'])).code).toBe(1);

    const table = await pams(admin, ['practice', 'show']);
    expect(table.stdout).toMatch(/^timeZone\s+Europe\/Dublin$/m);
  });

  it('exits with the codes of the table: 1 for bad or no values, 2 for a clinician, 3 when MFA cannot be required yet', async () => {
    const badZone = await pams(admin, ['practice', 'update', '--time-zone', 'Mars/Olympus', '--json']);
    expect(badZone.code).toBe(1);
    expect(badZone.json()).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { timeZone: [expect.any(String)] } });
    const nothing = await pams(admin, ['practice', 'update']);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toContain('Nothing to update');
    expect((await pams(clinician, ['practice', 'update', '--name', 'Mine now'])).code).toBe(2);
    const mfa = await pams(admin, ['practice', 'update', '--mfa-required']);
    expect(mfa.code).toBe(3);
    expect(mfa.stderr).toContain('mfa-enrolment-required');
  });
});

describe('pams patients and pams appointment-types', () => {
  it('searches patients and shows one; an unknown id exits 3', async () => {
    const patient = await createPatient(t, clinician.token, { givenName: 'Orla', familyName: 'Quayside', email: 'orla@example.test' });
    const search = await pams(clinician, ['patients', 'search', 'Quayside', '--json']);
    expect(search.code).toBe(0);
    expect(search.json()).toMatchObject({ items: [{ id: patient.id, familyName: 'Quayside' }], nextCursor: null });
    const table = await pams(clinician, ['patients', 'search', '--name', 'orla']);
    expect(table.stdout).toMatch(/Quayside, Orla/);

    const shown = await pams(clinician, ['patients', 'show', patient.id]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^email\s+orla@example\.test$/m);
    expect((await pams(clinician, ['patients', 'show', patient.id, '--json'])).json()).toMatchObject({ id: patient.id, mrn: patient.mrn });
    expect((await pams(clinician, ['patients', 'show', '01a20a11-6e59-7325-b263-b02a34ba06ae'])).code).toBe(3);
  });

  it('creates and lists appointment types; a taken name exits 3, a clinician may not create', async () => {
    const created = await pams(admin, ['appointment-types', 'create', 'Initial consultation', '--duration', '50', '--json']);
    expect(created.code).toBe(0);
    expect(created.json()).toMatchObject({ name: 'Initial consultation', durationMinutes: 50, active: true });
    expect((await pams(admin, ['appointment-types', 'create', 'Initial consultation', '--duration', '30'])).code).toBe(3);
    expect((await pams(admin, ['appointment-types', 'create', 'Too short', '--duration', '2'])).code).toBe(1);
    expect((await pams(clinician, ['appointment-types', 'create', 'Mine', '--duration', '30'])).code).toBe(2);
    const list = await pams(clinician, ['appointment-types', 'list']);
    expect(list.stdout).toMatch(/Initial consultation\s*│\s*50\s*│\s*yes\s*│\s*no/);
    const online = await pams(admin, ['appointment-types', 'create', 'Online check', '--duration', '20', '--bookable-by-patients', '--json']);
    expect(online.json()).toMatchObject({ name: 'Online check', bookableByPatients: true });
    const id = created.json().id as string;
    expect((await pams(admin, ['appointment-types', 'update', id, '--bookable-by-patients', '--duration', '45', '--json'])).json()).toMatchObject({ durationMinutes: 45, bookableByPatients: true });
    expect((await pams(admin, ['appointment-types', 'update', id, '--no-bookable-by-patients', '--json'])).json()).toMatchObject({ durationMinutes: 45, bookableByPatients: false });
    expect((await pams(admin, ['appointment-types', 'update', id])).code).toBe(1);
  });
});

describe('pams on-call', () => {
  it('sets the roster from --shift options, lists it with who is on call now, and clears it', async () => {
    const everyDay = [1, 2, 3, 4, 5, 6, 7].flatMap((day) => ['--shift', `${day} 00:00-24:00 ${clinician.id}`]);
    const set = await pams(admin, ['on-call', 'set', '--shift', `mon 9:00-17:00 ${clinician.id}`, ...everyDay, '--json']);
    expect(set.code).toBe(0);
    expect(set.json()).toMatchObject({ onCallNow: [clinician.id] });
    expect(set.json().shifts).toHaveLength(8);
    expect(set.json().shifts).toContainEqual({ clinicianId: clinician.id, weekday: 1, start: '09:00', end: '17:00' });

    const listed = await pams(clinician, ['on-call', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`mon[\\s│]+09:00[\\s│]+17:00[\\s│]+${clinician.id}[\\s│]+yes`));
    expect(listed.stdout).toContain(`On call now: ${clinician.id}.`);

    const cleared = await pams(admin, ['on-call', 'set', '--clear', '--json']);
    expect(cleared.json()).toMatchObject({ shifts: [], onCallNow: [] });
  });

  it('exits 1 for a shift it cannot read or the server refuses, 2 for a clinician, and with neither --shift nor --clear', async () => {
    expect((await pams(admin, ['on-call', 'set', '--shift', 'someday 09:00-17:00 x'])).code).toBe(1);
    const backwards = await pams(admin, ['on-call', 'set', '--shift', `tue 17:00-09:00 ${clinician.id}`]);
    expect(backwards.code).toBe(1);
    expect(backwards.stderr).toContain('shifts.0.end');
    expect((await pams(admin, ['on-call', 'set'])).code).toBe(1);
    expect((await pams(clinician, ['on-call', 'set', '--clear'])).code).toBe(2);
    expect((await pams(admin, ['on-call', 'list', '--json'])).json()).toMatchObject({ shifts: [] });
  });
});

describe('pams api PROCEDURE [JSON]', () => {
  it('calls a query or a mutation, as the router declares it, and prints the result as JSON', async () => {
    const query = await pams(admin, ['api', 'practices.current']);
    expect(query.code).toBe(0);
    expect(query.json()).toMatchObject({ id: admin.practiceId });
    const mutation = await pams(admin, ['api', 'appointmentTypes.create', '{"name":"Review","durationMinutes":20}']);
    expect(mutation.code).toBe(0);
    expect(mutation.json()).toMatchObject({ name: 'Review', durationMinutes: 20 });
    const fromStdin = await pams(admin, ['api', 'appointmentTypes.list'], '{"includeInactive":true}');
    expect(fromStdin.json().map((a: { name: string }) => a.name)).toContain('Review');
  });

  it('prints a typed error with its code, and exits with its code', async () => {
    const invalid = await pams(admin, ['api', 'appointmentTypes.create', '{"name":"","durationMinutes":20}']);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/BAD_REQUEST[\s\S]*name: is required/);
    const json = await pams(admin, ['api', 'appointmentTypes.create', '{"name":"","durationMinutes":20}', '--json']);
    expect(json.json()).toMatchObject({ exitCode: 1, code: 'BAD_REQUEST', fieldErrors: { name: ['is required'] }, requestId: expect.any(String) });
    expect((await pams(clinician, ['api', 'users.list'])).code).toBe(2);
    expect((await pams(admin, ['api', 'patients.byId', '{"id":"01a20a11-6e59-7325-b263-b02a34ba06ae"}'])).code).toBe(3);
    const unknown = await pams(admin, ['api', 'nothing.here']);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('NOT_FOUND');
    const notJson = await pams(admin, ['api', 'practices.current', '{nope']);
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toContain('not JSON');
  });
});

describe('fixes', () => {
  it('whoami after logout exits 2 (not logged in), as the exit-code table says', async () => {
    const env = { PAMS_CONFIG_DIR: await configDir() };
    expect((await runCli(['login', '--url', t.url, '--email', admin.email, '--password-stdin'], { env, stdin: admin.password })).code).toBe(0);
    expect((await runCli(['logout'], { env })).code).toBe(0);
    const whoami = await runCli(['whoami'], { env });
    expect(whoami.code).toBe(2);
    expect(whoami.stderr).toContain('Not logged in');
  });

  it('a stored login matches either spelling of the loopback', async () => {
    const env = { PAMS_CONFIG_DIR: await configDir() };
    const port = new URL(t.url).port;
    expect((await runCli(['login', '--url', `http://127.0.0.1:${port}`, '--email', admin.email, '--password-stdin'], { env, stdin: admin.password })).code).toBe(0);
    const whoami = await runCli(['whoami', '--url', `http://localhost:${port}/`, '--json'], { env });
    expect(whoami.code).toBe(0);
    expect(whoami.json()).toMatchObject({ user: { email: admin.email } });
    // Another port is another server: the stored token is not sent there.
    expect((await runCli(['whoami', '--url', 'http://localhost:9'], { env })).code).toBe(2);
  });

  it('audit --since and --until take plain dates, as every other command does', async () => {
    const result = await pams(admin, ['audit', '--since', '2020-01-01', '--until', '2100-01-01', '--action', 'practice.updated', '--json']);
    expect(result.code).toBe(0);
    expect(result.json().items.length).toBeGreaterThan(0);
    expect((await pams(admin, ['audit', '--since', 'yesterday'])).code).toBe(1);
  });

  it('a report with only --from is held to the three-year limit too', async () => {
    const long = await pams(admin, ['report', 'activity', '--from', '2000-01-01', '--json']);
    expect(long.code).toBe(1);
    expect(long.json()).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { from: ['the period may be at most 1098 days'] } });
    const future = await pams(admin, ['report', 'activity', '--from', '2199-01-01', '--json']);
    expect(future.json()).toMatchObject({ fieldErrors: { from: ['must be before now'] } });
    expect((await pams(admin, ['report', 'activity', '--from', new Date(Date.now() - 86_400_000).toISOString()])).code).toBe(0);
  });

  it('the progress bar on a terminal never shows ETA LLs', async () => {
    const dir = await configDir();
    const file = path.join(dir, 'patients.csv');
    await writeFile(file, `mrn,givenName,familyName,birthDate,gender\n${Array.from({ length: 50 }, (_, i) => `ETA-${i},Ann,Row${i},1980-01-01,female`).join('\n')}\n`);
    // `script` gives the CLI a terminal, so it draws the bar (a pipe gets quiet lines instead).
    const command = [process.execPath, CLI, 'import', 'csv', file, '--type', 'patients', '--dry-run', '--url', t.url, '--token', admin.token].map((a) => `'${a}'`).join(' ');
    const { stdout } = await promisify(execFile)('script', ['-qec', command, '/dev/null'], { env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test' } }).catch((e) => {
      throw new Error(`${e.message}\n${e.stdout}\n${e.stderr}`);
    });
    expect(stdout).toContain('ETA');
    expect(stdout).not.toMatch(/ETA [A-Z]{2}s/);
  });

  it('a POST to /trpc without a JSON content type answers 415 with its request id', async () => {
    const res = await fetch(`${t.url}/trpc/appointmentTypes.create`, { method: 'POST', headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'text/plain' }, body: '{}' });
    expect(res.status).toBe(415);
    const body = (await res.json()) as any;
    expect(body.error.data).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', requestId: res.headers.get('x-request-id') });
    expect(body.error.data.requestId).toBeTruthy();
    const untyped = await fetch(`${t.url}/trpc/appointmentTypes.create`, { method: 'POST', headers: { authorization: `Bearer ${admin.token}` }, body: '{}' });
    expect(untyped.status).toBe(415);
    expect(((await untyped.json()) as any).error.data.requestId).toBe(untyped.headers.get('x-request-id'));
  });

  it('reads a .env file in the working directory; a variable already set wins', async () => {
    const cwd = await configDir();
    await writeFile(path.join(cwd, '.env'), `PAMS_URL=http://127.0.0.1:9\nPAMS_TOKEN=${admin.token}\n`);
    const env = { PAMS_CONFIG_DIR: await configDir() };
    // From the file alone: its URL answers nothing, so the command got it (exit 4).
    expect((await runCli(['whoami'], { cwd, env })).code).toBe(4);
    const whoami = await runCli(['whoami', '--json'], { cwd, env: { ...env, PAMS_URL: t.url } });
    expect(whoami.code).toBe(0);
    expect(whoami.json()).toMatchObject({ user: { email: admin.email } });
  });
});

describe('local commands and the embedded cluster', () => {
  // No DATABASE_URL: the embedded PostgreSQL of PAMS_DATA_DIR, on a port of its own.
  const localEnv = (dataDir: string) => ({ PAMS_DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(20000 + Math.floor(Math.random() * 20000)), PAMS_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEY });

  it('without a cluster where it looks, a local command says where it looked and stops (exit 4), creating nothing', async () => {
    const dataDir = await configDir();
    for (const args of [['migrate', '--status'], ['migrate'], ['admin', 'bootstrap', '--practice', 'P', '--email', 'a@b.test', '--password-stdin'], ['keys', 'rotate'], ['worker']]) {
      const result = await runCli(args, { env: localEnv(dataDir), stdin: 'a-long-enough-password\n' });
      expect(result.code, args.join(' ')).toBe(4);
      expect(result.stderr).toContain(`No PAMS database in ${path.join(dataDir, 'pg')}`);
    }
    expect(existsSync(path.join(dataDir, 'pg'))).toBe(false);
  });

  it('migrate --init creates the cluster and migrates it; later commands find it', async () => {
    const dataDir = await configDir();
    await chmod(dataDir, 0o755); // as root, postgres runs as its own user and must enter it
    const env = localEnv(dataDir);
    const init = await runCli(['migrate', '--init', '--json'], { env });
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toMatch(/"applied": \[\s*"Migration/); // after the migrator's own log lines
    const status = await runCli(['migrate', '--status', '--json'], { env });
    expect(status.code).toBe(0);
    expect(status.json().every((m: { status: string }) => m.status === 'applied')).toBe(true);
  }, 60_000);
});

describe('the serve banner', () => {
  it('prints one address, in the listening line and the login hint alike', async () => {
    const child = spawn(process.execPath, [CLI, 'serve', '--demo'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', LOG_LEVEL: 'warn', DATABASE_URL: t.config.databaseUrl!, PAMS_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEY, PORT: '0' },
    });
    let output = '';
    child.stderr.on('data', (d: Buffer) => (output += d));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    for (let i = 0; i < 400 && !/pams login --url/.test(output); i++) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGTERM');
    await exited;
    const listening = /listening on (\S+)/.exec(output)?.[1];
    const hint = /pams login --url (\S+)/.exec(output)?.[1];
    expect(listening).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(hint).toBe(listening);
  }, 30_000);
});
