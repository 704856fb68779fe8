import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../harness.ts';
import { createPractice, enableMfa, inviteUser, loginAs, loginWithMfa, sql, totpCode, wrongTotpCode, type TestUser } from '../fixtures.ts';
import { rejection } from '../rejection.ts';

let t: TestServer;
let admin: TestUser;

beforeAll(async () => {
  t = await startTestServer();
  ({ admin } = await createPractice(t));
});
afterAll(() => t.close());

/** Password step only: the pending session token. */
async function passwordStep(user: TestUser) {
  const result = await t.client().auth.login.mutate({ email: user.email, password: user.password });
  t.secret(result.token);
  return result;
}

describe('enrolment', () => {
  let user: TestUser;
  beforeAll(async () => {
    user = await inviteUser(t, admin);
  });

  it('returns a base32 secret and an otpauth URI carrying it', async () => {
    const { secret, uri } = await t.client(user.token).mfa.enrol.mutate();
    t.secret(secret);
    expect(decodeBase32IgnorePadding(secret)).toHaveLength(20);
    const url = new URL(uri);
    expect(url.protocol).toBe('otpauth:');
    expect(url.searchParams.get('secret')).toBe(secret);
    expect(decodeURIComponent(url.pathname)).toContain(user.email);
    // Not on until confirmed: login still needs only the password.
    expect((await passwordStep(user)).mfaRequired).toBe(false);
  });

  it('refuses a wrong code at confirmation and stays off', async () => {
    const { secret } = await t.client(user.token).mfa.enrol.mutate();
    const e = await rejection(t.client(user.token).mfa.confirm.mutate({ code: wrongTotpCode(t.secret(secret)) }));
    expect(e).toMatchObject({ code: 'BAD_REQUEST', reason: 'mfa-invalid-code' });
    expect((await t.client(user.token).auth.me.query()).user.mfaEnabled).toBe(false);
  });

  it('turns on with a code from the secret and returns ten distinct recovery codes', async () => {
    const { secret, recoveryCodes } = await enableMfa(t, user.token);
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const code of recoveryCodes) expect(code).toMatch(/^[a-z2-7]{5}-[a-z2-7]{5}$/);
    expect((await t.client(user.token).auth.me.query()).user.mfaEnabled).toBe(true);

    const [row] = await sql(t, 'select mfa_secret from users where id = ?', [user.id]);
    expect(row!.mfa_secret).not.toContain(secret);
    const codes = await sql(t, 'select code_hash from recovery_code where user_id = ?', [user.id]);
    expect(codes).toHaveLength(10);
    expect(JSON.stringify(codes)).not.toContain(recoveryCodes[0]!.replace('-', ''));

    expect(await rejection(t.client(user.token).mfa.enrol.mutate())).toMatchObject({ code: 'CONFLICT', reason: 'mfa-already-enabled' });
  });
});

