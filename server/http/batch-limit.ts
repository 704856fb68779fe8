import type { MiddlewareHandler } from 'hono';
import { errorResponse } from './error-response.ts';

/**
 * At most `max` calls in one tRPC batch: a larger batch answers 400 before its body is read or any call
 * runs. tRPC 11's own `maxBatchSize` refuses it too, but before the request's context exists, so its
 * error carries no `data.requestId`; this one does. Calls are counted as tRPC counts them: the raw path,
 * URI-decoded, split on commas, when `batch=1`.
 */
export function batchLimit(max: number): MiddlewareHandler {
  return async function limitBatch(c, next) {
    if (c.req.query('batch') !== '1') return next();
    const raw = new URL(c.req.url).pathname.slice('/trpc/'.length);
    let calls: number;
    try {
      calls = decodeURIComponent(raw).split(',').length;
    } catch {
      return next(); // tRPC refuses the path itself
    }
    if (calls > max) return errorResponse(c, 'BAD_REQUEST', `A batch may hold at most ${max} calls; this one has ${calls}`);
    return next();
  };
}
