import type { Context, MiddlewareHandler } from 'hono';
import { errorResponse } from './error-response.ts';

/** Bodies read as text: JSON (and no type at all, which tRPC reads as JSON), text/*, HL7 ER7. Uploads pass untouched. */
const TEXTUAL = /^(?:application\/(?:json|[\w.-]+\+json|hl7-v2|x-hl7)|text\/|x-application\/hl7-v2\+er7)/i;
const MESSAGE = { body: 'The request body is not valid UTF-8', query: 'The query string has invalid percent-encoding or is not valid UTF-8' };

const isUtf8 = (bytes: ArrayBuffer) => {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
};

const isValidQuery = (url: string) => {
  const start = url.indexOf('?');
  if (start < 0) return true;
  try {
    decodeURIComponent(url.slice(start + 1).split('#')[0]!); // throws on a stray % and on bytes that are not UTF-8
    return true;
  } catch {
    return false;
  }
};

/** In the shape of the surface asked: a FHIR OperationOutcome, or a tRPC error or the app's plain JSON error (errorResponse). */
function refuse(c: Context, what: keyof typeof MESSAGE): Response {
  if (c.req.path.startsWith('/fhir/')) {
    const outcome = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: `${MESSAGE[what]} (request ${c.get('requestId')})` }] };
    return c.body(JSON.stringify(outcome), 400, { 'content-type': 'application/fhir+json' });
  }
  return errorResponse(c, 'BAD_REQUEST', MESSAGE[what], 'invalid-encoding');
}

/**
 * Refuses, with a 400, a query string or a textual body that is not valid UTF-8, instead of letting the
 * platform's lenient decoding store U+FFFD in its place or fail deeper with a 500. The body is read once
 * here and handed on to the route as bytes; it must run after the body-size limit, so that only a
 * bounded body is ever buffered.
 */
export function utf8Body(): MiddlewareHandler {
  return async function requireUtf8(c, next) {
    if (!isValidQuery(c.req.url)) return refuse(c, 'query');
    const type = c.req.header('content-type');
    // Whether there is a body, from the headers: touching `c.req.raw.body` builds the whole Request that
    // @hono/node-server otherwise never makes for a GET (a fifth of a small request's CPU).
    const hasBody = (c.req.header('content-length') ?? '0') !== '0' || c.req.header('transfer-encoding') !== undefined;
    // HL7 v2 bodies are the exception: an engine must get an ACK (AR) for any message, so hl7.service.ts refuses them.
    // So are uploads, which are never buffered; POST /files refuses any type but application/octet-stream.
    if (hasBody && (!type || TEXTUAL.test(type)) && c.req.path !== '/hl7/v2' && c.req.path !== '/files') {
      const bytes = await c.req.raw.arrayBuffer();
      if (!isUtf8(bytes)) return refuse(c, 'body');
      c.req.raw = new Request(c.req.raw, { body: bytes });
    }
    await next();
  };
}
