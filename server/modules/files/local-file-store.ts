import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FileMissingError, type FileStore } from './file-store.ts';

/**
 * Files in one folder, a file per key. A write goes to a temporary name in the same folder and is renamed
 * onto its key once whole, so a crash never leaves a partial file under a key. A failed write removes its
 * temporary file; one a crash left behind is listed like any key with no row, so the orphan sweep takes it.
 */
export function localFileStore(dir: string): FileStore {
  // Made on first write, so that a process that never stores a file (a CLI command, a sweep of nothing)
  // leaves no folder behind. Only the folder itself is private: its parent (PAMS_DATA_DIR) is the embedded
  // PostgreSQL's too, whose own user must be able to pass through it.
  let made: Promise<unknown> | null = null;
  const ready = () =>
    (made ??= mkdir(dirname(dir), { recursive: true }).then(() =>
      mkdir(dir, { mode: 0o700 }).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'EEXIST') throw e;
      }),
    ));
  const pathOf = (key: string) => {
    if (!/^[\w.-]+$/.test(key) || key.startsWith('.')) throw new Error(`Not a file key: ${key}`);
    return join(dir, key);
  };
  return {
    async put(key, body: Readable) {
      const target = pathOf(key);
      await ready();
      const temp = join(dir, `${key}.partial-${randomBytes(8).toString('hex')}`);
      try {
        await pipeline(body, createWriteStream(temp, { mode: 0o600 }));
        await rename(temp, target);
      } catch (e) {
        await rm(temp, { force: true });
        throw e;
      }
    },
    async get(key) {
      const stream = createReadStream(pathOf(key));
      // Opened before it is handed on, so a missing file rejects here rather than erroring the stream later.
      await new Promise<void>((resolve, reject) => {
        stream.once('open', () => resolve());
        stream.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT' ? new FileMissingError(`No stored file ${key}`) : e));
      });
      return stream;
    },
    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
    async *list() {
      const names = await readdir(dir).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return []; // nothing stored yet
        throw e;
      });
      for (const name of names) {
        const info = await stat(join(dir, name)).catch(() => null); // removed since readdir
        if (info) yield { key: name, writtenAt: info.mtime };
      }
    },
    close() {}, // nothing kept open
  };
}
