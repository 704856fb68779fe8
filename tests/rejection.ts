import { TRPCClientError } from '@trpc/client';

/** The tRPC error data of a rejected call: code, reason, fieldErrors, requestId. */
export async function rejection(call: Promise<unknown>) {
  const error = await call.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
  if (!(error instanceof TRPCClientError)) throw error;
  return { message: error.message, ...(error.data as { code: string; reason: string | null; fieldErrors: Record<string, string[]> | null; requestId: string | null }) };
}
