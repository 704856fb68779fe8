import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../server/clock.ts';
import { startTestServer, type TestServer } from '../harness.ts';
import { createPractice, enableMfa, inviteUser, loginAs, loginWithMfa, sql, totpCode, wrongTotpCode, type TestUser } from '../fixtures.ts';
import { rejection } from '../rejection.ts';

let t: TestServer;
let admin: TestUser;
/** The server's clock: a TOTP code works once, so a test moves it to the next 30 s step for each new code. */
const clock = manualClock(new Date());
const nextCode = () => clock.advance(30_000);

beforeAll(async () => {
  t = await startTestServer({}, { clock });
  ({ admin } = await createPractice(t));
});
beforeEach(nextCode);
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
    const e = await rejection(t.client(user.token).mfa.confirm.mutate({ code: wrongTotpCode(t, t.secret(secret)) }));
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

  it('spends the code that confirmed enrolment: it cannot also complete a login', async () => {
    const other = await inviteUser(t, admin);
    const { secret } = await t.client(other.token).mfa.enrol.mutate();
    const code = totpCode(t, t.secret(secret));
    (await t.client(other.token).mfa.confirm.mutate({ code })).recoveryCodes.forEach((c) => t.secret(c));
    const pending = await passwordStep(other);
    expect(await rejection(t.client(pending.token).auth.verifyMfa.mutate({ code }))).toMatchObject({ code: 'UNAUTHORIZED', reason: 'mfa-invalid-code' });
    nextCode();
    t.secret((await t.client(pending.token).auth.verifyMfa.mutate({ code: totpCode(t, secret) })).token);
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
    const e = await rejection(t.client(pending.token).auth.verifyMfa.mutate({ code: wrongTotpCode(t, secret) }));
    expect(e).toMatchObject({ code: 'UNAUTHORIZED', reason: 'mfa-invalid-code' });

    const full = await t.client(pending.token).auth.verifyMfa.mutate({ code: totpCode(t, secret) });
    t.secret(full.token);
    expect(full.mfaRequired).toBe(false);
    expect(full.token).not.toBe(pending.token);
    expect((await t.client(full.token).auth.me.query()).user.id).toBe(user.id);
    // The pending session is spent.
    nextCode();
    expect(await rejection(t.client(pending.token).auth.verifyMfa.mutate({ code: totpCode(t, secret) }))).toMatchObject({ code: 'UNAUTHORIZED', reason: 'invalid-credentials' });
  });

  it('needs a pending session: a full session or no session cannot verify', async () => {
    const full = await loginWithMfa(t, user.email, user.password, secret);
    nextCode();
    expect(await rejection(t.client(full).auth.verifyMfa.mutate({ code: totpCode(t, secret) }))).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await rejection(t.client().auth.verifyMfa.mutate({ code: totpCode(t, secret) }))).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('accepts a code once: the same code cannot complete a second pending login, the next code can', async () => {
    const [first, second] = [await passwordStep(user), await passwordStep(user)];
    const code = totpCode(t, secret);
    t.secret((await t.client(first.token).auth.verifyMfa.mutate({ code })).token);
    expect(await rejection(t.client(second.token).auth.verifyMfa.mutate({ code }))).toMatchObject({ code: 'UNAUTHORIZED', reason: 'mfa-invalid-code' });
    nextCode();
    t.secret((await t.client(second.token).auth.verifyMfa.mutate({ code: totpCode(t, secret) })).token);
  });

  it('refuses a code older than the last one spent, though still in the grace window', async () => {
    const fast = await inviteUser(t, admin);
    const { secret: fastSecret } = await enableMfa(t, fast.token);
    nextCode();
    // A phone running 30 s fast shows the next step's code, which the grace window accepts.
    clock.advance(30_000);
    const ahead = totpCode(t, fastSecret);
    clock.advance(-30_000);
    t.secret((await t.client((await passwordStep(fast)).token).auth.verifyMfa.mutate({ code: ahead })).token);
    const pending = await passwordStep(fast);
    expect(await rejection(t.client(pending.token).auth.verifyMfa.mutate({ code: totpCode(t, fastSecret) }))).toMatchObject({ code: 'UNAUTHORIZED', reason: 'mfa-invalid-code' });
  });

  it('lets exactly one of two logins racing with one code through', async () => {
    const pending = [await passwordStep(user), await passwordStep(user)];
    const code = totpCode(t, secret);
    const results = await Promise.allSettled(pending.map((p) => t.client(p.token).auth.verifyMfa.mutate({ code })));
    const passed = results.flatMap((r) => (r.status === 'fulfilled' ? [t.secret(r.value.token)] : []));
    expect(passed).toHaveLength(1);
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(await rejection(Promise.reject(refused[0]))).toMatchObject({ code: 'UNAUTHORIZED', reason: 'mfa-invalid-code' });
    expect((await t.client(passed[0]).auth.me.query()).user.id).toBe(user.id);
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
    // The code that completed this login is spent.
    expect(await rejection(disable(user.password, totpCode(t, secret)))).toMatchObject({ code: 'UNAUTHORIZED', reason: 'mfa-invalid-code' });
    nextCode();
    expect(await rejection(disable('wrong-password-123', totpCode(t, secret)))).toMatchObject({ code: 'UNAUTHORIZED', reason: 'mfa-invalid-code' });
    expect(await rejection(disable(user.password, wrongTotpCode(t, secret)))).toMatchObject({ code: 'UNAUTHORIZED', reason: 'mfa-invalid-code' });
    expect((await t.client(session).auth.me.query()).user.mfaEnabled).toBe(true);

    await disable(user.password, totpCode(t, secret)); // the code refused with the wrong password was not spent
    expect((await t.client(session).auth.me.query()).user.mfaEnabled).toBe(false);
    expect(await sql(t, 'select id from recovery_code where user_id = ?', [user.id])).toEqual([]);
    await loginAs(t, user.email, user.password); // throws if MFA were still asked for
    expect(await rejection(disable(user.password, totpCode(t, secret)))).toMatchObject({ code: 'CONFLICT', reason: 'mfa-not-enabled' });
  });
});

