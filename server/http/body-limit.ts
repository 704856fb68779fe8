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
 * The request body limit of every route, enforced before the body is buffered and before authentication:
 * a declared Content-Length over the limit is refused before a byte is read; a chunked body is read by
 * hono/body-limit, which refuses it as soon as it passes the limit. Import batches and HL7 messages may be
 * larger (`hl7.receive` and `hl7.receiveBatch` too: `pams hl7 listen` posts through them, and a 413 there would go unanswered),
 * and so may an upload (POST /files: a chunked one is never buffered, and the upload counts its bytes as it streams them).
 * A sized body is judged by its header alone, without touching `c.req.raw.body`: on
 * @hono/node-server that wraps the socket in a stream, and a body then left unread by a route that
 * refused the caller stalls the connection's drain until the server drops it (a keep-alive client's
 * next request then fails).
 */
export function bodyLimits(limits: Config['bodyLimits']): MiddlewareHandler {
  const tooLarge = (c: Context, maxSize: number, hint: string) =>
    errorResponse(c, 'PAYLOAD_TOO_LARGE', `Request body too large: at most ${+(maxSize / 2 ** 20).toFixed(2)} MiB here${hint}`, c.req.path === '/files' ? 'file-too-large' : null);
  const limited = (maxSize: number, hint = '') => ({ maxSize, hint, chunked: bodyLimit({ maxSize, onError: (c) => tooLarge(c, maxSize, hint) }) });
  const byDefault = limited(limits.default);
  const forImports = limited(limits.imports, ' (send fewer rows per batch: pams import csv --batch-size)');
  const forHl7 = limited(limits.hl7);
  const forFiles = limited(limits.files, ' (FILE_MAX_MB)');
  return async function limitBody(c, next) {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const limit =
      c.req.path === '/files'
        ? forFiles
        : c.req.path === '/hl7/v2' || callsProcedure(c, 'hl7.receive') || callsProcedure(c, 'hl7.receiveBatch')
          ? forHl7
          : callsProcedure(c, 'imports.add')
            ? forImports
            : byDefault;
    const declared = c.req.header('content-length');
    const chunked = declared === undefined || c.req.header('transfer-encoding') !== undefined;
    // hono/body-limit buffers a chunked body whole: an upload's is streamed, and counted as it streams.
    if (chunked) return limit === forFiles ? next() : limit.chunked(c, next);
    return Number(declared) > limit.maxSize ? tooLarge(c, limit.maxSize, limit.hint) : next();
  };
}
