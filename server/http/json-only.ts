import type { MiddlewareHandler } from 'hono';
import { errorResponse } from './error-response.ts';

/**
 * A call's body on /trpc is JSON (PAMS has no upload procedures). tRPC refuses another content type
 * itself, but before it builds the context, so its 415 would carry `requestId: null`: refused here
 * instead, in the same shape, with the request id.
 */
export function jsonOnly(): MiddlewareHandler {
  return async function requireJson(c, next) {
    if (c.req.method !== 'POST') return next();
    const type = c.req.header('content-type');
    if (type?.split(';', 1)[0]?.trim().toLowerCase() === 'application/json') return next(); // as tRPC matches it
    return errorResponse(c, 'UNSUPPORTED_MEDIA_TYPE', type ? `Unsupported content-type "${type}": send application/json` : 'Missing content-type header: send application/json');
  };
}
