import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { syncBuiltinQuestionnaires } from '../server/modules/questionnaires/seed.service.ts';
import { initOrm } from '../server/orm.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A URL to the server's maintenance database; each test file clones `template` from there. */
    pgAdminUrl: string;
    pgTemplate: string;
  }
}

const TEMPLATE = 'pams_test_template';
let stop: (() => Promise<void>) | undefined;

/** One real PostgreSQL for the run (embedded in a temp dir, or DATABASE_URL) and a migrated template. */
export async function setup(project: TestProject) {
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const dir = await mkdtemp(path.join(tmpdir(), 'pams-test-pg-'));
    await chmod(dir, 0o755); // as root, postgres runs as its own user and must enter this folder
    const port = 20000 + Math.floor(Math.random() * 20000);
    const child = spawn(process.execPath, [path.join(import.meta.dirname, 'postgres-process.ts'), path.join(dir, 'pg'), String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await Promise.race([once(createInterface({ input: child.stdout }), 'line'), once(child, 'exit').then(() => [null])])) as [string | null];
    if (!line) throw new Error('The test PostgreSQL did not start (see above)');
    adminUrl = line;
    stop = async () => {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    };
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists "${TEMPLATE}" with (force)`);
  await admin.query(`create database "${TEMPLATE}"`);
  await admin.end();

  const url = new URL(adminUrl);
  url.pathname = `/${TEMPLATE}`;
  const orm = await initOrm(url.toString());
  await orm.migrator.up();
  await syncBuiltinQuestionnaires(orm.em);
  await orm.close(true); // a template with open connections cannot be cloned

  project.provide('pgAdminUrl', adminUrl);
  project.provide('pgTemplate', TEMPLATE);
}

export async function teardown() {
  await stop?.();
}
