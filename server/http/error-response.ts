import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { TRPC_ERROR_CODES_BY_KEY, type TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import type { Context } from 'hono';
import type { ErrorReason, PamsErrorData } from '../../shared/errors.ts';

/**
 * An error answered by HTTP middleware before a route runs (body too large, rate limited, not UTF-8).
 * Under /trpc it has tRPC's error shape, as server/trpc.ts's errorFormatter writes it (one error, or one
 * per call of a batch), so the typed client reads its code, reason and request id; elsewhere it is
 * `{ error, reason?, requestId }`, like the app's 404 and 500.
 */
export function errorResponse(c: Context, code: TRPC_ERROR_CODE_KEY, message: string, reason: ErrorReason | null = null): Response {
  const httpStatus = getHTTPStatusCodeFromError(new TRPCError({ code })) as 400;
  const requestId: string = c.get('requestId');
  if (!c.req.path.startsWith('/trpc/')) return c.json({ error: message, ...(reason && { reason }), requestId }, httpStatus);
  const error = (path: string) => {
    const data: PamsErrorData & { code: string; httpStatus: number; path: string } = { code, httpStatus, path, requestId, reason, fieldErrors: null };
    return { error: { message, code: TRPC_ERROR_CODES_BY_KEY[code], data } };
  };
  const paths = c.req.path.slice('/trpc/'.length).split(',');
  return c.json(c.req.query('batch') === '1' ? paths.map(error) : error(paths[0]!), httpStatus);
}
