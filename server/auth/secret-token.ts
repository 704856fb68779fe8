import { sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';

/**
 * Every bearer secret in PAMS (sessions, API tokens, invites, password resets) is `id.secret`: the id
 * finds the row, the secret is checked against its stored SHA-256 in constant time. A database leak
 * therefore leaks no usable token.
 */
export type SecretToken = { id: string; token: string; secretHash: string };

function randomBase32(bytes: number): string {
  return encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(bytes)));
}

export function hashSecret(secret: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(secret)));
}

export function generateSecretToken(prefix = ''): SecretToken {
  const id = randomBase32(15); // 24 chars
  const secret = randomBase32(20); // 160 bits
  return { id, token: `${prefix}${id}.${secret}`, secretHash: hashSecret(secret) };
}

/** Splits `prefix + id.secret`; null when the shape is wrong. */
export function parseSecretToken(token: string, prefix = ''): { id: string; secret: string } | null {
  if (!token.startsWith(prefix)) return null;
  const [id, secret, extra] = token.slice(prefix.length).split('.');
  if (!id || !secret || extra !== undefined || id.length > 32 || secret.length > 64) return null;
  return { id, secret };
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const a = new TextEncoder().encode(hashSecret(secret));
  const b = new TextEncoder().encode(storedHash);
  return a.length === b.length && constantTimeEqual(a, b);
}
