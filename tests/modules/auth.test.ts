import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../harness.ts';
import { createPractice, inviteUser, loginAs, newEmail, type TestUser } from '../fixtures.ts';
import { rejection } from '../rejection.ts';

let t: TestServer;
let admin: TestUser;

beforeAll(async () => {
  t = await startTestServer();
  ({ admin } = await createPractice(t));
});
afterAll(() => t.close());

describe('login', () => {
  it('returns a session token that acts as the user', async () => {
    const token = await loginAs(t, admin.email, admin.password);
    const me = await t.client(token).auth.me.query();
    expect(me.user).toMatchObject({ email: admin.email, role: 'admin', status: 'active' });
  });

  it('gives the same error for an unknown email and a wrong password', async () => {
    const unknown = await rejection(t.client().auth.login.mutate({ email: newEmail(), password: 'whatever-password' }));
    const wrong = await rejection(t.client().auth.login.mutate({ email: admin.email, password: 'wrong-password-123' }));
    expect(unknown).toMatchObject({ code: 'UNAUTHORIZED', reason: 'invalid-credentials' });
    expect(wrong).toMatchObject({ code: 'UNAUTHORIZED', reason: 'invalid-credentials', message: unknown.message });
  });

  it('rejects bad input with field messages and a request id', async () => {
    const e = await rejection(t.client().auth.login.mutate({ email: 'not-an-email', password: '' }));
    expect(e.code).toBe('BAD_REQUEST');
    expect(Object.keys(e.fieldErrors ?? {}).sort()).toEqual(['email', 'password']);
    expect(e.requestId).toMatch(/^[\w-]{8,}$/);
  });

  it('keeps an invited user out until the invite is accepted', async () => {
    const email = newEmail();
    await t.client(admin.token).invites.create.mutate({ email, role: 'clinician' });
    const e = await rejection(t.client().auth.login.mutate({ email, password: 'any-password-123' }));
    expect(e.reason).toBe('invalid-credentials');
  });

  it('sets an HttpOnly SameSite=Lax session cookie, accepted in place of the bearer header', async () => {
    const res = await t.fetch(`${t.url}/trpc/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: admin.email, password: admin.password }),
    });
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^pams_session=[a-z0-9]+\.[a-z0-9]+;/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    t.secret(cookie.split(';')[0]!.split('=')[1]!);
    const me = await t.fetch(`${t.url}/trpc/auth.me`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(me.status).toBe(200);
  });

  it('refuses a cookie-authenticated mutation from another origin', async () => {
    const { token } = await t.client().auth.login.mutate({ email: admin.email, password: admin.password });
    t.secret(token);
    const call = (origin: string) =>
      t.fetch(`${t.url}/trpc/tokens.create`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: `pams_session=${token}`, origin },
        body: JSON.stringify({ name: 'x' }),
      });
    const evil = await call('https://evil.example');
    expect(evil.status).toBe(403);
    expect(await evil.json()).toMatchObject({ error: { data: { reason: 'origin-mismatch' } } });
    const own = await call(t.url);
    expect(own.status).toBe(200);
    t.secret(((await own.json()) as { result: { data: { token: string } } }).result.data.token);
  });
});

describe('sessions', () => {
  it('logout ends the session', async () => {
    const token = await loginAs(t, admin.email, admin.password);
    await t.client(token).auth.logout.mutate();
    expect((await rejection(t.client(token).auth.me.query())).code).toBe('UNAUTHORIZED');
  });

  it('lists my sessions and revokes one', async () => {
    const a = await loginAs(t, admin.email, admin.password);
    const b = await loginAs(t, admin.email, admin.password);
    const sessions = await t.client(a).sessions.list.query();
    const other = sessions.find((s) => !s.current && b.startsWith(s.id));
    expect(other).toBeDefined();
    await t.client(a).sessions.revoke.mutate({ id: other!.id });
    expect((await rejection(t.client(b).auth.me.query())).code).toBe('UNAUTHORIZED');
    expect((await t.client(a).auth.me.query()).user.email).toBe(admin.email);
  });

  it('stores only the SHA-256 of the token secret', async () => {
    const token = await loginAs(t, admin.email, admin.password);
    const [id, secret] = token.split('.');
    const rows = await t.em().getConnection().execute('select * from session where id = ?', [id]);
    expect(JSON.stringify(rows)).not.toContain(secret);
    expect(rows[0]!.secret_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("a password change ends every other session; the caller's session and the user's API tokens stay", async () => {
    const user = await inviteUser(t, admin);
    const other = await loginAs(t, user.email, user.password);
    const { token: script } = await t.client(user.token).tokens.create.mutate({ name: 'hl7 feed' });
    t.secret(script);
    const newPassword = t.secret('a-brand-new-password-42');
    await t.client(user.token).auth.changePassword.mutate({ currentPassword: user.password, newPassword });
    expect((await rejection(t.client(other).auth.me.query())).code).toBe('UNAUTHORIZED');
    expect((await t.client(user.token).auth.me.query()).user.email).toBe(user.email);
    expect((await t.client(script).auth.me.query()).user.id).toBe(user.id);
    await loginAs(t, user.email, newPassword);
  });
});

describe('login throttling', () => {
  /** auth.login from a given client IP (the test server trusts X-Forwarded-For), as raw HTTP to see the headers. */
  const loginFrom = (server: TestServer, ip: string, email: string, password: string) =>
    server.fetch(`${server.url}/trpc/auth.login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': ip }, body: JSON.stringify({ email, password }) });
  const codeOf = async (res: Response) => ((await res.json()) as { error?: { data: { code: string; reason: string | null } } }).error?.data;

  it('counts failures per account and IP: past the limit that pair is refused, with Retry-After, even with the right password', async () => {
    const lt = await startTestServer({ LOGIN_MAX_PER_ACCOUNT_IP: '3', TRUST_PROXY: 'true' });
    try {
      const { admin: a } = await createPractice(lt);
      for (let i = 0; i < 3; i++) expect((await loginFrom(lt, '10.1.0.1', a.email, 'wrong-password-123')).status).toBe(401);
      const refused = await loginFrom(lt, '10.1.0.1', a.email, a.password);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await codeOf(refused)).toMatchObject({ code: 'TOO_MANY_REQUESTS', reason: 'rate-limited' });
    } finally {
      await lt.close();
    }
  });

  it("an attacker's failures from one IP do not stop the user logging in from another", async () => {
    const lt = await startTestServer({ LOGIN_MAX_PER_ACCOUNT_IP: '3', TRUST_PROXY: 'true' });
    try {
      const { admin: a } = await createPractice(lt);
      const statuses = [];
      for (let i = 0; i < 12; i++) statuses.push((await loginFrom(lt, '10.1.1.1', a.email, 'wrong-password-123')).status);
      expect(statuses.slice(-3)).toEqual([429, 429, 429]);
      expect((await loginFrom(lt, '10.1.1.2', a.email, a.password)).status).toBe(200);
    } finally {
      await lt.close();
    }
  });

  it('an account-wide limit stops a distributed attack, but not the user at an IP they logged in from', async () => {
    const lt = await startTestServer({ LOGIN_MAX_PER_ACCOUNT_IP: '3', LOGIN_MAX_PER_ACCOUNT: '6', TRUST_PROXY: 'true' });
    try {
      const { admin: a } = await createPractice(lt);
      expect((await loginFrom(lt, '10.2.0.9', a.email, a.password)).status).toBe(200); // the user's desk
      const statuses = [];
      for (let ip = 1; ip <= 5; ip++) for (let i = 0; i < 2; i++) statuses.push((await loginFrom(lt, `10.2.1.${ip}`, a.email, 'wrong-password-123')).status);
      expect(statuses.slice(0, 6)).toEqual(Array(6).fill(401));
      expect(statuses.slice(6)).toEqual(Array(4).fill(429)); // no IP past its own limit: the account's stops them
      const newIp = await loginFrom(lt, '10.2.2.1', a.email, a.password);
      expect(newIp.status).toBe(429);
      expect(Number(newIp.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await loginFrom(lt, '10.2.0.9', a.email, a.password)).status).toBe(200);
    } finally {
      await lt.close();
    }
  });
});
