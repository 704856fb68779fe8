import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { TRPC_ERROR_CODES_BY_KEY, type TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import type { Context } from 'hono';
import type { ErrorReason, PamsErrorData } from '../../shared/errors.ts';

/**
 * An error answered by HTTP middleware before a route runs (body too large, rate limited). Under /trpc it
 * has tRPC's error shape, as server/trpc.ts's errorFormatter writes it, so the typed client reads its code
 * and request id; elsewhere it is `{ error, requestId }`, like the app's 404 and 500.
 */
export function errorResponse(c: Context, code: TRPC_ERROR_CODE_KEY, message: string, reason: ErrorReason | null = null): Response {
  const httpStatus = getHTTPStatusCodeFromError(new TRPCError({ code })) as 400;
  const requestId: string = c.get('requestId');
  if (!c.req.path.startsWith('/trpc/')) return c.json({ error: message, requestId }, httpStatus);
  const data: PamsErrorData & { code: string; httpStatus: number } = { code, httpStatus, requestId, reason, fieldErrors: null };
  return c.json({ error: { message, code: TRPC_ERROR_CODES_BY_KEY[code], data } }, httpStatus);
}
