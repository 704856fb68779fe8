import { NotFoundError, UniqueConstraintViolationException } from '@mikro-orm/core';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { initTRPC, isTrackedEnvelope, tracked, TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { ZodError, type z } from 'zod';
import type { UserRole } from '../shared/enums.ts';
import type { PamsErrorData } from '../shared/errors.ts';
import type { Actor, Ctx } from './context.ts';
import { AppError, databaseUnavailable, RetryLaterError } from './errors.ts';
import { childrenOf, procedureDuration } from './observability/metrics.ts';
import { practiceEm } from './tenant-filter.ts';

export type Meta = {
  /** Callable by a user who must enrol in MFA (practice policy) but has not yet: auth and MFA set-up. */
  allowWithoutMfa?: boolean;
  /**
   * Reads or writes a patient's data, so every successful call leaves an audit row (the service writes it;
   * tests/audit-walk.test.ts calls each such procedure and checks, and fails on one that returns a patient's data unmarked).
   */
  phi?: boolean;
  /**
   * A subscription's event schema: what `.output` is to a call (a subscription cannot have one: tRPC would
   * parse the stream itself). Each event is checked against it, and the client package declares it.
   */
  events?: z.ZodType;
};

function fieldErrorsOf(error: ZodError): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.join('.') || '_';
    (fields[key] ??= []).push(issue.message);
  }
  return fields;
}

