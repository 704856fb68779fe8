import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Config } from './config.ts';

export type EncryptionKeys = Config['encryptionKeys'];

/** One AES-256-GCM ciphertext: its random 96-bit IV, the ciphertext and the authentication tag. */
export type Sealed = { iv: Buffer; ciphertext: Buffer; tag: Buffer };

/** AES-256-GCM, the one cipher of PAMS; `aad` binds the ciphertext to its context (empty: bound to none). */
export function seal(key: Buffer, plaintext: Buffer, aad = ''): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ciphertext, tag: cipher.getAuthTag() };
}

/** A stored ciphertext names a key that PAMS_ENCRYPTION_KEYS lacks: a configuration error, the data may be fine. */
export class MissingKeyError extends Error {}

/**
 * A stored ciphertext that does not decrypt: malformed, altered, or sealed under other bytes than the key
 * of its name now has (GCM cannot tell those two apart). The key named is there; the data is what is wrong.
 */
export class CorruptCiphertextError extends Error {}

/** The plaintext of `seal`; throws `CorruptCiphertextError` if the key, the AAD or any byte differs. */
export function open(key: Buffer, { iv, ciphertext, tag }: Sealed, aad = ''): Buffer {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch (e) {
    throw new CorruptCiphertextError('Ciphertext does not authenticate: altered, or sealed under other bytes than its key has now', { cause: e });
  }
}

/** The key of PAMS_ENCRYPTION_KEYS named `id`. */
export function encryptionKey(keys: EncryptionKeys, id: string | undefined): Buffer {
  const key = keys.find((k) => k.id === id)?.key;
  if (!key) throw new MissingKeyError(`No encryption key "${id}" in PAMS_ENCRYPTION_KEYS`);
  return key;
}

/**
 * A string encrypted under the first (newest) key of PAMS_ENCRYPTION_KEYS. The stored form names its key,
 * `keyId:iv:ciphertext:tag` in base64, so older keys keep decrypting after a new one is added.
 */
export function encryptString(keys: EncryptionKeys, plaintext: string): string {
  const { id, key } = keys[0]!;
  const { iv, ciphertext, tag } = seal(key, Buffer.from(plaintext, 'utf8'));
  return [id, iv.toString('base64'), ciphertext.toString('base64'), tag.toString('base64')].join(':');
}

export function decryptString(keys: EncryptionKeys, stored: string): string {
  const [id, iv, ciphertext, tag, ...rest] = stored.split(':');
  if (!iv || !ciphertext || !tag || rest.length) throw new CorruptCiphertextError('Malformed ciphertext: not keyId:iv:ciphertext:tag');
  const key = encryptionKey(keys, id);
  return open(key, { iv: Buffer.from(iv, 'base64'), ciphertext: Buffer.from(ciphertext, 'base64'), tag: Buffer.from(tag, 'base64') }).toString('utf8');
}
