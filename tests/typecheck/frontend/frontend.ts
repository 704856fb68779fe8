// A frontend's calls, type-checked against the packed @pams/client only (tests/client-package.test.ts): inputs,
// the typed error data, and wrong inputs the compiler must reject.
import { TRPCClientError } from '@trpc/client';
import { createPamsClient, errorReasons, type AppRouter, type ErrorReason, type RouterInputs, type RouterOutputs } from '@pams/client';

const api = createPamsClient({ url: 'http://localhost:3000', token: 'pat_example.token' });

export type Me = RouterOutputs['auth']['me'];

export async function invite(email: string): Promise<string> {
  const input: RouterInputs['invites']['create'] = { email, role: 'clinician' };
  try {
    await api.invites.create.mutate(input);
    return 'invited';
  } catch (error) {
    if (!(error instanceof TRPCClientError)) throw error;
    const e = error as TRPCClientError<AppRouter>;
    const reason: ErrorReason | null | undefined = e.data?.reason;
    const fieldErrors: Record<string, string[]> | null | undefined = e.data?.fieldErrors;
    const status: number | undefined = e.data?.httpStatus;
    if (reason === 'email-taken') return 'already a user';
    return `${reason ?? e.message} (${e.data?.code} ${status}, request ${e.data?.requestId}) ${Object.keys(fieldErrors ?? {}).join(', ')}`;
  }
}

export const isErrorReason = (value: string): value is ErrorReason => (errorReasons as readonly string[]).includes(value);

export async function wrongInputs(): Promise<void> {
  // @ts-expect-error: role must be 'admin' | 'clinician'
  await api.invites.create.mutate({ email: 'x@example.com', role: 'superuser' });
  // @ts-expect-error: login takes an email and a password, not a username
  await api.auth.login.mutate({ username: 'x', password: 'y' });
  // @ts-expect-error: a patient's status is 'active' | 'archived'
  await api.patients.list.query({ status: 'deleted' });
  // @ts-expect-error: there is no such procedure
  await api.patients.destroy.mutate({ id: 'x' });
  // @ts-expect-error: a reason is one of errorReasons
  const reason: ErrorReason = 'no-such-reason';
  void reason;
}
