import type { EntityManager } from '@mikro-orm/postgresql';
import type { Context as HonoContext } from 'hono';
import { getCookie } from 'hono/cookie';
import type { UserRole } from '../shared/enums.ts';
import type { ErrorReason } from '../shared/errors.ts';
import { resolveBearer, type SessionCookie } from './auth/session.ts';
import type { Config } from './config.ts';
import { databaseUnavailable, type AppError } from './errors.ts';
import type { Logger } from './logger.ts';
import type { Mailer } from './mailer.ts';
import type { LoginLimiter } from './modules/auth/login-limiter.ts';
import type { Orm } from './orm.ts';
import type pg from 'pg';
import type { Agenda } from 'agenda';
import type { Clock } from './clock.ts';
import type { FileStore } from './modules/files/file-store.ts';
import type { PracticeOutput } from '../shared/schemas/practices.ts';
import { practiceEm } from './tenant-filter.ts';
import type { UserOutput } from '../shared/schemas/users.ts';
import type { LiveStreams } from './modules/notifications/live-streams.ts';

export const SESSION_COOKIE = 'pams_session';

/** Who is calling: always a user of exactly one practice. */
export type Actor = {
  userId: string;
  practiceId: string;
  role: UserRole;
  sessionId: string | null;
  tokenId: string | null;
  /** Password accepted, TOTP step still owed. */
  mfaPending: boolean;
  /** The practice requires MFA and this user has not enrolled yet. */
  mfaEnrolmentRequired: boolean;
  /** The user and practice as loaded with the credential, for `auth.me`. */
  identity: { user: UserOutput; practice: PracticeOutput };
};

export type RequestMeta = { requestId: string; ip: string | null; userAgent: string | null };

/** What every service receives: its own EntityManager fork, the caller, and the process's shared parts. */
export type Ctx = {
  em: EntityManager;
  log: Logger;
  config: Config;
  mailer: Mailer;
  loginLimiter: LoginLimiter;
  meta: RequestMeta;
  actor: Actor | null;
  authError: ErrorReason | null;
  /** Set when the credential lookup found the database unavailable; every procedure then answers it (trpc.ts). */
  unavailable: AppError | null;
  cookie: SessionCookie;
  /** The job queue, to enqueue work after a commit. */
  agenda: Agenda;
  clock: Clock;
  /** This process's open notification streams (notifications.stream registers there). */
  live: LiveStreams;
  /** Headers of this HTTP response (a `Retry-After`, the session cookie). */
  resHeaders: Headers;
};
export type AuthedCtx = Ctx & { actor: Actor };

/** `pool` is the side pool: credential lookups on every request use it directly (see auth/session.ts). */
export type AppDeps = { orm: Orm; pool: pg.Pool; config: Config; log: Logger; mailer: Mailer; loginLimiter: LoginLimiter; agenda: Agenda; clock: Clock; files: FileStore; live: LiveStreams };

export function clientIp(c: HonoContext, trustProxy: boolean, socketIp: string | null): string | null {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded.slice(0, 64);
  }
  return socketIp;
}

/** The credential a request carries: a Bearer token, else the session cookie. Not yet checked. */
export function presentedCredential(c: HonoContext): { bearer: string | undefined; fromCookie: string | undefined } {
  const bearer = c.req.header('authorization')?.match(/^Bearer\s+(\S+)$/i)?.[1];
  return { bearer, fromCookie: bearer ? undefined : getCookie(c, SESSION_COOKIE) };
}

/** The process's shared parts a Ctx is made of, with or without an HTTP request. */
export type ServiceDeps = Pick<AppDeps, 'orm' | 'config' | 'log' | 'mailer' | 'loginLimiter' | 'agenda' | 'clock' | 'live'>;

/** Who acts, and what a request brought with it; a caller outside a request gives the first two only. */
export type CallOrigin = {
  actor: Actor | null;
  meta: RequestMeta;
  authError?: ErrorReason | null;
  unavailable?: AppError | null;
  cookie?: SessionCookie;
  resHeaders?: Headers;
};

