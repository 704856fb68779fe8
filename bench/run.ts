import autocannon, { type Options, type Result } from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { startEmbeddedPostgres } from '../server/embedded-postgres.ts';
import { bootstrapPractice } from '../server/modules/practices/bootstrap.service.ts';
import { closeOrm, initOrm } from '../server/orm.ts';

/**
 * `npm run bench`: `auth.me` and `auth.login` on the real PAMS server, and the same session lookup on a
 * bare Hono + pg server as the floor. Each server is its own process, so autocannon (here) does not share
 * their event loop; they do share the CPU. Writes bench/results.md and prints it.
 */

const ROOT = path.resolve(import.meta.dirname, '..');
const AIM = 0.7; // auth.me should reach this share of the baseline's requests/s
const WARMUP_S = 2;
const DURATION_S = 10;
const ADMIN = { email: 'bench-admin@pams.test', password: 'bench-password-123' };

type Cleanup = () => Promise<unknown>;
type Database = { url: string; postgresVersion: string };

async function main(): Promise<void> {
  const cleanups: Cleanup[] = []; // undone in reverse, whatever happens
  try {
    const db = await openDatabase(cleanups);
    await migrateAndSeed(db.url);

    const pams = await startServer(cleanups, ['cli/pams.ts', 'serve'], '/readyz', {
      DATABASE_URL: db.url,
      NODE_ENV: 'development', // production will demand SMTP_URL
      PAMS_ENCRYPTION_KEYS: `bench1:${randomBytes(32).toString('base64')}`,
      LOG_LEVEL: 'warn', // an access-log line per request would dominate
      LOGIN_MAX_PER_ACCOUNT: '100000000',
      LOGIN_MAX_PER_IP: '100000000',
    });
    const auth = { authorization: `Bearer ${await login(pams)}` };
    const baseline = await startServer(cleanups, ['bench/baseline-server.ts'], '/me', { DATABASE_URL: db.url }, auth);

    const results = {
      me: await measure({ url: `${pams}/trpc/auth.me`, connections: 50, headers: auth }),
      baseline: await measure({ url: `${baseline}/me`, connections: 50, headers: auth }),
      login: await measure({
        url: `${pams}/trpc/auth.login`, connections: 8, method: 'POST',
        headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN),
      }),
    };
    const report = renderReport(results, db.postgresVersion);
    await writeFile(path.join(ROOT, 'bench', 'results.md'), report);
    process.stdout.write(`\n${report}`);
    // Thrown, not `process.exitCode`: embedded-postgres's exit hook ends the process with code 0.
    if (Object.values(results).some((x) => x.errors + x.timeouts + x.non2xx > 0)) {
      throw new Error('Some requests failed: these figures are not a clean measurement.');
    }
  } finally {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((e: unknown) => console.error('cleanup failed:', e));
    }
  }
}

/** A fresh database: on DATABASE_URL's server when set, else on an embedded PostgreSQL in a temp dir. */
async function openDatabase(cleanups: Cleanup[]): Promise<Database> {
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    // The temp dir is the data dir itself: as root it is handed to the postgres user, and an ephemeral
    // server deletes it on stop, also when embedded-postgres's own exit hook stops it on Ctrl-C.
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'pams-bench-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const server = await startEmbeddedPostgres({
      dataDir,
      port: 20000 + Math.floor(Math.random() * 20000),
      ephemeral: true,
      flags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300'],
    });
    cleanups.push(server.stop);
    adminUrl = server.url('postgres');
  }
  const name = `pams_bench_${randomBytes(6).toString('hex')}`;
  const postgresVersion = await withClient(adminUrl, async (admin) => {
    await admin.query(`create database "${name}"`);
    return (await admin.query<{ version: string }>('select version()')).rows[0]!.version;
  });
  cleanups.push(() => withClient(adminUrl, (admin) => admin.query(`drop database if exists "${name}" with (force)`)));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), postgresVersion };
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function migrateAndSeed(url: string): Promise<void> {
  const orm = await initOrm(url);
  try {
    await orm.migrator.up();
    await bootstrapPractice(orm.em.fork(), { practiceName: 'Bench Practice', name: 'Bench Admin', ...ADMIN });
  } finally {
    await closeOrm(orm);
  }
}

