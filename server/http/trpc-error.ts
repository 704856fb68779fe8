import type { Context } from 'hono';
import type { PamsErrorData } from '../../shared/errors.ts';

/** The JSON-RPC code and HTTP status tRPC gives each code answered here (add a code as a middleware needs it). */
const jsonRpcCodes = { BAD_REQUEST: -32600 } as const;
const httpStatuses = { BAD_REQUEST: 400 } as const;
type EarlyCode = keyof typeof jsonRpcCodes;

/**
 * An error answered by HTTP middleware in front of /trpc, in the shape tRPC itself answers (one error, or
 * one per call of a batch), so clients read `error.data.code`, `reason` and `requestId` as they always do.
 */
export function trpcError(c: Context, code: EarlyCode, message: string, reason: PamsErrorData['reason'] = null): Response {
  const paths = c.req.path.replace(/^\/trpc\/?/, '').split(',');
  const error = (path: string) => {
    const data: PamsErrorData & { code: EarlyCode; httpStatus: number; path: string } = { code, httpStatus: httpStatuses[code], path, requestId: c.get('requestId') ?? null, reason, fieldErrors: null };
    return { error: { message, code: jsonRpcCodes[code], data } };
  };
  const body = c.req.query('batch') === '1' ? paths.map(error) : error(paths[0]!);
  return c.json(body, httpStatuses[code]);
}
