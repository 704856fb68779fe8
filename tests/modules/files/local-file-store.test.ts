import { mkdtemp, readdir, rm, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { localFileStore } from '../../../server/modules/files/local-file-store.ts';
import { describeFileStoreContract } from './file-store-contract.ts';

describeFileStoreContract('local folder', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pams-files-'));
  return { store: localFileStore(join(dir, 'files')), close: () => rm(dir, { recursive: true, force: true }) };
});

describe('the local file store on disk', () => {
  const dir = join(tmpdir(), `pams-files-disk-${process.pid}`);
  const store = localFileStore(dir);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('leaves no temporary file when the stream fails', async () => {
    async function* failing() {
      yield Buffer.from('half of it');
      throw new Error('client went away');
    }
    await expect(store.put('f', Readable.from(failing()))).rejects.toThrow('client went away');
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses keys that would leave its folder', async () => {
    await expect(store.put('../x', Readable.from([]))).rejects.toThrow('Not a file key');
    await expect(store.get('a/b')).rejects.toThrow('Not a file key');
  });

  it('reports when each key was written, from the file itself', async () => {
    await store.put('old', Readable.from([Buffer.from('o')]));
    const hourAgo = new Date(Date.now() - 3600_000);
    await utimes(join(dir, 'old'), hourAgo, hourAgo);
    const listed: { key: string; writtenAt: Date }[] = [];
    for await (const e of store.list()) listed.push(e);
    expect(listed).toHaveLength(1);
    expect(Math.abs(listed[0]!.writtenAt.getTime() - hourAgo.getTime())).toBeLessThan(1000);
    await store.delete('old');
  });
});

describe('the local file store’s folder', () => {
  it('is made on the first write only, private itself, and its parent left passable (the embedded PostgreSQL shares PAMS_DATA_DIR)', async () => {
    const root = join(tmpdir(), `pams-files-fresh-${process.pid}`);
    const store = localFileStore(join(root, 'data', 'files'));
    try {
      for await (const _ of store.list()) throw new Error('nothing was stored');
      await expect(stat(join(root, 'data'))).rejects.toThrow('ENOENT');
      await store.put('k', Readable.from([Buffer.from('x')]));
      expect((await stat(join(root, 'data', 'files'))).mode & 0o777).toBe(0o700);
      expect((await stat(join(root, 'data'))).mode & 0o055).toBe(0o055 & ~process.umask());
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
