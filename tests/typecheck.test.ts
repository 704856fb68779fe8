import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPractice } from './fixtures.ts';
import { startTestServer, type TestServer } from './harness.ts';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const tsc = path.join(root, 'node_modules/typescript/bin/tsc');

async function typecheck(project: string): Promise<string> {
  try {
    await run(process.execPath, [tsc, '-p', project], { cwd: root });
    return '';
  } catch (e) {
    return (e as { stdout?: string }).stdout || String(e);
  }
}

describe('types', () => {
  it('a frontend compiles against pams/client, and a wrong input does not compile', async () => {
    expect(await typecheck('tests/typecheck/tsconfig.json')).toBe('');
  });

  it('the whole project typechecks (tsc --noEmit)', async () => {
    expect(await typecheck('tsconfig.json')).toBe('');
  });
});

describe('the published pams/client JavaScript', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  it('calls a running server', async () => {
    const { createPamsClient } = await import('pams/client');
    const { admin } = await createPractice(t);
    const me = await createPamsClient({ url: t.url, token: admin.token }).auth.me.query();
    expect(me.user.email).toBe(admin.email);
  });
});
