import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Config } from './config.ts';

type Keys = Config['encryptionKeys'];

/**
 * Envelope encryption: each sealed item has its own random data key, which encrypts the content; the data
 * key is stored wrapped by a key-encryption key (KEK) of PAMS_ENCRYPTION_KEYS, named by `kekId`. Rotating
 * the KEK re-wraps 32-byte data keys and never touches the content. Every ciphertext is bound to its row
 * by `aad` (the row id), so ciphertexts cannot be swapped between rows. AES-256-GCM throughout; stored as
 * base64 `iv.ciphertext.tag`.
 */
export type Envelope = { kekId: string; wrappedKey: string };

function seal(key: Buffer, plaintext: Buffer, aad: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return [iv, ciphertext, cipher.getAuthTag()].map((b) => b.toString('base64')).join('.');
}

function open(key: Buffer, sealed: string, aad: string): Buffer {
  const [iv, ciphertext, tag] = sealed.split('.').map((part) => Buffer.from(part, 'base64'));
  if (!iv || !ciphertext || !tag) throw new Error('Malformed ciphertext');
  const decipher = createDecipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}

function kek(keys: Keys, id: string): Buffer {
  const key = keys.find((k) => k.id === id)?.key;
  if (!key) throw new Error(`No encryption key "${id}" in PAMS_ENCRYPTION_KEYS`);
  return key;
}

/** A new data key, wrapped under the newest KEK. */
export function newDataKey(keys: Keys, aad: string): { dataKey: Buffer; envelope: Envelope } {
  const dataKey = randomBytes(32);
  const { id } = keys[0]!;
  return { dataKey, envelope: { kekId: id, wrappedKey: seal(kek(keys, id), dataKey, aad) } };
}

export function unwrapDataKey(keys: Keys, envelope: Envelope, aad: string): Buffer {
  return open(kek(keys, envelope.kekId), envelope.wrappedKey, aad);
}

/** The same data key, wrapped under the newest KEK instead. */
export function rewrapDataKey(keys: Keys, envelope: Envelope, aad: string): Envelope {
  const { id } = keys[0]!;
  return { kekId: id, wrappedKey: seal(kek(keys, id), unwrapDataKey(keys, envelope, aad), aad) };
}

export const encryptText = (dataKey: Buffer, plaintext: string, aad: string) => seal(dataKey, Buffer.from(plaintext, 'utf8'), aad);
export const decryptText = (dataKey: Buffer, sealed: string, aad: string) => open(dataKey, sealed, aad).toString('utf8');
