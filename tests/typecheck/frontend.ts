// Compiled by tests/typecheck.test.ts exactly as a frontend project would compile against PAMS:
// through the package export `pams/client` (JS + .d.ts), never the server's sources.
import { TRPCClientError } from '@trpc/client';
import { createPamsClient, type PamsErrorData, type RouterOutputs } from 'pams/client';

const api = createPamsClient({ url: 'http://localhost:3000', token: 'pat_example.token' });

export async function showDashboard(): Promise<string> {
  try {
    const me: RouterOutputs['auth']['me'] = await api.auth.me.query();
    const invites = await api.invites.list.query({ limit: 25, status: 'pending' });
    const firstEmail: string | undefined = invites.items[0]?.email;
    return `${me.user.email} (${me.practice.name}) sees ${invites.items.length} invites, first ${firstEmail ?? 'none'}`;
  } catch (error) {
    if (error instanceof TRPCClientError) {
      const data = error.data as PamsErrorData;
      return `failed: ${data.reason ?? error.message}`;
    }
    throw error;
  }
}

export async function wrongInput(): Promise<void> {
  // @ts-expect-error: role must be 'admin' | 'clinician', the compiler rejects anything else
  await api.invites.create.mutate({ email: 'x@example.com', role: 'superuser' });
  // @ts-expect-error: login takes an email and a password, not a username
  await api.auth.login.mutate({ username: 'x', password: 'y' });
}