describe('login with MFA on', () => {
  let user: TestUser;
  let secret: string;
  let recoveryCodes: string[];
  beforeAll(async () => {
    user = await inviteUser(t, admin);
    ({ secret, recoveryCodes } = await enableMfa(t, user.token));
  });

  it('gives a pending session that can do nothing but the second step', async () => {
    const pending = await passwordStep(user);
    expect(pending.mfaRequired).toBe(true);
    const c = t.client(pending.token);
    for (const call of [() => c.auth.me.query(), () => c.tokens.list.query(), () => c.mfa.enrol.mutate()]) {
      expect(await rejection(call())).toMatchObject({ code: 'UNAUTHORIZED', reason: 'mfa-required' });
    }
  });

  it('refuses a wrong code, then accepts the right one with a new full session', async () => {
    const pending = await passwordStep(user);
    const e = await rejection(t.client(pending.token).auth.verifyMfa.mutate({ code: wrongTotpCode(secret) }));
    expect(e).toMatchObject({ code: 'UNAUTHORIZED', reason: 'mfa-invalid-code' });

    const full = await t.client(pending.token).auth.verifyMfa.mutate({ code: totpCode(secret) });
    t.secret(full.token);
    expect(full.mfaRequired).toBe(false);
    expect(full.token).not.toBe(pending.token);
    expect((await t.client(full.token).auth.me.query()).user.id).toBe(user.id);
    // The pending session is spent.
    expect(await rejection(t.client(pending.token).auth.verifyMfa.mutate({ code: totpCode(secret) }))).toMatchObject({ code: 'UNAUTHORIZED', reason: 'invalid-credentials' });
  });

  it('needs a pending session: a full session or no session cannot verify', async () => {
    const full = await loginWithMfa(t, user.email, user.password, secret);
    expect(await rejection(t.client(full).auth.verifyMfa.mutate({ code: totpCode(secret) }))).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await rejection(t.client().auth.verifyMfa.mutate({ code: totpCode(secret) }))).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('accepts a recovery code once, in any case and with or without the dash', async () => {
    const [code] = recoveryCodes;
    const first = await passwordStep(user);
    const full = await t.client(first.token).auth.verifyMfa.mutate({ recoveryCode: code!.toUpperCase() });
    t.secret(full.token);
    await t.client(full.token).auth.me.query();

    const second = await passwordStep(user);
    for (const reuse of [code!, code!.replace('-', '')]) {
      const e = await rejection(t.client(second.token).auth.verifyMfa.mutate({ recoveryCode: reuse }));
      expect(e).toMatchObject({ code: 'UNAUTHORIZED', reason: 'mfa-invalid-code' });
    }
    const other = await t.client(second.token).auth.verifyMfa.mutate({ recoveryCode: recoveryCodes[1]!.replace('-', '') });
    t.secret(other.token);
  });

  it('disables only with both the password and a current code', async () => {
    const session = await loginWithMfa(t, user.email, user.password, secret);
    const disable = (password: string, code: string) => t.client(session).mfa.disable.mutate({ password, code });
    expect(await rejection(disable('wrong-password-123', totpCode(secret)))).toMatchObject({ code: 'UNAUTHORIZED', reason: 'mfa-invalid-code' });
    expect(await rejection(disable(user.password, wrongTotpCode(secret)))).toMatchObject({ code: 'UNAUTHORIZED', reason: 'mfa-invalid-code' });
    expect((await t.client(session).auth.me.query()).user.mfaEnabled).toBe(true);

    await disable(user.password, totpCode(secret));
    expect((await t.client(session).auth.me.query()).user.mfaEnabled).toBe(false);
    expect(await sql(t, 'select id from recovery_code where user_id = ?', [user.id])).toEqual([]);
    await loginAs(t, user.email, user.password); // throws if MFA were still asked for
    expect(await rejection(disable(user.password, totpCode(secret)))).toMatchObject({ code: 'CONFLICT', reason: 'mfa-not-enabled' });
  });
});

describe('practice-wide MFA', () => {
  it('holds a user without MFA to auth and enrolment until they enrol', async () => {
    const { admin: practiceAdmin } = await createPractice(t);
    const clinician = await inviteUser(t, practiceAdmin);
    const updated = await t.client(practiceAdmin.token).practices.update.mutate({ mfaRequired: true });
    expect(updated.mfaRequired).toBe(true);

    const c = t.client(clinician.token);
    expect(await rejection(c.tokens.list.query())).toMatchObject({ code: 'FORBIDDEN', reason: 'mfa-enrolment-required' });
    expect(await rejection(c.practices.current.query())).toMatchObject({ code: 'FORBIDDEN', reason: 'mfa-enrolment-required' });
    expect((await c.auth.me.query()).mfaEnrolmentRequired).toBe(true);

    await enableMfa(t, clinician.token); // mfa.enrol and mfa.confirm are allowed
    expect((await c.auth.me.query()).mfaEnrolmentRequired).toBe(false);
    expect(await c.tokens.list.query()).toEqual([]);

    // The admin who turned it on is held too, until they enrol.
    expect(await rejection(t.client(practiceAdmin.token).users.list.query({}))).toMatchObject({ code: 'FORBIDDEN', reason: 'mfa-enrolment-required' });
  });

  it('does not touch other practices', async () => {
    const clinician = await inviteUser(t, admin);
    expect(await t.client(clinician.token).tokens.list.query()).toEqual([]);
  });
});