const t = initTRPC
  .context<Ctx>()
  .meta<Meta>()
  .create({
    isDev: false, // never a stack trace in a response
    // Subscriptions (notifications.stream): a ping every 10 s keeps proxies from closing an idle stream,
    // and a client that hears nothing for 30 s reconnects (with its last event id).
    sse: { ping: { enabled: true, intervalMs: 10_000 }, client: { reconnectAfterInactivityMs: 30_000 } },
    errorFormatter({ shape, error, ctx }) {
      const zod = error.cause instanceof ZodError ? error.cause : null;
      const appError = error.cause instanceof AppError ? error.cause : null;
      const internal = error.code === 'INTERNAL_SERVER_ERROR';
      const data: PamsErrorData & { code: string; httpStatus: number; path?: string } = {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        requestId: ctx?.meta.requestId ?? null,
        reason: appError?.reason ?? null,
        fieldErrors: zod ? fieldErrorsOf(zod) : (appError?.fieldErrors ?? null),
      };
      const message = internal ? 'Internal server error' : zod ? 'Invalid input' : shape.message;
      return { code: shape.code, message, data };
    },
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** A domain error as the tRPC error it stands for, or null for one that stays internal. */
function trpcErrorOf(error: unknown): TRPCError | null {
  // A database that is away or too slow is no fault of the call: a typed 503 it may retry.
  const cause = databaseUnavailable(error) ?? error;
  if (cause instanceof AppError) return new TRPCError({ code: cause.code, message: cause.message, cause });
  if (cause instanceof NotFoundError) return new TRPCError({ code: 'NOT_FOUND', message: 'Not found', cause });
  if (cause instanceof UniqueConstraintViolationException) return new TRPCError({ code: 'CONFLICT', message: 'Already exists', cause });
  return null;
}

/**
 * A subscription's events, each checked against its `events` schema (as `.output` checks a call's answer),
 * and what it throws while it runs converted as a call's errors are: errorConversion has returned by then.
 */
async function* streamed(events: AsyncIterable<unknown>, schema: z.ZodType | undefined) {
  try {
    for await (const event of events) {
      if (!schema) yield event;
      else yield isTrackedEnvelope(event) ? tracked(event[0], schema.parse(event[1])) : schema.parse(event);
    }
  } catch (e) {
    throw trpcErrorOf(e) ?? e;
  }
}

/** Domain errors become tRPC errors here, and only here. */
const errorConversion = t.middleware(async function convertErrors({ ctx, meta, next }) {
  const result = await next();
  if (result.ok) return isAsyncIterable(result.data) ? { ...result, data: streamed(result.data, meta?.events) } : result;
  const converted = trpcErrorOf(result.error.cause);
  if (converted) {
    if (converted.cause instanceof RetryLaterError) ctx.resHeaders.set('Retry-After', String(converted.cause.retryAfterSeconds));
    result.error = converted;
  }
  return result;
});

const tracer = trace.getTracer('pams');

/**
 * A span per call, `trpc <path>`, under the request's HTTP span and over the call's queries. Without the
 * SDK (tracing off) the API hands out one non-recording span and no context is stored: a few allocations.
 * A failure carries its tRPC code; only a server fault (5xx) marks the span as an error, as a 4xx is the
 * caller's. A subscription's span covers its set-up, not the stream.
 */
const tracedCall = t.middleware(function traceCall({ path, type, next }) {
  return tracer.startActiveSpan(`trpc ${path}`, { attributes: { 'rpc.system': 'trpc', 'rpc.method': path, 'rpc.trpc.type': type } }, async (span) => {
    try {
      const result = await next();
      if (!result.ok) {
        span.setAttribute('error.type', result.error.code);
        if (getHTTPStatusCodeFromError(result.error) >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      }
      return result;
    } finally {
      span.end();
    }
  });
});

const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> => value != null && typeof value === 'object' && Symbol.asyncIterator in value;

/**
 * Each call gets its own EntityManager: calls batched into one HTTP request must not share a unit of
 * work, or a call that failed after persisting something could have it flushed by the next one. When
 * the credential lookup before the call (createContext) could not reach the database, neither does the call.
 * Middlewares hand on only what they change: tRPC copies the whole context at each one that passes any.
 */
const unitOfWork = t.middleware(function forkPerCall({ ctx, next }) {
  if (ctx.unavailable) throw ctx.unavailable;
  return next({ ctx: { em: ctx.actor ? practiceEm(ctx.em, ctx.actor.practiceId) : ctx.em.fork({ clear: true }) } });
});

const procedureTimings = childrenOf(procedureDuration);

/**
 * Times each call, outermost so that it sees the code errorConversion gave. `path` is the procedure's
 * own (tRPC reaches a middleware only for a procedure of the router), so a made-up path adds no label
 * value. A subscription's call only opens its stream: not timed.
 */
const procedureMetrics = t.middleware(async function observeCall({ path, type, next }) {
  if (type === 'subscription') return next();
  const started = performance.now();
  const result = await next();
  procedureTimings(path, type, result.ok ? 'OK' : result.error.code).observe((performance.now() - started) / 1000);
  return result;
});

export const publicProcedure = t.procedure.use(procedureMetrics).use(tracedCall).use(errorConversion).use(unitOfWork);

/**
 * The caller, if logged in and past every required factor; else the AppError that says why not. The
 * procedures' rule (authedProcedure), and the plain-HTTP routes' that are not procedures (POST /files).
 */
export function authedActor(ctx: Ctx, { allowWithoutMfa = false } = {}): Actor {
  if (ctx.unavailable) throw ctx.unavailable;
  if (ctx.authError) throw new AppError('FORBIDDEN', 'Request origin not allowed', ctx.authError);
  const actor = ctx.actor;
  if (!actor) throw new AppError('UNAUTHORIZED', 'Not logged in');
  if (actor.mfaPending) throw new AppError('UNAUTHORIZED', 'Enter your authentication code first', 'mfa-required');
  if (actor.mfaEnrolmentRequired && !allowWithoutMfa) {
    throw new AppError('FORBIDDEN', 'Your practice requires two-factor authentication: enrol first', 'mfa-enrolment-required');
  }
  return actor;
}

/** A logged-in caller who has passed every required factor. */
export const authedProcedure = publicProcedure.use(function requireActor({ ctx, meta, next }) {
  return next({ ctx: { actor: authedActor(ctx, { allowWithoutMfa: meta?.allowWithoutMfa }) } });
});

/**
 * A procedure's role is said here, once, where it is declared: services do not check it again, and keep
 * only their finer rules (a clinician's own schedule, a note's author, the care team).
 */
function withRoles(roles: readonly UserRole[]) {
  return authedProcedure.use(function requireRole({ ctx, next }) {
    if (!roles.includes(ctx.actor.role)) throw new AppError('FORBIDDEN', `Only ${roles.join(' or ')} users may do this`);
    return next();
  });
}

export const adminProcedure = withRoles(['admin']);
export const clinicianProcedure = withRoles(['clinician', 'admin']);
export const patientProcedure = withRoles(['patient']);
