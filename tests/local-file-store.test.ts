import { mkdtemp, readdir, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterAll, describe, expect, it } from 'vitest';
import { FileMissingError } from '../server/modules/files/file-store.ts';
import { localFileStore } from '../server/modules/files/local-file-store.ts';

const dir = await mkdtemp(join(tmpdir(), 'pams-files-'));
afterAll(() => rm(dir, { recursive: true, force: true }));
const store = localFileStore(join(dir, 'files'));

const listed = async () => {
  const keys: string[] = [];
  for await (const { key } of store.list()) keys.push(key);
  return keys.sort();
};

describe('the local file store keeps the FileStore contract', () => {
  it('stores, streams back, lists and deletes', async () => {
    const bytes = Buffer.alloc(300_000, 'x');
    await store.put('a', Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]));
    expect((await buffer(await store.get('a'))).equals(bytes)).toBe(true);
    const before = Date.now();
    await store.put('b.preview', Readable.from([Buffer.from('p')]));
    const entries: { key: string; writtenAt: Date }[] = [];
    for await (const e of store.list()) entries.push(e);
    expect(entries.map((e) => e.key).sort()).toEqual(['a', 'b.preview']);
    expect(entries.find((e) => e.key === 'b.preview')!.writtenAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    await store.delete('a');
    await store.delete('a'); // not there: not an error
    expect(await listed()).toEqual(['b.preview']);
    await store.delete('b.preview');
  });

  it('rejects with FileMissingError for a key with nothing stored', async () => {
    await expect(store.get('missing')).rejects.toThrow(FileMissingError);
  });

  it('replaces a key whole', async () => {
    await store.put('r', Readable.from([Buffer.from('first version')]));
    await store.put('r', Readable.from([Buffer.from('second')]));
    expect((await buffer(await store.get('r'))).toString()).toBe('second');
    await store.delete('r');
  });

  it('leaves nothing under the key, and no temporary file, when the stream fails', async () => {
    async function* failing() {
      yield Buffer.from('half of it');
      throw new Error('client went away');
    }
    await expect(store.put('f', Readable.from(failing()))).rejects.toThrow('client went away');
    await expect(store.get('f')).rejects.toThrow(FileMissingError);
    expect(await readdir(join(dir, 'files'))).toEqual([]);
  });

  it('refuses keys that would leave its folder', async () => {
    await expect(store.put('../x', Readable.from([]))).rejects.toThrow('Not a file key');
    await expect(store.get('a/b')).rejects.toThrow('Not a file key');
  });

  it('reports when each key was written', async () => {
    await store.put('old', Readable.from([Buffer.from('o')]));
    const hourAgo = new Date(Date.now() - 3600_000);
    await utimes(join(dir, 'files', 'old'), hourAgo, hourAgo);
    for await (const e of store.list()) if (e.key === 'old') expect(Math.abs(e.writtenAt.getTime() - hourAgo.getTime())).toBeLessThan(1000);
    await store.delete('old');
  });
});
