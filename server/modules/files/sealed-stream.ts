import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { CorruptCiphertextError } from '../../encryption.ts';

/**
 * Streaming AES-256-GCM in segments (the STREAM construction of age and Tink): one GCM over a whole file
 * could only be checked at its end, after its plaintext had gone out. Each 64 KiB plaintext segment is
 * sealed on its own, with nonce = random prefix ‖ uint32 segment number ‖ last-segment flag, so opening
 * releases a segment only once it authenticates, and a reordered, truncated or extended stream fails.
 * Layout: version byte, 7-byte nonce prefix, then each segment's ciphertext and 16-byte tag.
 */
const VERSION = 1;
const PREFIX_BYTES = 7;
const HEADER_BYTES = 1 + PREFIX_BYTES;
const TAG_BYTES = 16;
export const SEGMENT_BYTES = 64 * 1024;
const SEALED_SEGMENT_BYTES = SEGMENT_BYTES + TAG_BYTES;
const MAX_SEGMENTS = 2 ** 32 - 1;

function nonce(prefix: Buffer, counter: number, last: boolean): Buffer {
  if (counter > MAX_SEGMENTS) throw new Error('Stream too long to seal');
  const n = Buffer.alloc(12);
  prefix.copy(n, 0);
  n.writeUInt32BE(counter, PREFIX_BYTES);
  n[11] = last ? 1 : 0;
  return n;
}

/** A Transform that seals what is written to it under `dataKey`, bound to `aad`. */
export function sealStream(dataKey: Buffer, aad: string): Transform {
  const prefix = randomBytes(PREFIX_BYTES);
  const aadBytes = Buffer.from(aad, 'utf8');
  let pending: Buffer = Buffer.alloc(0);
  let counter = 0;
  const segment = (plaintext: Buffer, last: boolean) => {
    const cipher = createCipheriv('aes-256-gcm', dataKey, nonce(prefix, counter++, last)).setAAD(aadBytes);
    return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  };
  return new Transform({
    construct(done) {
      this.push(Buffer.concat([Buffer.of(VERSION), prefix]));
      done();
    },
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      // A full segment goes out only once more data follows it: the last one must carry the flag.
      while (pending.length > SEGMENT_BYTES) {
        this.push(segment(pending.subarray(0, SEGMENT_BYTES), false));
        pending = pending.subarray(SEGMENT_BYTES);
      }
      done();
    },
    flush(done: TransformCallback) {
      this.push(segment(pending, true));
      done();
    },
  });
}

const corrupt = (why: string, cause?: unknown) => new CorruptCiphertextError(`Sealed stream does not authenticate: ${why}`, cause === undefined ? undefined : { cause });

/** A Transform that opens `sealStream`'s output; it errors with `CorruptCiphertextError` on any altered, missing or extra byte, or another key or AAD. */
export function openStream(dataKey: Buffer, aad: string): Transform {
  const aadBytes = Buffer.from(aad, 'utf8');
  let prefix: Buffer | null = null;
  let pending: Buffer = Buffer.alloc(0);
  let counter = 0;
  const segment = (sealed: Buffer, last: boolean) => {
    if (!prefix) throw corrupt('no header');
    try {
      const decipher = createDecipheriv('aes-256-gcm', dataKey, nonce(prefix, counter++, last)).setAAD(aadBytes);
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]);
    } catch (e) {
      throw corrupt(`segment ${counter - 1} altered, out of order, or under another key`, e);
    }
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      try {
        pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
        if (!prefix) {
          if (pending.length < HEADER_BYTES) return done();
          if (pending[0] !== VERSION) throw corrupt(`unknown version ${pending[0]}`);
          prefix = Buffer.from(pending.subarray(1, HEADER_BYTES));
          pending = pending.subarray(HEADER_BYTES);
        }
        while (pending.length > SEALED_SEGMENT_BYTES) {
          this.push(segment(pending.subarray(0, SEALED_SEGMENT_BYTES), false));
          pending = pending.subarray(SEALED_SEGMENT_BYTES);
        }
        done();
      } catch (e) {
        done(e as Error);
      }
    },
    flush(done: TransformCallback) {
      try {
        if (!prefix) throw corrupt('truncated header');
        if (pending.length < TAG_BYTES) throw corrupt('truncated');
        this.push(segment(pending, true));
        done();
      } catch (e) {
        done(e as Error);
      }
    },
  });
}
