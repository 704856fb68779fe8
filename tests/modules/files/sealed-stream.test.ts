import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { CorruptCiphertextError } from '../../../server/encryption.ts';
import { openStream, SEGMENT_BYTES, sealStream } from '../../../server/modules/files/sealed-stream.ts';

const key = randomBytes(32);

/** Fed in uneven chunks, as a socket would, so segment boundaries never line up with writes. */
function chunked(bytes: Buffer): Readable {
  const parts: Buffer[] = [];
  for (let at = 0, n = 1; at < bytes.length; at += n, n = (n * 7 + 3) % 40_000 || 1) parts.push(bytes.subarray(at, at + n));
  return Readable.from(parts);
}

async function through(bytes: Buffer, transform: ReturnType<typeof sealStream>): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(chunked(bytes), transform, async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) out.push(chunk);
  });
  return Buffer.concat(out);
}

const seal = (bytes: Buffer, aad = 'file-1', k = key) => through(bytes, sealStream(k, aad));
const open = (bytes: Buffer, aad = 'file-1', k = key) => through(bytes, openStream(k, aad));

describe('sealed streams', () => {
  it.each([0, 1, SEGMENT_BYTES - 1, SEGMENT_BYTES, SEGMENT_BYTES + 1, 3 * SEGMENT_BYTES, 3 * 2 ** 20 + 17])('round-trips %i bytes', async (size) => {
    const plaintext = randomBytes(size);
    const sealed = await seal(plaintext);
    expect(sealed.length).toBe(8 + size + 16 * Math.max(1, Math.ceil(size / SEGMENT_BYTES)));
    if (size >= 16) expect(sealed.includes(plaintext.subarray(0, 16))).toBe(false);
    expect((await open(sealed)).equals(plaintext)).toBe(true);
  });

  it('seals the same bytes differently each time', async () => {
    const plaintext = Buffer.from('the same referral letter');
    expect((await seal(plaintext)).equals(await seal(plaintext))).toBe(false);
  });

  describe('refuses a stream that is not exactly what was sealed', async () => {
    const plaintext = randomBytes(2 * SEGMENT_BYTES + 100);
    const sealed = await seal(plaintext);
    const segment = SEGMENT_BYTES + 16;
    const flipped = (at: number) => {
      const copy = Buffer.from(sealed);
      copy[at]! ^= 1;
      return copy;
    };
    const cases: Record<string, () => Promise<Buffer>> = {
      'a flipped ciphertext byte': () => open(flipped(8 + 5)),
      'a flipped tag byte': () => open(flipped(8 + segment - 1)),
      'a flipped byte in the last segment': () => open(flipped(sealed.length - 20)),
      'a flipped nonce prefix': () => open(flipped(3)),
      'another version': () => open(flipped(0)),
      'truncated at a segment boundary': () => open(sealed.subarray(0, 8 + 2 * segment)),
      'truncated mid-segment': () => open(sealed.subarray(0, sealed.length - 50)),
      'truncated to its header': () => open(sealed.subarray(0, 8)),
      'cut inside its header': () => open(sealed.subarray(0, 3)),
      empty: () => open(Buffer.alloc(0)),
      'segments swapped': () => open(Buffer.concat([sealed.subarray(0, 8), sealed.subarray(8 + segment, 8 + 2 * segment), sealed.subarray(8, 8 + segment), sealed.subarray(8 + 2 * segment)])),
      'data appended': () => open(Buffer.concat([sealed, Buffer.from('more')])),
      'a whole segment appended': () => open(Buffer.concat([sealed, sealed.subarray(8, 8 + segment)])),
      'another key': () => open(sealed, 'file-1', randomBytes(32)),
      'another AAD': () => open(sealed, 'file-1.preview'),
    };
    it.each(Object.keys(cases))('%s', async (name) => {
      await expect(cases[name]!()).rejects.toThrow(CorruptCiphertextError);
    });
  });

  it('releases nothing of a segment that fails', async () => {
    const sealed = await seal(randomBytes(SEGMENT_BYTES / 2));
    sealed[20]! ^= 1;
    const opener = openStream(key, 'file-1');
    const released: Buffer[] = [];
    opener.on('data', (c: Buffer) => released.push(c));
    const failed = new Promise((resolve) => opener.on('error', resolve));
    opener.end(sealed);
    expect(await failed).toBeInstanceOf(CorruptCiphertextError);
    expect(released).toEqual([]);
  });
});
