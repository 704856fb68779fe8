import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Config } from '../config.ts';
import { errorResponse } from './error-response.ts';

/** Whether a /trpc request calls this procedure (alone or in a batch). */
function callsProcedure(c: Context, procedure: string): boolean {
  if (!c.req.path.startsWith('/trpc/')) return false;
  try {
    return decodeURIComponent(c.req.path.slice('/trpc/'.length)).split(',').includes(procedure);
  } catch {
    return false; // tRPC refuses the path itself
  }
}

/**
 * The request body limit of every route, enforced while the body is read (hono/body-limit): a declared
 * Content-Length over the limit is refused before a byte is read, a chunked body as soon as it passes the
 * limit, and in both cases before authentication. Import batches and HL7 messages may be larger.
 */
export function bodyLimits(limits: Config['bodyLimits']): MiddlewareHandler {
  const limited = (maxSize: number, hint = '') =>
    bodyLimit({ maxSize, onError: (c) => errorResponse(c, 'PAYLOAD_TOO_LARGE', `Request body too large: at most ${+(maxSize / 2 ** 20).toFixed(2)} MiB here${hint}`) });
  const byDefault = limited(limits.default);
  const forImports = limited(limits.imports, ' (send fewer rows per batch: pams import csv --batch-size)');
  const forHl7 = limited(limits.hl7);
  return function limitBody(c, next) {
    const limit = c.req.path === '/hl7/v2' ? forHl7 : callsProcedure(c, 'imports.add') ? forImports : byDefault;
    return limit(c, next);
  };
}
