import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPractice, newEmail, type TestUser } from '../fixtures.ts';
import { startTestServer, type TestServer } from '../harness.ts';

let t: TestServer;
let admin: TestUser;

beforeAll(async () => {
  t = await startTestServer({ SMTP_URL: 'smtp://127.0.0.1:9' }); // nothing listens there
  ({ admin } = await createPractice(t));
});
afterAll(() => t.close());

describe('when the mail server is down', () => {
  it('an invite is still created, and the answer says the mail was not sent', async () => {
    const invite = await t.client(admin.token).invites.create.mutate({ email: newEmail(), role: 'clinician' });
    expect(invite).toMatchObject({ status: 'pending', mailSent: false });
    const resent = await t.client(admin.token).invites.resend.mutate({ id: invite.id });
    expect(resent.mailSent).toBe(false);
    expect(t.logLines.join('')).toContain('invite mail not sent');
  });

  it('a password reset request answers as always', async () => {
    await expect(t.client().auth.requestPasswordReset.mutate({ email: admin.email })).resolves.toEqual({ ok: true });
  });
});
