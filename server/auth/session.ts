import type { EntityManager } from '@mikro-orm/postgresql';
import type pg from 'pg';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Actor, RequestMeta } from '../context.ts';
import { Session } from '../modules/auth/session.entity.ts';
import { User } from '../modules/users/user.entity.ts';
import type { PatientSignUpMode, UserRole, UserStatus } from '../../shared/enums.ts';
import { toPracticeDto } from '../modules/practices/practices.service.ts';
import { toUserDto } from '../modules/users/user.dto.ts';
import { generateSecretToken, parseSecretToken, secretMatches } from './secret-token.ts';

/** Sessions follow Lucia's design: `id.secret` to the client, SHA-256 of the secret at rest, sliding expiry. */

export const API_TOKEN_PREFIX = 'pat_';
const MFA_PENDING_TTL_MS = 10 * 60 * 1000;
const LAST_USED_PRECISION_MS = 60 * 1000;

export type SessionCookie = { set: (token: string, expiresAt: Date) => void; clear: () => void };

/** Expiry is read from the context's clock, as every check of it is, so tests move time instead of rows. */
export function createSession(em: EntityManager, user: User, { config, meta, clock }: { config: Config; meta: RequestMeta; clock: Clock }, mfaPending: boolean) {
  const { id, token, secretHash } = generateSecretToken();
  const expiresAt = new Date(clock.now().getTime() + (mfaPending ? MFA_PENDING_TTL_MS : config.sessionTtlMs));
  const session = em.create(Session, { id, user, secretHash, mfaPending, ip: meta.ip, userAgent: meta.userAgent, expiresAt });
  return { session, token };
}

type ResolveDeps = { pool: pg.Pool; config: Config; clock: Clock; cookie: SessionCookie | null };

/** Turns a bearer token (session or API token) into the acting user, or null. Tenant filters are off here. */
export async function resolveBearer(deps: ResolveDeps, token: string): Promise<Actor | null> {
  return token.startsWith(API_TOKEN_PREFIX) ? resolveApiToken(deps, token) : resolveSession(deps, token);
}

/**
 * The credential with its user and practice, in one plain query on the side pool. This runs on every
 * request, so it skips the ORM's entity hydration (most of a request's CPU otherwise: bench/results.md),
 * and it loads what `auth.me` shows, so that call needs no second query.
 */
type CredentialRow = {
  secret_hash: string;
  expires_at: Date | null;
  user_id: string;
  email: string;
  name: string | null;
  role: UserRole;
  status: UserStatus;
  mfa_enabled: boolean;
  user_created_at: Date;
  practice_id: string;
  practice_name: string;
  time_zone: string;
  mfa_required: boolean;
  review_extracted_steps: boolean;
  auto_accept_care_requests: boolean;
  cancellation_window_hours: number;
  hl7_sending_application: string | null;
  hl7_sending_facility: string | null;
  patient_sign_up: PatientSignUpMode;
  slug: string | null;
  emergency_number: string;
  sos_escalation_minutes: number;
  currency: string;
  prices_include_tax: boolean;
  invoice_number_format: string;
  credit_note_number_format: string;
  charge_completed_visits: boolean;
  payment_terms_days: number;
  practice_created_at: Date;
};
const credentialQuery = (table: 'session' | 'api_token', extra: string) =>
  `select c.secret_hash, c.expires_at, ${extra},
          u.id as user_id, u.email, u.name, u.role, u.status, u.mfa_enabled, u.created_at as user_created_at,
          p.id as practice_id, p.name as practice_name, p.time_zone, p.mfa_required, p.review_extracted_steps, p.auto_accept_care_requests, p.cancellation_window_hours, p.hl7_sending_application, p.hl7_sending_facility, p.patient_sign_up, p.slug, p.emergency_number, p.sos_escalation_minutes, p.currency, p.prices_include_tax, p.invoice_number_format, p.credit_note_number_format, p.charge_completed_visits, p.payment_terms_days, p.created_at as practice_created_at
   from "${table}" c join users u on u.id = c.user_id join practice p on p.id = u.practice_id where c.id = $1`;
const sessionQuery = credentialQuery('session', 'c.mfa_pending');
const apiTokenQuery = credentialQuery('api_token', 'c.revoked_at, c.last_used_at');

