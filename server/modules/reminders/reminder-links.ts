import { hmac } from '@oslojs/crypto/hmac';
import { SHA256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding } from '@oslojs/encoding';
import { z } from 'zod';
import type { EncryptionKeys } from '../../encryption.ts';

/** How long a check-in link works after its mail was sent. */
export const CHECK_IN_LINK_TTL_MS = 48 * 3_600_000;

/**
 * What a reminder mail's links say, signed: ids only (no name, no title), so the URL carries no PHI.
 * A check-in link names the plan item and the day it reminded of and expires; an unsubscribe link names
 * the patient and does not (RFC 8058 links are followed long after the mail came).
 */
const claims = z.discriminatedUnion('purpose', [
  z.object({ purpose: z.literal('check-in'), practiceId: z.uuid(), patientId: z.uuid(), stepId: z.uuid(), localDay: z.iso.date(), expiresAt: z.number().int() }),
  z.object({ purpose: z.literal('unsubscribe'), practiceId: z.uuid(), patientId: z.uuid() }),
]);
export type LinkClaims = z.infer<typeof claims>;
export type CheckInClaims = Extract<LinkClaims, { purpose: 'check-in' }>;

/** Why a link is refused, each told to its reader in its own words. */
export type LinkProblem = 'malformed' | 'tampered' | 'old-key' | 'expired';

/**
 * The link key of one encryption key: an HMAC of a fixed label under it, so links need no secret of their
 * own and nothing signed with it can be mistaken for anything else the key protects.
 */
const linkKey = (key: Buffer) => hmac(SHA256, key, new TextEncoder().encode('pams mail link v1'));

/**
 * `<keyId>.<claims as base64url JSON>.<HMAC-SHA256>`, signed with the first (newest) key of
 * PAMS_ENCRYPTION_KEYS. The key id travels with it, so a link signed before a rotation verifies as long
 * as its key is still listed, and says it is too old once the key is gone.
 */
export function signLink(keys: EncryptionKeys, payload: LinkClaims): string {
  const { id, key } = keys[0]!;
  const body = `${id}.${encodeBase64urlNoPadding(new TextEncoder().encode(JSON.stringify(payload)))}`;
  return `${body}.${encodeBase64urlNoPadding(hmac(SHA256, linkKey(key), new TextEncoder().encode(body)))}`;
}

/** The claims of a link of the given purpose, or why it is refused. Never throws, whatever the token. */
export function verifyLink<P extends LinkClaims['purpose']>(
  keys: EncryptionKeys,
  token: string,
  purpose: P,
  now: Date,
): { ok: true; claims: Extract<LinkClaims, { purpose: P }> } | { ok: false; problem: LinkProblem } {
  const parts = token.split('.');
  if (parts.length !== 3 || token.length > 2000) return { ok: false, problem: 'malformed' };
  const [keyId, encoded, mac] = parts as [string, string, string];
  let given: Uint8Array;
  let json: unknown;
  try {
    given = decodeBase64urlIgnorePadding(mac);
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(decodeBase64urlIgnorePadding(encoded)));
  } catch {
    return { ok: false, problem: 'malformed' };
  }
  const key = keys.find((k) => k.id === keyId)?.key;
  if (!key) return { ok: false, problem: 'old-key' };
  const expected = hmac(SHA256, linkKey(key), new TextEncoder().encode(`${keyId}.${encoded}`));
  if (given.length !== expected.length || !constantTimeEqual(given, expected)) return { ok: false, problem: 'tampered' };
  const parsed = claims.safeParse(json);
  // Signed by us but not for this page (an unsubscribe link posted to /check-in): as good as altered.
  if (!parsed.success || parsed.data.purpose !== purpose) return { ok: false, problem: 'tampered' };
  if (parsed.data.purpose === 'check-in' && parsed.data.expiresAt <= now.getTime()) return { ok: false, problem: 'expired' };
  return { ok: true, claims: parsed.data as Extract<LinkClaims, { purpose: P }> };
}