/** Outside a request there is no browser to keep a cookie for. */
const noCookie: SessionCookie = { set: () => {}, clear: () => {} };

/**
 * A Ctx from its parts, with no HTTP request (tRPC's `createContextInner`): createContext below builds
 * one from a request; work outside a request (the bench's EXPLAIN runs, a test) builds one directly and
 * says so by the actor it gives. Its EntityManager is scoped to the actor's practice.
 */
export function createContextInner(deps: ServiceDeps, { actor, meta, authError = null, unavailable = null, cookie = noCookie, resHeaders = new Headers() }: CallOrigin): Ctx {
  // Each procedure call forks its own unit of work from this one (trpc.ts).
  const em = actor ? practiceEm(deps.orm.em, actor.practiceId) : (deps.orm.em.fork() as EntityManager);
  return {
    em,
    log: deps.log.child(actor ? { requestId: meta.requestId, actorId: actor.userId } : { requestId: meta.requestId }),
    config: deps.config,
    mailer: deps.mailer,
    loginLimiter: deps.loginLimiter,
    meta,
    actor,
    authError,
    unavailable,
    cookie,
    agenda: deps.agenda,
    clock: deps.clock,
    live: deps.live,
    resHeaders,
  };
}

/** The Ctx of an HTTP request: its credential checked (and a session renewed through `resHeaders`), its request id, its client. */
export async function createContext(deps: AppDeps, c: HonoContext, resHeaders: Headers, socketIp: string | null): Promise<Ctx> {
  const meta: RequestMeta = {
    requestId: c.get('requestId'),
    ip: clientIp(c, deps.config.trustProxy, socketIp),
    userAgent: c.req.header('user-agent')?.slice(0, 300) ?? null,
  };
  const secure = deps.config.env === 'production';
  const cookie: SessionCookie = {
    set: (token, expiresAt) => resHeaders.append('Set-Cookie', `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Expires=${expiresAt.toUTCString()}${secure ? '; Secure' : ''}`),
    clear: () => resHeaders.append('Set-Cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secure ? '; Secure' : ''}`),
  };

  const { bearer, fromCookie } = presentedCredential(c);
  let actor: Actor | null = null;
  let authError: ErrorReason | null = null;
  let unavailable: AppError | null = null;
  if (fromCookie && c.req.method !== 'GET' && c.req.method !== 'HEAD' && !originAllowed(c, deps.config)) {
    authError = 'origin-mismatch'; // cookie-authenticated mutations must come from our own origin
  } else if (bearer ?? fromCookie) {
    try {
      actor = await resolveBearer({ pool: deps.pool, config: deps.config, clock: deps.clock, cookie: fromCookie ? cookie : null }, (bearer ?? fromCookie)!);
    } catch (e) {
      // Thrown here it would be a 500 without the request id: kept for the procedure to answer (a 503).
      unavailable = databaseUnavailable(e);
      if (!unavailable) throw e;
    }
  }
  return createContextInner(deps, { actor, meta, authError, unavailable, cookie, resHeaders });
}

/**
 * Whether a browser request comes from our own origin, APP_URL's or ALLOWED_ORIGINS (CSRF: /trpc's cookie
 * calls, the mail-link pages). Browsers set `Sec-Fetch-Site` and `Origin` themselves; a page script cannot.
 * `same-origin` is enough on its own: under `Referrer-Policy: no-referrer` (secureHeaders' default)
 * Chromium sends `Origin: null` on a form POST from our own page.
 */
export function originAllowed(c: HonoContext, config: Config): boolean {
  if (c.req.header('sec-fetch-site') === 'same-origin') return true;
  const origin = c.req.header('origin');
  if (!origin) return false;
  const allowed = new Set([new URL(c.req.url).origin, new URL(config.appUrl).origin, ...config.allowedOrigins]);
  return allowed.has(origin);
}
