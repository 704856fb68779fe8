import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileMissingError, type FileStore } from '../../../server/modules/files/file-store.ts';

/** A store to test and how to tear it down (its folder, its server). */
export type StoreFixture = { store: FileStore; close(): Promise<void> };

/** `bytes` of random data in chunks of an odd size (so they never line up with a store's parts), and their sha256 once read. */
function randomStream(bytes: number, failAfter?: number) {
  const hash = createHash('sha256');
  const CHUNK = 1_000_003;
  async function* chunks() {
    for (let sent = 0; sent < bytes; sent += CHUNK) {
      if (failAfter !== undefined && sent >= failAfter) throw new Error('the source failed halfway');
      const chunk = randomBytes(Math.min(CHUNK, bytes - sent));
      hash.update(chunk);
      yield chunk;
    }
  }
  return { stream: Readable.from(chunks(), { objectMode: false }), sha256: () => hash.digest('hex') };
}

async function sha256Of(stream: Readable): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

async function keysOf(store: FileStore): Promise<Map<string, Date>> {
  const keys = new Map<string, Date>();
  for await (const { key, writtenAt } of store.list()) keys.set(key, writtenAt);
  return keys;
}

/**
 * What every FileStore must do, run against each implementation: `describeFileStoreContract('local', makeStore)`.
 * Each case uses keys of its own, so a store may hold others' keys meanwhile.
 */
export function describeFileStoreContract(name: string, makeStore: () => Promise<StoreFixture>) {
  describe(`FileStore contract: ${name}`, () => {
    let fixture: StoreFixture;
    let store: FileStore;
    beforeAll(async () => {
      fixture = await makeStore();
      store = fixture.store;
    });
    afterAll(() => fixture?.close());

    it.each([
      ['0 B', 0],
      ['1 B', 1],
      ['20 MiB', 20 * 2 ** 20 + 12_345],
    ])('stores and streams back %s byte for byte', async (_, bytes) => {
      const key = randomUUID();
      const source = randomStream(bytes);
      await store.put(key, source.stream);
      const body = await store.get(key);
      expect(body).toBeInstanceOf(Readable);
      expect(await sha256Of(body)).toEqual({ sha256: source.sha256(), bytes });
    });

    it.each([
      ['before its first MiB', 2 ** 20],
      ['after 12 MiB', 12 * 2 ** 20],
    ])('rejects a put whose source fails %s, and leaves nothing under the key', async (_, failAfter) => {
      const key = randomUUID();
      await expect(store.put(key, randomStream(30 * 2 ** 20, failAfter).stream)).rejects.toThrow('the source failed halfway');
      await expect(store.get(key)).rejects.toBeInstanceOf(FileMissingError);
      expect((await keysOf(store)).has(key)).toBe(false);
    });

    it('rejects a get of a key it does not hold with FileMissingError', async () => {
      await expect(store.get(randomUUID())).rejects.toBeInstanceOf(FileMissingError);
    });

    it('deletes a key, and deleting it again (or one never stored) is not an error', async () => {
      const key = randomUUID();
      await store.put(key, Readable.from([Buffer.from('to be deleted')]));
      await store.delete(key);
      await expect(store.get(key)).rejects.toBeInstanceOf(FileMissingError);
      await store.delete(key);
      await store.delete(randomUUID());
      expect((await keysOf(store)).has(key)).toBe(false);
    });

    it('lists what was put, each key once, with when it was written', async () => {
      // Some stores keep times to the second: allow a second either side.
      const before = Date.now() - 1000;
      const keys = [randomUUID(), `${randomUUID()}.preview`, randomUUID()];
      for (const key of keys) await store.put(key, Readable.from([Buffer.from(key)]));
      const after = Date.now() + 1000;
      const listed = await keysOf(store);
      for (const key of keys) {
        const writtenAt = listed.get(key);
        expect(writtenAt, key).toBeInstanceOf(Date);
        expect(writtenAt!.getTime()).toBeGreaterThanOrEqual(before);
        expect(writtenAt!.getTime()).toBeLessThanOrEqual(after);
      }
      let count = 0;
      for await (const { key } of store.list()) if (keys.includes(key)) count++;
      expect(count).toBe(keys.length);
    });

    it('replaces what is under a key when it is put again', async () => {
      const key = randomUUID();
      await store.put(key, randomStream(3 * 2 ** 20).stream);
      const second = randomStream(1000);
      await store.put(key, second.stream);
      expect(await sha256Of(await store.get(key))).toEqual({ sha256: second.sha256(), bytes: 1000 });
      let count = 0;
      for await (const listed of store.list()) if (listed.key === key) count++;
      expect(count).toBe(1);
    });
  });
}
