// Run by tests/client-package.test.ts with node in the throwaway project, against a PAMS test server: a call, and a
// failed login whose error must be an instance of the project's own TRPCClientError.
import { TRPCClientError } from '@trpc/client';
import { createPamsClient } from '@pams/client';

const [url = '', email = '', token = ''] = process.argv.slice(2);
const me = (await createPamsClient({ url, token }).auth.me.query()) as { user: { email: string } };
try {
  await createPamsClient({ url }).auth.login.mutate({ email, password: 'not-the-password' });
  console.log(JSON.stringify({ email: me.user.email, error: null }));
} catch (error) {
  const data = (error as { data?: { reason?: string } }).data;
  console.log(JSON.stringify({ email: me.user.email, instanceOfOwnTRPCClientError: error instanceof TRPCClientError, reason: data?.reason ?? null }));
}
