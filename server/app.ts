import { trpcServer } from '@hono/trpc-server';
import { Hono, type Context } from 'hono';
import type { RequestIdVariables } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { clientIp, createContext, type AppDeps, type CallerVariables } from './context.ts';
import { databaseUnavailable, RetryLaterError } from './errors.ts';
import { admission } from './http/admission.ts';
import { batchLimit } from './http/batch-limit.ts';
import { bodyLimits } from './http/body-limit.ts';
import { credentialedCors, requestId } from './http/response-headers.ts';
import { jsonOnly } from './http/json-only.ts';
import { apiRateLimit } from './http/rate-limit.ts';
import { utf8Body } from './http/utf8-body.ts';
import { fhirRoutes } from './modules/fhir/fhir-http.routes.ts';
import { filesRoutes } from './modules/files/files-http.routes.ts';
import { openApiRoutes } from './modules/openapi/openapi.routes.ts';
import { hl7Routes } from './modules/hl7/hl7-http.routes.ts';
import { stripeWebhookRoutes } from './modules/billing/stripe-http.routes.ts';
import { pagesRoutes } from './modules/pages/pages-http.routes.ts';
import { httpMetrics } from './observability/metrics-http.ts';
import { publicMetricsRoutes } from './observability/metrics-server.ts';
import { appRouter } from './root-router.ts';

type Env = { Variables: RequestIdVariables & CallerVariables; Bindings: { incoming?: { socket?: { remoteAddress?: string } } } };

const socketIp = (c: Context<Env>) => c.env?.incoming?.socket?.remoteAddress ?? null;

/** The HTTP app. Pure: no I/O happens until a request arrives. */
export function createApp(deps: AppDeps) {
  const { orm, log, config } = deps;
  // Browser frontends on other origins (ALLOWED_ORIGINS, APP_URL) may call the API with their cookie.
  const corsOrigins = [new URL(config.appUrl).origin, ...config.allowedOrigins];
  let migrationsChecked = false;
  const rateLimit = apiRateLimit(deps.pool, config.apiRateLimits, (c) => clientIp(c, config.trustProxy, socketIp(c as Context<Env>)));
  // Admission comes before anything that works (the rate limit's count is a query): what waits there has cost nothing yet.
  const admit = admission(config.admission);

  return new Hono<Env>()
    .use(httpMetrics())
    .use(requestId())
    .use(secureHeaders())
    .use(async function accessLog(c, next) {
      const started = performance.now();
      await next();
      // The path only: query strings carry tRPC input, which may hold PHI. The caller by ids, when the request had one.
      log.info({ requestId: c.get('requestId'), ...c.get('caller'), method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) }, 'request');
    })
    .get('/healthz', (c) => c.json({ status: 'ok' }))
    .get('/readyz', async (c) => {
      try {
        await orm.em.getConnection().execute('select 1');
        if (!migrationsChecked) migrationsChecked = (await orm.migrator.getPending()).length === 0;
        return migrationsChecked ? c.json({ status: 'ready' }) : c.json({ status: 'migrations pending' }, 503);
      } catch {
        return c.json({ status: 'database unreachable' }, 503);
      }
    })
    .route('/', publicMetricsRoutes(deps.metrics, config.metrics.token))
    .use(
      '/trpc/*',
      credentialedCors({
        origin: corsOrigins,
        allowHeaders: ['content-type', 'authorization', 'x-request-id'],
        exposeHeaders: ['x-request-id', 'retry-after', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'],
      }),
    )
    .use(
      '/files/*',
      credentialedCors({
        origin: corsOrigins,
        allowHeaders: ['content-type', 'authorization', 'x-request-id'],
        exposeHeaders: ['x-request-id', 'retry-after', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'content-disposition', 'etag'],
      }),
    )
    .use('/trpc/*', admit)
    .use('/trpc/*', rateLimit)
    .use('/files/*', rateLimit)
    .use('/fhir/*', rateLimit)
    .use('/hl7/*', rateLimit)
    .use('/trpc/*', batchLimit(config.maxBatchCalls))
    .use(bodyLimits(config.bodyLimits))
    .use(utf8Body()) // after the body-size limit: it buffers the (then bounded) textual body
    .use('/trpc/*', jsonOnly())
    .use(
      '/trpc/*',
      trpcServer({
        router: appRouter,
        createContext: (opts, c) => createContext(deps, c, opts.resHeaders, socketIp(c as Context<Env>)),
        onError({ error, path, ctx }) {
          if (error.code !== 'INTERNAL_SERVER_ERROR') return;
          // Name, database code and frames only: a message may quote input values (PHI).
          const cause = error.cause as (Error & { code?: string }) | undefined;
          log.error({ requestId: ctx?.meta.requestId, path, err: { name: cause?.name, code: cause?.code, stack: cause?.stack?.split('\n').slice(1, 8).join('\n') } }, 'unexpected error');
        },
      }),
    )
    .route('/fhir', fhirRoutes(deps, socketIp))
    .route('/files', filesRoutes(deps, socketIp))
    .route('/', openApiRoutes(config.appUrl))
    .route(
      '/hl7',
      hl7Routes(deps, (c) => socketIp(c as Context<Env>)),
    )
    .route(
      '/webhooks',
      stripeWebhookRoutes(deps, (c) => socketIp(c as Context<Env>)),
    )
    .route(
      '/',
      pagesRoutes(deps, (c) => socketIp(c as Context<Env>)),
    )
    .notFound((c) => c.json({ error: 'not found', requestId: c.get('requestId') }, 404))
    .onError((err, c) => {
      const unavailable = err instanceof RetryLaterError && err.code === 'SERVICE_UNAVAILABLE' ? err : databaseUnavailable(err);
      if (unavailable) return c.json({ error: unavailable.message, reason: unavailable.reason, requestId: c.get('requestId') }, 503, { 'retry-after': String(unavailable.retryAfterSeconds) });
      return c.json({ error: 'internal server error', requestId: c.get('requestId') }, 500);
    });
}
