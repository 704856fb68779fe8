import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config.ts';
import type { Actor, RequestMeta } from '../context.ts';
import { Session } from '../modules/auth/session.entity.ts';
import { ApiToken } from '../modules/tokens/api-token.entity.ts';
import type { User } from '../modules/users/user.entity.ts';
import { generateSecretToken, parseSecretToken, secretMatches } from './secret-token.ts';

/** Sessions follow Lucia's design: `id.secret` to the client, SHA-256 of the secret at rest, sliding expiry. */

export const API_TOKEN_PREFIX = 'pat_';
const MFA_PENDING_TTL_MS = 10 * 60 * 1000;
const LAST_USED_PRECISION_MS = 60 * 1000;

export type SessionCookie = { set: (token: string, expiresAt: Date) => void; clear: () => void };

export function createSession(em: EntityManager, user: User, config: Config, meta: RequestMeta, mfaPending: boolean) {
  const { id, token, secretHash } = generateSecretToken();
  const expiresAt = new Date(Date.now() + (mfaPending ? MFA_PENDING_TTL_MS : config.sessionTtlMs));
  const session = em.create(Session, { id, user, secretHash, mfaPending, ip: meta.ip, userAgent: meta.userAgent, expiresAt });
  return { session, token };
}

type ResolveDeps = { em: EntityManager; config: Config; cookie: SessionCookie | null };

/** Turns a bearer token (session or API token) into the acting user, or null. Tenant filters are off here. */
export async function resolveBearer(deps: ResolveDeps, token: string): Promise<Actor | null> {
  return token.startsWith(API_TOKEN_PREFIX) ? resolveApiToken(deps, token) : resolveSession(deps, token);
}

async function resolveSession({ em, config, cookie }: ResolveDeps, token: string): Promise<Actor | null> {
  const parsed = parseSecretToken(token);
  if (!parsed) return null;
  const session = await em.findOne(Session, { id: parsed.id }, { populate: ['user', 'user.practice'], filters: false });
  const now = Date.now();
  if (!session || !secretMatches(parsed.secret, session.secretHash) || session.user.status !== 'active') return null;
  if (session.expiresAt.getTime() <= now) {
    await em.nativeDelete(Session, { id: session.id });
    return null;
  }
  if (!session.mfaPending && session.expiresAt.getTime() - now < config.sessionTtlMs / 2) {
    const expiresAt = new Date(now + config.sessionTtlMs);
    await em.nativeUpdate(Session, { id: session.id }, { expiresAt });
    cookie?.set(token, expiresAt);
  }
  return actorOf(session.user, { sessionId: session.id, tokenId: null, mfaPending: session.mfaPending });
}

async function resolveApiToken({ em }: ResolveDeps, token: string): Promise<Actor | null> {
  const parsed = parseSecretToken(token, API_TOKEN_PREFIX);
  if (!parsed) return null;
  const apiToken = await em.findOne(ApiToken, { id: parsed.id }, { populate: ['user', 'user.practice'], filters: false });
  const now = new Date();
  if (!apiToken || apiToken.revokedAt || (apiToken.expiresAt && apiToken.expiresAt <= now)) return null;
  if (!secretMatches(parsed.secret, apiToken.secretHash) || apiToken.user.status !== 'active') return null;
  if (!apiToken.lastUsedAt || now.getTime() - apiToken.lastUsedAt.getTime() > LAST_USED_PRECISION_MS) {
    await em.nativeUpdate(ApiToken, { id: apiToken.id }, { lastUsedAt: now });
  }
  return actorOf(apiToken.user, { sessionId: null, tokenId: apiToken.id, mfaPending: false });
}

function actorOf(user: User, via: Pick<Actor, 'sessionId' | 'tokenId' | 'mfaPending'>): Actor {
  return {
    userId: user.id,
    practiceId: user.practice.id,
    role: user.role,
    ...via,
    mfaEnrolmentRequired: user.practice.mfaRequired && !user.mfaEnabled,
  };
}

/** Every session of a user dies on password change, reset or deactivation (except, on change, the caller's). */
export async function invalidateUserSessions(em: EntityManager, userId: string, keepSessionId?: string | null): Promise<void> {
  await em.nativeDelete(Session, { user: userId, ...(keepSessionId ? { id: { $ne: keepSessionId } } : {}) });
}
