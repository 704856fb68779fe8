import type { Readable } from 'node:stream';

/**
 * Where an uploaded file's (already encrypted) bytes live: a folder under PAMS_DATA_DIR by default, or an
 * S3-compatible bucket. Keys are PAMS's own (a file's id, and `<id>.preview`); the store knows nothing else.
 */
export type FileStore = {
  /** Stores the stream's bytes under `key`; resolves once they are stored whole. If the stream fails, nothing is left under `key`. */
  put(key: string, body: Readable): Promise<void>;
  /** The bytes stored under `key`, streamed; rejects with `FileMissingError` when there are none. */
  get(key: string): Promise<Readable>;
  /** Removes `key`; removing a key that is not there is not an error. */
  delete(key: string): Promise<void>;
  /** Every stored key with when it was written, for the orphan sweep. */
  list(): AsyncIterable<{ key: string; writtenAt: Date }>;
  /** Ends what the store keeps open (an S3 client's kept-alive connections), at shutdown. */
  close(): void;
};

/** The store has nothing under a key PAMS expected. */
export class FileMissingError extends Error {}
