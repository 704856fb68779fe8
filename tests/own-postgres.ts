import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';

/**
 * A PostgreSQL of a test's own, which the test may stop and start again under running PAMS processes
 * (the run's shared cluster serves every test file at once). Same port and data across restarts.
 */
export async function startOwnPostgres() {
  const dir = await mkdtemp(path.join(tmpdir(), 'pams-own-pg-'));
  await chmod(dir, 0o755); // as root, postgres runs as its own user and must enter this folder
  const port = 20000 + Math.floor(Math.random() * 20000);
  let child: ChildProcess | undefined;
  let adminUrl = '';

  async function start() {
    const started = spawn(process.execPath, [path.join(import.meta.dirname, 'postgres-process.ts'), path.join(dir, 'pg'), String(port), 'persistent'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await Promise.race([once(createInterface({ input: started.stdout! }), 'line'), once(started, 'exit').then(() => [null])])) as [string | null];
    if (!line) throw new Error('The test PostgreSQL did not start (see above)');
    child = started;
    adminUrl = line;
  }
  /** Fast shutdown, as a restart or failover does it: every connection is terminated (57P01). */
  async function stop() {
    const exited = once(child!, 'exit');
    child!.kill('SIGTERM');
    await exited;
    child = undefined;
  }

  await start();
  const url = (database: string) => Object.assign(new URL(adminUrl), { pathname: `/${database}` }).toString();
  return {
    url,
    start,
    stop,
    async createDatabase(name: string) {
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`create database "${name}"`);
      await admin.end();
      return url(name);
    },
    async close() {
      if (child) await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