describe('practice-wide MFA', () => {
  it('can be required only by an admin who has enrolled, and the answer counts who has not', async () => {
    const { admin: practiceAdmin } = await createPractice(t);
    await inviteUser(t, practiceAdmin);
    await inviteUser(t, practiceAdmin);
    const refused = await rejection(t.client(practiceAdmin.token).practices.update.mutate({ mfaRequired: true }));
    expect(refused).toMatchObject({ code: 'CONFLICT', reason: 'mfa-enrolment-required' });
    expect((await t.client(practiceAdmin.token).practices.current.query()).mfaRequired).toBe(false);
    // Nothing else is held by the refusal: the admin still works.
    expect((await t.client(practiceAdmin.token).users.list.query({})).items).toHaveLength(3);

    await enableMfa(t, practiceAdmin.token);
    const updated = await t.client(practiceAdmin.token).practices.update.mutate({ mfaRequired: true });
    expect(updated).toMatchObject({ mfaRequired: true, usersWithoutMfa: 2 });
    expect((await t.client(practiceAdmin.token).users.list.query({})).items).toHaveLength(3);
    // Turning it off again needs no enrolment; the count comes with every update.
    expect(await t.client(practiceAdmin.token).practices.update.mutate({ mfaRequired: false })).toMatchObject({ mfaRequired: false, usersWithoutMfa: 2 });
  });

  it('holds a user without MFA to auth and enrolment until they enrol', async () => {
    const { admin: practiceAdmin } = await createPractice(t);
    const clinician = await inviteUser(t, practiceAdmin);
    await enableMfa(t, practiceAdmin.token);
    const updated = await t.client(practiceAdmin.token).practices.update.mutate({ mfaRequired: true });
    expect(updated).toMatchObject({ mfaRequired: true, usersWithoutMfa: 1 });

    const c = t.client(clinician.token);
    expect(await rejection(c.tokens.list.query())).toMatchObject({ code: 'FORBIDDEN', reason: 'mfa-enrolment-required' });
    expect(await rejection(c.practices.current.query())).toMatchObject({ code: 'FORBIDDEN', reason: 'mfa-enrolment-required' });
    expect((await c.auth.me.query()).mfaEnrolmentRequired).toBe(true);

    await enableMfa(t, clinician.token); // mfa.enrol and mfa.confirm are allowed
    expect((await c.auth.me.query()).mfaEnrolmentRequired).toBe(false);
    expect(await c.tokens.list.query()).toEqual([]);
    expect((await t.client(practiceAdmin.token).practices.update.mutate({ name: 'Renamed' })).usersWithoutMfa).toBe(0);
  });

  it('does not touch other practices', async () => {
    const clinician = await inviteUser(t, admin);
    expect(await t.client(clinician.token).tokens.list.query()).toEqual([]);
  });
});
