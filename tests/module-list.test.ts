import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { coreEntities, modules } from '../server/modules.ts';
import { ormConfig } from '../server/orm.ts';

/**
 * The module list (server/modules.ts) is written by hand; these read the files, so that what a new
 * module's folder holds cannot be left out of it: its manifest, its entities, its wire schemas.
 */
const root = path.resolve(import.meta.dirname, '..');
const filesUnder = (dir: string, suffix: string) =>
  readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith(suffix))
    .map((f) => path.join(dir, f));

describe('the module list', () => {
  it('lists every module manifest (server/modules/<domain>/<domain>.module.ts)', async () => {
    const manifests = await Promise.all(filesUnder('server/modules', '.module.ts').map(async (file) => [file, Object.values(await import(path.join(root, file)))] as const));
    expect(manifests.length).toBeGreaterThan(15);
    for (const [file, exported] of manifests)
      expect(
        exported.some((m) => (modules as readonly unknown[]).includes(m)),
        `${file} is not in server/modules.ts`,
      ).toBe(true);
  });

  it("gives the ORM every entity of server/ (a module manifest lists it, or the core list for the root's own)", async () => {
    const entities = new Set(ormConfig('postgresql://unused/none').entities as unknown[]);
    const files = filesUnder('server', '.entity.ts');
    expect(files.length).toBeGreaterThan(25);
    for (const file of files) {
      const classes = Object.values(await import(path.join(root, file))).filter((v) => typeof v === 'function');
      expect(
        classes.some((c) => entities.has(c)),
        `${file}: its entity is in no module's manifest (nor coreEntities)`,
      ).toBe(true);
    }
    expect(entities.size).toBe(coreEntities.length + modules.reduce((n, m) => n + m.entities.length, 0));
  });

  it('publishes every wire schema through @pams/client/schemas', async () => {
    const schemas = await import('../shared/client-schemas.ts');
    for (const file of filesUnder('shared/schemas', '.ts')) {
      const missing = Object.keys(await import(path.join(root, file))).filter((name) => !(name in schemas));
      expect(missing, `${file} exports these, @pams/client/schemas (shared/client-schemas.ts) does not`).toEqual([]);
    }
  });
});