const stopping = new WeakSet<ChildProcess>();
const hasExited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/** `node <args>` on a free port, with only the env given (plus PATH); returns its URL once `readyPath` answers 200. */
async function startServer(cleanups: Cleanup[], args: string[], readyPath: string, env: Record<string, string>, headers: Record<string, string> = {}): Promise<string> {
  const port = await freePort();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.once('exit', (code, signal) => {
    if (!stopping.has(child)) console.error(`${args.join(' ')} exited early (${signal ?? `code ${code}`})`);
  });
  cleanups.push(() => stopChild(child));
  const url = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 30_000; ; await sleep(100)) {
    if (hasExited(child)) throw new Error(`${args.join(' ')} exited before it was ready`);
    if (Date.now() > deadline) throw new Error(`${args.join(' ')} was not ready within 30 s`);
    const response = await fetch(`${url}${readyPath}`, { headers }).catch(() => null);
    if (response?.status === 200) return url;
  }
}

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** SIGINT lets the server drain and close its pools; SIGKILL only if it hangs. */
async function stopChild(child: ChildProcess): Promise<void> {
  stopping.add(child);
  if (hasExited(child)) return;
  const exited = once(child, 'exit');
  child.kill('SIGINT');
  const hang = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(hang);
}

async function login(url: string): Promise<string> {
  const response = await fetch(`${url}/trpc/auth.login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
  if (!response.ok) throw new Error(`login failed: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { result: { data: { token: string } } };
  return body.result.data.token;
}

function measure(options: Omit<Options, 'duration' | 'warmup'>): PromiseLike<Result> {
  process.stdout.write(`${options.method ?? 'GET'} ${options.url}: ${WARMUP_S} s warm-up, ${DURATION_S} s measured, ${options.connections} connections\n`);
  return autocannon({ ...options, duration: DURATION_S, warmup: { duration: WARMUP_S } });
}

function renderReport(r: { me: Result; baseline: Result; login: Result }, postgresVersion: string): string {
  const share = r.me.requests.mean / r.baseline.requests.mean;
  const row = (name: string, connections: number, x: Result) =>
    `| ${name} | ${connections} | ${Math.round(x.requests.mean).toLocaleString('en')} | ${x.latency.p50} | ${x.latency.p99} | ${x.errors + x.timeouts} / ${x.non2xx} |`;
  const cpus = os.cpus();
  return `# PAMS throughput

Written by \`npm run bench\` on ${new Date().toISOString()}.

**Aim:** \`auth.me\` at least ${AIM * 100}% of the baseline's requests/s. **${share >= AIM ? 'Met' : 'Not met'}:** auth.me / baseline = ${(share * 100).toFixed(1)}%.

| endpoint | connections | requests/s (mean) | p50 ms | p99 ms | errors / non-2xx |
|---|---:|---:|---:|---:|---:|
${row('`auth.me` (tRPC + MikroORM)', 50, r.me)}
${row('baseline session lookup (Hono + pg)', 50, r.baseline)}
${row('`auth.login` (Argon2)', 8, r.login)}

Each run: ${WARMUP_S} s warm-up, then ${DURATION_S} s measured, by autocannon in the bench process. Each server runs in its
own process on the same machine, against the same PostgreSQL, so client, server and database share the CPU.
The PAMS server runs with \`NODE_ENV=development\` and \`LOG_LEVEL=warn\`; the login limits are raised out of the way.

## Machine

- CPU: ${cpus[0]?.model ?? 'unknown'} × ${cpus.length}
- Memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB
- OS: ${os.type()} ${os.release()}
- Node: ${process.version}

## Versions

- hono ${versionOf('hono')}, @hono/node-server ${versionOf('@hono/node-server')}
- @trpc/server ${versionOf('@trpc/server')}
- @mikro-orm/core ${versionOf('@mikro-orm/core')}
- pg ${versionOf('pg')}
- ${postgresVersion}
- autocannon ${versionOf('autocannon')}
`;
}

function versionOf(name: string): string {
  return (JSON.parse(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

await main();
