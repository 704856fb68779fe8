import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../harness.ts';
import { createPractice, inviteUser, loginAs, newEmail, newPassword, sql, type TestUser } from '../fixtures.ts';
import { rejection } from '../rejection.ts';
import { tokenFromMail } from '../smtp-capture.ts';

let t: TestServer;
let admin: TestUser;

beforeAll(async () => {
  t = await startTestServer();
  ({ admin } = await createPractice(t));
});
afterAll(() => t.close());

/** Asks for a reset for `email` and returns the token from the mailed link. */
async function requestReset(email: string): Promise<string> {
  expect(await t.client().auth.requestPasswordReset.mutate({ email })).toEqual({ ok: true });
  return t.secret(tokenFromMail(await t.smtp.waitForMail(email, /reset-password\?token=/)));
}

const reset = (token: string, password: string = newPassword(t)) => t.client().auth.resetPassword.mutate({ token, newPassword: password });
const mailsTo = (email: string) => t.smtp.mails.filter((m) => m.to === email);

describe('requesting a reset', () => {
  it('answers the same for an unknown email and sends nothing', async () => {
    const email = newEmail('nobody');
    expect(await t.client().auth.requestPasswordReset.mutate({ email })).toEqual({ ok: true });
    // The mail is handed to SMTP before the call answers, so none has come by now.
    expect(mailsTo(email)).toEqual([]);
  });

  it('sends nothing to a deactivated user', async () => {
    const user = await inviteUser(t, admin);
    await t.client(admin.token).users.deactivate.mutate({ id: user.id });
    expect(await t.client().auth.requestPasswordReset.mutate({ email: user.email })).toEqual({ ok: true });
    expect(mailsTo(user.email)).toEqual([]);
  });

  it('mails a link with a token to a real user', async () => {
    const user = await inviteUser(t, admin);
    const token = await requestReset(user.email);
    expect(token).toMatch(/^[a-z0-9]+\.[a-z0-9]+$/);
    const [row] = await sql(t, 'select secret_hash from password_reset where user_id = ?', [user.id]);
    expect(row!.secret_hash).not.toContain(token.split('.')[1]);
  });
});

describe('resetting', () => {
  it('sets the new password, once', async () => {
    const user = await inviteUser(t, admin);
    const token = await requestReset(user.email);
    const password = newPassword(t);
    expect(await reset(token, password)).toEqual({ ok: true });
    await loginAs(t, user.email, password);
    expect(await rejection(loginAs(t, user.email, user.password))).toMatchObject({ reason: 'invalid-credentials' });

    expect(await rejection(reset(token))).toMatchObject({ code: 'BAD_REQUEST', reason: 'reset-token-invalid' });
    await loginAs(t, user.email, password); // the failed second use changed nothing
  });

  it('ends every session of the user', async () => {
    const user = await inviteUser(t, admin);
    const other = await loginAs(t, user.email, user.password);
    await reset(await requestReset(user.email));
    for (const session of [user.token, other]) {
      expect(await rejection(t.client(session).auth.me.query())).toMatchObject({ code: 'UNAUTHORIZED' });
    }
    expect(await sql(t, 'select id from session where user_id = ?', [user.id])).toEqual([]);
  });

  it('revokes every API token of the user and voids their other reset links', async () => {
    const user = await inviteUser(t, admin);
    const { token: script } = await t.client(user.token).tokens.create.mutate({ name: 'nightly export' });
    t.secret(script);
    await t.client(script).auth.me.query();
    const older = await requestReset(user.email);
    await reset(await requestReset(user.email));
    expect(await rejection(t.client(script).auth.me.query())).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await sql(t, 'select id from api_token where user_id = ? and revoked_at is null', [user.id])).toEqual([]);
    expect(await rejection(reset(older))).toMatchObject({ code: 'BAD_REQUEST', reason: 'reset-token-invalid' });
  });

  it('refuses an expired token', async () => {
    const user = await inviteUser(t, admin);
    const token = await requestReset(user.email);
    await sql(t, `update password_reset set expires_at = now() - interval '1 second' where id = ?`, [token.split('.')[0]]);
    expect(await rejection(reset(token))).toMatchObject({ code: 'BAD_REQUEST', reason: 'reset-token-invalid' });
    await loginAs(t, user.email, user.password);
  });

  it('refuses a token with the wrong secret or an unknown id', async () => {
    const user = await inviteUser(t, admin);
    const token = await requestReset(user.email);
    const [id] = token.split('.');
    for (const bad of [`${id}.${'a'.repeat(32)}`, `${'b'.repeat(24)}.${'c'.repeat(32)}`, 'no-dot-in-this-token']) {
      expect(await rejection(reset(bad))).toMatchObject({ code: 'BAD_REQUEST', reason: 'reset-token-invalid' });
    }
    await reset(token); // still good after the failures
  });

  it('refuses a password shorter than 12 characters, with a field error', async () => {
    const user = await inviteUser(t, admin);
    const token = await requestReset(user.email);
    const e = await rejection(reset(token, t.secret('short-pw1')));
    expect(e.code).toBe('BAD_REQUEST');
    expect(e.fieldErrors?.newPassword).toEqual([expect.stringContaining('12')]);
    await reset(token); // a rejected form does not use the token up
  });
});
