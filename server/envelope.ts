import { randomBytes } from 'node:crypto';
import { CorruptCiphertextError, encryptionKey, open, seal, type EncryptionKeys } from './encryption.ts';

/**
 * Envelope encryption: each sealed item has its own random data key, which encrypts the content; the data
 * key is stored wrapped by a key-encryption key (KEK) of PAMS_ENCRYPTION_KEYS, named by `kekId`. Rotating
 * the KEK re-wraps 32-byte data keys and never touches the content. Every ciphertext is bound to its row
 * by `aad` (the row id), so ciphertexts cannot be swapped between rows. AES-256-GCM throughout
 * (encryption.ts); stored as base64 `iv.ciphertext.tag`.
 */
export type Envelope = { kekId: string; wrappedKey: string };

function sealText(key: Buffer, plaintext: Buffer, aad: string): string {
  const { iv, ciphertext, tag } = seal(key, plaintext, aad);
  return [iv, ciphertext, tag].map((b) => b.toString('base64')).join('.');
}

function openText(key: Buffer, sealed: string, aad: string): Buffer {
  const [iv, ciphertext, tag] = sealed.split('.').map((part) => Buffer.from(part, 'base64'));
  if (!iv || !ciphertext || !tag) throw new CorruptCiphertextError('Malformed ciphertext: not iv.ciphertext.tag');
  return open(key, { iv, ciphertext, tag }, aad);
}

/** A new data key, wrapped under the newest KEK. */
export function newDataKey(keys: EncryptionKeys, aad: string): { dataKey: Buffer; envelope: Envelope } {
  const dataKey = randomBytes(32);
  const { id, key } = keys[0]!;
  return { dataKey, envelope: { kekId: id, wrappedKey: sealText(key, dataKey, aad) } };
}

export function unwrapDataKey(keys: EncryptionKeys, envelope: Envelope, aad: string): Buffer {
  return openText(encryptionKey(keys, envelope.kekId), envelope.wrappedKey, aad);
}

/** The same data key, wrapped under the newest KEK instead. */
export function rewrapDataKey(keys: EncryptionKeys, envelope: Envelope, aad: string): Envelope {
  const { id, key } = keys[0]!;
  return { kekId: id, wrappedKey: sealText(key, unwrapDataKey(keys, envelope, aad), aad) };
}

export const encryptText = (dataKey: Buffer, plaintext: string, aad: string) => sealText(dataKey, Buffer.from(plaintext, 'utf8'), aad);
export const decryptText = (dataKey: Buffer, sealed: string, aad: string) => openText(dataKey, sealed, aad).toString('utf8');
