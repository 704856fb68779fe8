import { spawn } from 'node:child_process';
import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPamsClient } from '../shared/client.ts';
import { createPractice } from './fixtures.ts';
import { startTestServer, TEST_ENCRYPTION_KEY, type TestServer } from './harness.ts';
import { CLI, runCli } from './run-cli.ts';
import { tokenFromMail } from './smtp-capture.ts';

/** A long-running command (serve, worker): resolves once its output matches, then stops it with SIGTERM. */
function startCli(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', ...env } });
  let output = '';
  const streams = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => ((output += d), (streams.stdout += d)));
  child.stderr.on('data', (d: Buffer) => ((output += d), (streams.stderr += d)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    streams,
    waitFor: async (pattern: RegExp) => {
      for (let i = 0; i < 200 && !pattern.test(output); i++) await new Promise((r) => setTimeout(r, 50));
      const match = output.match(pattern);
      if (!match) throw new Error(`no ${pattern} in output:\n${output}`);
      return match;
    },
    stop: () => (child.kill('SIGTERM'), exited),
  };
}

let t: TestServer;
let adminEnv: Record<string, string>;
const adminEmail = 'founder@riverside.test';
const adminPassword = 'founder-password-1';

beforeAll(async () => {
  t = await startTestServer();
  t.secret(adminPassword);
  adminEnv = { PAMS_CONFIG_DIR: await mkdtemp(path.join(tmpdir(), 'pams-cli-admin-')) };
});
afterAll(() => t.close());

describe('the pams CLI, as a subprocess against a running server', () => {
  const localEnv = () => ({ DATABASE_URL: t.config.databaseUrl!, PAMS_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEY });

  it('bootstraps the first admin of a practice, and refuses an existing email', async () => {
    const args = ['admin', 'bootstrap', '--practice', 'Riverside Clinic', '--email', adminEmail, '--password-stdin', '--json'];
    const first = await runCli(args, { env: localEnv(), stdin: `${adminPassword}\n` });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.json()).toMatchObject({ practice: 'Riverside Clinic', email: adminEmail });
    const again = await runCli(args, { env: localEnv(), stdin: `${adminPassword}\n` });
    expect(again.code).toBe(3);
  });

  it('reports migrations with --status', async () => {
    const result = await runCli(['migrate', '--status', '--json'], { env: localEnv() });
    expect(result.code).toBe(0);
    const migrations = result.json() as { name: string; status: string }[];
    expect(migrations.length).toBeGreaterThan(0);
    expect(migrations.every((m) => m.status === 'applied')).toBe(true);
  });

  it('logs in, storing an API token with mode 0600', async () => {
    const result = await runCli(['login', '--url', t.url, '--email', adminEmail, '--password-stdin', '--json'], { env: adminEnv, stdin: adminPassword });
    expect(result.code).toBe(0);
    const file = path.join(adminEnv.PAMS_CONFIG_DIR!, 'login.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const whoami = await runCli(['whoami', '--json'], { env: adminEnv });
    expect(whoami.json()).toMatchObject({ user: { email: adminEmail, role: 'admin' }, practice: { name: 'Riverside Clinic' } });
  });

  it('invites a clinician, who accepts through the mailed link and logs in', async () => {
    const invite = await runCli(['invite', 'nurse@riverside.test', '--role', 'clinician', '--json'], { env: adminEnv });
    expect(invite.code).toBe(0);
    const inviteToken = t.secret(tokenFromMail(await t.smtp.waitForMail('nurse@riverside.test')));

    const clinicianEnv = { PAMS_CONFIG_DIR: await mkdtemp(path.join(tmpdir(), 'pams-cli-clinician-')) };
    const password = t.secret('nurse-password-12');
    const accept = await runCli(['invites', 'accept', inviteToken, '--url', t.url, '--name', 'Nora Nurse', '--password-stdin'], { env: clinicianEnv, stdin: password });
    expect(accept.code).toBe(0);
    const login = await runCli(['login', '--url', t.url, '--email', 'nurse@riverside.test', '--password-stdin'], { env: clinicianEnv, stdin: password });
    expect(login.code).toBe(0);
    expect((await runCli(['whoami', '--json'], { env: clinicianEnv })).json()).toMatchObject({ user: { role: 'clinician', name: 'Nora Nurse' } });

    // A clinician may not run admin commands: exit code 2.
    const forbidden = await runCli(['users', 'list'], { env: clinicianEnv });
    expect(forbidden.code).toBe(2);
    expect(forbidden.stderr).toContain('FORBIDDEN');

    const list = await runCli(['invites', 'list', '--status', 'accepted', '--json'], { env: adminEnv });
    expect(list.json().items).toEqual([expect.objectContaining({ email: 'nurse@riverside.test', status: 'accepted' })]);
  });

  it('prints tables for people', async () => {
    const users = await runCli(['users', 'list'], { env: adminEnv });
    expect(users.code).toBe(0);
    expect(users.stdout).toMatch(/email.*role.*status/s);
    expect(users.stdout).toContain(adminEmail);
  });

  it('uses exit codes scripts can branch on', async () => {
    const invalid = await runCli(['invite', 'not-an-email', '--role', 'clinician', '--json'], { env: adminEnv });
    expect(invalid.code).toBe(1);
    expect(invalid.json()).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { email: [expect.any(String)] } });

    const missing = await runCli(['invites', 'revoke', '01a20a11-6e59-7325-b263-b02a34ba06ae'], { env: adminEnv });
    expect(missing.code).toBe(3);

    const usage = await runCli(['invite', 'x@y.test', '--role', 'owner'], { env: adminEnv });
    expect(usage.code).toBe(1);

    const unreachable = await runCli(['whoami', '--url', 'http://127.0.0.1:9', '--token', 'pat_x.y'], { env: adminEnv });
    expect(unreachable.code).toBe(4);

    const badToken = await runCli(['whoami', '--url', t.url, '--token', 'pat_nope.nope'], { env: adminEnv });
    expect(badToken.code).toBe(2);
  });

  it('filters the audit log', async () => {
    const result = await runCli(['audit', '--action', 'invite.accepted', '--json'], { env: adminEnv });
    expect(result.code).toBe(0);
    expect(result.json().items).toHaveLength(1);
  });

  it('logout revokes the stored token', async () => {
    const stored = await runCli(['tokens', 'list', '--json'], { env: adminEnv });
    expect(stored.json()).toHaveLength(1);
    expect((await runCli(['logout'], { env: adminEnv })).code).toBe(0);
    expect((await runCli(['whoami', '--url', t.url], { env: adminEnv })).code).toBe(2);
  });
});

