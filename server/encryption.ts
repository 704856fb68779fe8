import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Config } from './config.ts';

type Keys = Config['encryptionKeys'];

/**
 * AES-256-GCM under the first (newest) key of PAMS_ENCRYPTION_KEYS. The stored form names its key,
 * `keyId:iv:ciphertext:tag` in base64, so older keys keep decrypting after a new one is added.
 */
export function encryptString(keys: Keys, plaintext: string): string {
  const { id, key } = keys[0]!;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [id, iv.toString('base64'), ciphertext.toString('base64'), cipher.getAuthTag().toString('base64')].join(':');
}

export function decryptString(keys: Keys, stored: string): string {
  const [id, iv, ciphertext, tag] = stored.split(':');
  const key = keys.find((k) => k.id === id)?.key;
  if (!key || !iv || !ciphertext || !tag) throw new Error(`No encryption key "${id}" in PAMS_ENCRYPTION_KEYS`);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]).toString('utf8');
}