async function resolveSession({ pool, config, clock, cookie }: ResolveDeps, token: string): Promise<Actor | null> {
  const parsed = parseSecretToken(token);
  if (!parsed) return null;
  const {
    rows: [row],
  } = await pool.query<CredentialRow & { mfa_pending: boolean }>(sessionQuery, [parsed.id]);
  if (!row || !secretMatches(parsed.secret, row.secret_hash) || row.status !== 'active') return null;
  const now = clock.now().getTime();
  if (row.expires_at!.getTime() <= now) {
    await pool.query('delete from session where id = $1', [parsed.id]);
    return null;
  }
  if (!row.mfa_pending && row.expires_at!.getTime() - now < config.sessionTtlMs / 2) {
    const renewed = new Date(now + config.sessionTtlMs);
    await pool.query('update session set expires_at = $2 where id = $1', [parsed.id, renewed]);
    cookie?.set(token, renewed);
  }
  return actorOf(row, { sessionId: parsed.id, tokenId: null, mfaPending: row.mfa_pending });
}

async function resolveApiToken({ pool, clock }: ResolveDeps, token: string): Promise<Actor | null> {
  const parsed = parseSecretToken(token, API_TOKEN_PREFIX);
  if (!parsed) return null;
  const {
    rows: [row],
  } = await pool.query<CredentialRow & { revoked_at: Date | null; last_used_at: Date | null }>(apiTokenQuery, [parsed.id]);
  const now = clock.now().getTime();
  if (!row || row.revoked_at || (row.expires_at && row.expires_at.getTime() <= now)) return null;
  if (!secretMatches(parsed.secret, row.secret_hash) || row.status !== 'active') return null;
  if (!row.last_used_at || now - row.last_used_at.getTime() > LAST_USED_PRECISION_MS) {
    await pool.query('update api_token set last_used_at = $2 where id = $1', [parsed.id, new Date(now)]);
  }
  return actorOf(row, { sessionId: null, tokenId: parsed.id, mfaPending: false });
}

function actorOf(row: CredentialRow, via: Pick<Actor, 'sessionId' | 'tokenId' | 'mfaPending'>): Actor {
  return actorFor(
    { id: row.user_id, email: row.email, name: row.name, role: row.role, status: row.status, mfaEnabled: row.mfa_enabled, createdAt: row.user_created_at },
    {
      id: row.practice_id,
      name: row.practice_name,
      timeZone: row.time_zone,
      mfaRequired: row.mfa_required,
      reviewExtractedSteps: row.review_extracted_steps,
      autoAcceptCareRequests: row.auto_accept_care_requests,
      cancellationWindowHours: row.cancellation_window_hours,
      hl7SendingApplication: row.hl7_sending_application,
      hl7SendingFacility: row.hl7_sending_facility,
      patientSignUp: row.patient_sign_up,
      slug: row.slug,
      emergencyNumber: row.emergency_number,
      sosEscalationMinutes: row.sos_escalation_minutes,
      currency: row.currency,
      pricesIncludeTax: row.prices_include_tax,
      invoiceNumberFormat: row.invoice_number_format,
      creditNoteNumberFormat: row.credit_note_number_format,
      chargeCompletedVisits: row.charge_completed_visits,
      paymentTermsDays: row.payment_terms_days,
      createdAt: row.practice_created_at,
    },
    via,
  );
}

function actorFor(user: Parameters<typeof toUserDto>[0], practice: Parameters<typeof toPracticeDto>[0], via: Pick<Actor, 'sessionId' | 'tokenId' | 'mfaPending'>): Actor {
  return {
    userId: user.id,
    practiceId: practice.id,
    role: user.role,
    ...via,
    mfaEnrolmentRequired: Boolean(practice.mfaRequired) && !user.mfaEnabled,
    identity: { user: toUserDto(user), practice: toPracticeDto(practice) },
  };
}

/**
 * The actor of work done for a user outside a request (the bench's in-process EXPLAIN runs): that user
 * as their credential would make them, an active user of their practice, with no session or token.
 */
export async function localActor(em: EntityManager, userId: string): Promise<Actor> {
  const user = await em.findOneOrFail(User, { id: userId, status: 'active' }, { populate: ['practice'], filters: false });
  return actorFor(user, user.practice, { sessionId: null, tokenId: null, mfaPending: false });
}

/** Every session of a user dies on password change, reset or deactivation (except, on change, the caller's). */
export async function invalidateUserSessions(em: EntityManager, userId: string, keepSessionId?: string | null): Promise<void> {
  await em.nativeDelete(Session, { user: userId, ...(keepSessionId ? { id: { $ne: keepSessionId } } : {}) });
}
