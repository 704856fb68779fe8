import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CorruptCiphertextError, decryptString, encryptString, MissingKeyError } from '../server/encryption.ts';
import { decryptText, encryptText, newDataKey, unwrapDataKey } from '../server/envelope.ts';

const key = (id: string) => ({ id, key: randomBytes(32) });
const k1 = key('k1');
const k2 = key('k2');

/** Flips one bit of the base64 part `index` of a stored ciphertext whose parts are joined by `sep`. */
function altered(stored: string, sep: string, index: number): string {
  const parts = stored.split(sep);
  const bytes = Buffer.from(parts[index]!, 'base64');
  bytes[0]! ^= 1;
  parts[index] = bytes.toString('base64');
  return parts.join(sep);
}

describe('a ciphertext that does not decrypt says why', () => {
  it('names the missing key when PAMS_ENCRYPTION_KEYS lacks it', () => {
    const stored = encryptString([k2, k1], 'secret');
    expect(decryptString([k2, k1], stored)).toBe('secret');
    expect(() => decryptString([k1], stored)).toThrow(MissingKeyError);
    expect(() => decryptString([k1], stored)).toThrow('No encryption key "k2" in PAMS_ENCRYPTION_KEYS');
  });

  it('calls cut-short or altered data corrupt, not a missing key', () => {
    const stored = encryptString([k1], 'secret');
    for (const corrupt of [stored.split(':').slice(0, 3).join(':'), 'k1', '', altered(stored, ':', 2), altered(stored, ':', 3)]) {
      expect(() => decryptString([k1], corrupt), corrupt).toThrow(CorruptCiphertextError);
    }
  });

  it('calls a key of the right name but other bytes a failed authentication, not a missing key', () => {
    const stored = encryptString([k1], 'secret');
    expect(() => decryptString([key('k1')], stored)).toThrow(CorruptCiphertextError);
  });

  it('tells the two apart for envelopes too', () => {
    const { dataKey, envelope } = newDataKey([k1], 'row-1');
    expect(unwrapDataKey([k1], envelope, 'row-1')).toEqual(dataKey);
    expect(() => unwrapDataKey([k2], envelope, 'row-1')).toThrow(MissingKeyError);
    expect(() => unwrapDataKey([k1], { ...envelope, wrappedKey: altered(envelope.wrappedKey, '.', 1) }, 'row-1')).toThrow(CorruptCiphertextError);
    const sealed = encryptText(dataKey, 'body', 'row-1');
    expect(decryptText(dataKey, sealed, 'row-1')).toBe('body');
    expect(() => decryptText(dataKey, sealed, 'row-2')).toThrow(CorruptCiphertextError);
    expect(() => decryptText(dataKey, sealed.split('.')[0]!, 'row-1')).toThrow(CorruptCiphertextError);
  });
});
