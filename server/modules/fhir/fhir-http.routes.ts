import { TRPCError } from '@trpc/server';
import { Hono, type Context } from 'hono';
import type { OperationOutcome } from '@medplum/fhirtypes';
import type { z } from 'zod';
import { exportFhirInput, type exportFhirOutput } from '../../../shared/schemas/fhir.ts';
import type { AppDeps } from '../../context.ts';
import { DATABASE_RETRY_AFTER_SECONDS } from '../../database-errors.ts';
import { callFailure, routerCalls, type RouterCallEnv } from '../../http/router-calls.ts';

const FHIR_JSON = 'application/fhir+json';

/** A failed call as a FHIR OperationOutcome with the tRPC code's HTTP status; never an internal detail. */
function outcome(c: Context, error: unknown, log: AppDeps['log']) {
  const { status, message } = callFailure(c, error, log, 'fhir request');
  const body: OperationOutcome = {
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: 'error',
        code: status === 404 ? 'not-found' : status === 401 || status === 403 ? 'security' : status === 400 ? 'invalid' : status === 503 ? 'transient' : 'exception',
        diagnostics: message,
      },
    ],
  };
  return c.body(JSON.stringify(body), status, { 'content-type': FHIR_JSON, ...(status === 503 && { 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) }) });
}

/**
 * FHIR's HTTP face over the same procedures the API serves, so access rules, tenant filter and audit
 * are the procedures' own: GET /fhir/Patient/{id}/$everything (`patients.fhir`), and
 * GET /fhir/$export?_type=T[&_since=instant], an NDJSON stream of `exports.fhir` pages (Bulk Data layout).
 * Authenticated like /trpc: `Authorization: Bearer` (API token or session) or the session cookie.
 */
export function fhirRoutes(deps: AppDeps, socketIp: (c: Context) => string | null) {
  const calls = routerCalls(deps, socketIp);

  return new Hono<RouterCallEnv>()
    .get('/Patient/:id/$everything', calls, async (c) => {
      try {
        const bundle = await c.var.caller.patients.fhir({ id: c.req.param('id') });
        return c.body(JSON.stringify(bundle), 200, { 'content-type': FHIR_JSON });
      } catch (error) {
        return outcome(c, error, deps.log);
      }
    })
    .get('/$export', calls, async (c) => {
      const parsed = exportFhirInput.omit({ cursor: true }).safeParse({ type: c.req.query('_type'), since: c.req.query('_since'), limit: 1000 });
      if (!parsed.success)
        return outcome(
          c,
          new TRPCError({ code: 'BAD_REQUEST', message: `Invalid query: ${parsed.error.issues.map((i) => `${i.path.join('.') === 'type' ? '_type' : '_since'} ${i.message}`).join('; ')}` }),
          deps.log,
        );
      const caller = c.var.caller;
      let page: z.output<typeof exportFhirOutput>;
      try {
        page = await caller.exports.fhir(parsed.data); // the first page answers auth and input errors with a status
      } catch (error) {
        return outcome(c, error, deps.log);
      }
      // Pulled a page at a time as the client reads (backpressure: memory stays flat at any size). A failure
      // mid-stream errors the body, so the client sees a broken transfer, never a short file that looks whole.
      const encoder = new TextEncoder();
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          try {
            controller.enqueue(encoder.encode(page.items.map((r) => `${JSON.stringify(r)}\n`).join('')));
            if (!page.nextCursor) return controller.close();
            page = await caller.exports.fhir({ ...parsed.data, cursor: page.nextCursor });
          } catch (error) {
            deps.log.error({ requestId: c.get('requestId'), err: { name: (error as Error).name } }, 'fhir export stream failed');
            controller.error(error);
          }
        },
      });
      return c.body(body, 200, { 'content-type': 'application/fhir+ndjson' });
    });
}
