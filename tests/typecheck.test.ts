import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

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
  // One compile for both (they share the server's types): tests/typecheck/tsconfig.json is tsconfig.json plus the
  // drift check of the client package's generated AppRouter (tests/typecheck/app-router-drift.ts), which needs `npm run build`.
  it("the whole project typechecks, and the client package's AppRouter matches the server's, procedure by procedure", async () => {
    expect(existsSync(path.join(root, 'shared/dist/app-router.d.ts')), 'shared/dist is missing: run `npm run build` first').toBe(true);
    expect(await typecheck('tests/typecheck/tsconfig.json')).toBe('');
  }, 180_000);
});