describe('long-running commands', () => {
  const env = () => ({ DATABASE_URL: t.config.databaseUrl!, PAMS_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEY, PORT: '0', NODE_ENV: 'test' });

  it('pams serve answers /healthz and /readyz, then shuts down cleanly on SIGTERM', async () => {
    const server = startCli(['serve'], env());
    const [, url] = await server.waitFor(/listening on (http:\/\/[\d.:]+)/);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.headers.get('x-request-id')).toBeTruthy();
    expect(await server.stop()).toBe(0);
  });

  it('without SMTP_URL, pams serve prints mail as text on stderr, never into the JSON log on stdout', async () => {
    const { admin } = await createPractice(t);
    const server = startCli(['serve'], { ...env(), LOG_LEVEL: 'info' });
    const [, url] = await server.waitFor(/listening on (http:\/\/[\d.:]+)/);
    await createPamsClient({ url: url! }).auth.requestPasswordReset.mutate({ email: admin.email });
    const [mail] = await server.waitFor(/--- mail to .*reset-password\?token=\S+/s);
    expect(mail).toContain(admin.email);
    expect(await server.stop()).toBe(0);

    const { stdout, stderr } = server.streams;
    expect(stderr).toContain('reset-password?token=');
    const logLines = stdout.trim().split('\n');
    expect(logLines.length).toBeGreaterThan(1); // requests and the shutdown were logged there
    for (const line of logLines) expect(() => JSON.parse(line), line).not.toThrow();
    expect(stdout).not.toContain('token=');
    expect(stdout).not.toContain(admin.email);
  });

  it('pams worker starts Agenda on PostgreSQL and drains on SIGTERM', async () => {
    const worker = startCli(['worker'], env());
    await worker.waitFor(/worker started/);
    expect(await worker.stop()).toBe(0);
  });

  it('pams serve --jobs (what npm start runs) also runs the jobs, and drains them on SIGTERM', async () => {
    const server = startCli(['serve', '--jobs'], env());
    await server.waitFor(/running jobs in this process/);
    expect(await server.stop()).toBe(0);
  });

  it('a bad setting stops start-up, naming the variable', async () => {
    const result = await runCli(['serve'], { env: { ...env(), PORT: 'eighty' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Invalid configuration:\n\s+- PORT: /);
  });
});
