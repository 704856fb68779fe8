import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPamsClient } from '../../shared/client.ts';
import { demoLogins, DEMO_PASSWORD } from '../../server/demo-seed.ts';
import { TEST_ENCRYPTION_KEY } from '../harness.ts';
import { startPams } from '../pams-process.ts';

/**
 * SIGINT and SIGTERM, sent to real `pams serve --jobs` and `pams worker` processes on their embedded
 * PostgreSQL once their jobs' connections (Agenda's LISTEN included) are up: the process closes requests,
 * jobs and pools, then the embedded PostgreSQL, logs `stopped` and exits 0, with no connection lost on
 * the way out.
 */
let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'pams-shutdown-'));
  await chmod(dataDir, 0o755); // as root, postgres runs as its own user and must enter this folder
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

const embeddedEnv = (port: number) => ({
  PAMS_DATA_DIR: dataDir,
  EMBEDDED_PG_PORT: String(port),
  PAMS_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEY,
  PORT: '0',
  LOG_LEVEL: 'info',
});

/** What must not appear in a shutdown's output: a crash, or a connection lost because PostgreSQL went first. */
const unclean = /Unhandled|uncaught|ERR_|terminating connection|connection lost|57P01|"level":50/i;

describe('shutdown', () => {
  // One embedded cluster (data dir and port) for the whole file, started and stopped by each process.
  const pgPort = 20000 + Math.floor(Math.random() * 20000);

  it('pams serve --jobs on its embedded PostgreSQL stops cleanly on SIGINT, three times in a row', async () => {
    for (let run = 0; run < 3; run++) {
      const serve = startPams(['serve', '--jobs', '--migrate'], embeddedEnv(pgPort));
      try {
        const url = (await serve.waitFor(/listening on (http:\/\/[\d.:]+).*running jobs in this process/, 60_000))[1]!;
        expect((await fetch(`${url}/readyz`)).status).toBe(200);
        serve.signal('SIGINT');
        expect(await serve.exit).toBe(0);
        expect(serve.output()).toMatch(/"msg":"stopped"/);
        expect(serve.output()).not.toMatch(unclean);
        // PostgreSQL removes its pid file when it has shut down: it is gone with the process.
        expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
      } finally {
        await serve.kill();
      }
    }
  }, 120_000);

  it('lets a request in flight finish with 200 after SIGTERM, then stops', async () => {
    const serve = startPams(['serve', '--jobs', '--migrate', '--demo'], embeddedEnv(pgPort));
    let locker: pg.Client | undefined;
    try {
      const url = (await serve.waitFor(/listening on (http:\/\/[\d.:]+)/, 60_000))[1]!;
      await serve.waitFor(/Demo data created/);
      const { token } = await createPamsClient({ url }).auth.login.mutate({ email: demoLogins[0].email, password: DEMO_PASSWORD });
      // The test holds the practice's row lock, so the rename below waits on it: a request in flight.
      locker = new pg.Client({ connectionString: `postgres://postgres:postgres@127.0.0.1:${pgPort}/pams` });
      await locker.connect();
      await locker.query('begin');
      await locker.query('select id from practice for update');
      const rename = createPamsClient({ url, token }).practices.update.mutate({ name: 'Renamed during shutdown' });
      await waitUntil(async () => (await locker!.query(`select 1 from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`)).rowCount! > 0);

      serve.signal('SIGTERM');
      await serve.waitFor(/shutting down/);
      expect(serve.exitCode()).toBeNull(); // waiting for the request
      await locker.query('rollback');
      await locker.end();
      expect(await rename).toMatchObject({ name: 'Renamed during shutdown' });
      expect(await serve.exit).toBe(0);
      expect(serve.output()).toMatch(/"msg":"stopped"/);
      expect(serve.output()).not.toMatch(unclean);
    } finally {
      await locker?.end().catch(() => {});
      await serve.kill();
    }
  }, 90_000);

  it('pams worker drains and stops on SIGTERM', async () => {
    const worker = startPams(['worker'], embeddedEnv(pgPort));
    try {
      await worker.waitFor(/worker started/, 30_000);
      worker.signal('SIGTERM');
      expect(await worker.exit).toBe(0);
      expect(worker.output()).toMatch(/"msg":"worker stopped"/);
      expect(worker.output()).not.toMatch(unclean);
      expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
    } finally {
      await worker.kill();
    }
  }, 60_000);
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}
