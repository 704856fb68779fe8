import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../harness.ts';
import { allPages, createPractice, inviteUser, loginAs, sendInvite, sql, type TestUser } from '../fixtures.ts';
import { rejection } from '../rejection.ts';

let t: TestServer;
let admin: TestUser;

beforeAll(async () => {
  t = await startTestServer();
  ({ admin } = await createPractice(t));
});
afterAll(() => t.close());

const audit = (input: Parameters<ReturnType<TestServer['client']>['audit']['list']['query']>[0] = {}) => t.client(admin.token).audit.list.query(input);
const allEvents = async () => (await allPages((cursor) => audit({ cursor, limit: 100 }))).items;
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('what is recorded', () => {
  it('writes an event for each auth and admin action, with who, what, request id and ip', async () => {
    const { invite, token } = await sendInvite(t, admin);
    const userId = invite.userId!;
    const accepted = await t.client().invites.accept.mutate({ token, name: 'Audited', password: t.secret('audited-password-1') });
    const session = t.secret(accepted.token);
    await rejection(t.client().auth.login.mutate({ email: invite.email, password: 'wrong-password-123' }));
    await loginAs(t, invite.email, 'audited-password-1');
    const { apiToken } = await t
      .client(session)
      .tokens.create.mutate({ name: 'audited' })
      .then((r) => (t.secret(r.token), r));
    await t.client(session).auth.logout.mutate();
    await t.client(admin.token).users.deactivate.mutate({ id: userId });

    const events = await allEvents();
    const find = (action: string, actorId: string, entityId: string) => events.find((e) => e.action === action && e.actorId === actorId && e.entityId === entityId);
    const expected = [
      find('invite.created', admin.id, invite.id),
      find('invite.accepted', userId, invite.id),
      find('auth.login-failed', userId, userId),
      find('auth.login', userId, userId),
      find('token.created', userId, apiToken.id),
      find('auth.logout', userId, userId),
      find('user.deactivated', admin.id, userId),
    ];
    expect(expected.map((e) => e?.action)).toEqual(['invite.created', 'invite.accepted', 'auth.login-failed', 'auth.login', 'token.created', 'auth.logout', 'user.deactivated']);
    for (const e of expected) {
      expect(e!.requestId).toMatch(/^[\w-]{8,}$/);
      expect(e!.ip).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
    }
    expect(new Set(expected.map((e) => e!.requestId)).size).toBe(expected.length);
    expect(expected.find((e) => e!.action === 'invite.created')!.detail).toEqual({ role: 'clinician' });
  });

  it('ties an event to its request (the id an error reports) and ignores X-Forwarded-For without TRUST_PROXY', async () => {
    const res = await t.fetch(`${t.url}/trpc/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.9' },
      body: JSON.stringify({ email: admin.email, password: 'wrong-password-123' }),
    });
    expect(res.status).toBe(401);
    const { requestId } = ((await res.json()) as { error: { data: { requestId: string } } }).error.data;
    const [event] = (await audit({ action: 'auth.login-failed', actorId: admin.id, limit: 1 })).items;
    expect(event).toMatchObject({ requestId, ip: expect.stringMatching(/^(::ffff:)?127\.0\.0\.1$/) });
  });

  it('records a failed login of an unknown email outside every practice', async () => {
    await rejection(t.client().auth.login.mutate({ email: 'ghost-audit@example.test', password: 'wrong-password-123' }));
    const [row] = await sql(t, `select practice_id, actor_id from audit_event where action = 'auth.login-failed' order by at desc limit 1`);
    expect(row).toEqual({ practice_id: null, actor_id: null });
  });
});

describe('filters', () => {
  let user: TestUser;
  let t0: string;
  let t1: string;
  let t2: string;

  beforeAll(async () => {
    user = await inviteUser(t, admin);
    await tick();
    t0 = new Date().toISOString();
    await tick();
    await t
      .client(user.token)
      .tokens.create.mutate({ name: 'before t1' })
      .then((r) => t.secret(r.token));
    await tick();
    t1 = new Date().toISOString();
    await tick();
    await t
      .client(user.token)
      .tokens.create.mutate({ name: 'after t1' })
      .then((r) => t.secret(r.token));
    await tick();
    t2 = new Date().toISOString();
  });

  it('by action', async () => {
    const { items } = await audit({ action: 'token.created' });
    expect(items.length).toBeGreaterThanOrEqual(2);
    expect(new Set(items.map((e) => e.action))).toEqual(new Set(['token.created']));
  });

  it('by actor', async () => {
    const { items } = await audit({ actorId: user.id });
    expect(items.map((e) => e.action)).toEqual(['token.created', 'token.created', 'auth.login', 'invite.accepted']);
    expect(new Set(items.map((e) => e.actorId))).toEqual(new Set([user.id]));
  });

  it('by entity', async () => {
    const { items } = await audit({ entityId: user.id });
    expect(items.map((e) => e.action)).toEqual(['auth.login']);
  });

  it('by time: since is inclusive, until exclusive', async () => {
    const between = await audit({ actorId: user.id, since: t0, until: t1 });
    const after = await audit({ actorId: user.id, since: t1 });
    const window = await audit({ since: t0, until: t2 });
    expect(between.items).toHaveLength(1);
    expect(after.items).toHaveLength(1);
    expect(between.items[0]!.id).not.toBe(after.items[0]!.id);
    expect(window.items.map((e) => e.id)).toEqual([after.items[0]!.id, between.items[0]!.id]);
    expect(await audit({ actorId: user.id, until: t0 }).then((p) => p.items.map((e) => e.action))).toEqual(['auth.login', 'invite.accepted']);
    const [last] = after.items;
    expect((await audit({ actorId: user.id, since: last!.at })).items.map((e) => e.id)).toEqual([last!.id]);
    expect((await audit({ actorId: user.id, since: t1, until: last!.at })).items).toEqual([]);
  });

  it('rejects a malformed date with a field error', async () => {
    const e = await rejection(audit({ since: '2026-01-01' }));
    expect(e.code).toBe('BAD_REQUEST');
    expect(Object.keys(e.fieldErrors ?? {})).toEqual(['since']);
  });
});

describe('pagination', () => {
  it('is stable while new events are written', async () => {
    const snapshot = (await audit({ limit: 100 })).items.map((e) => e.id);
    expect(snapshot.length).toBeGreaterThan(6);
    const walked = await allPages(async (cursor) => {
      const page = await audit({ cursor, limit: 3 });
      await loginAs(t, admin.email, admin.password); // a new, newer event between pages
      return page;
    });
    expect(walked.items.map((e) => e.id)).toEqual(snapshot);
    expect(walked.pages).toBe(Math.ceil(snapshot.length / 3));
  });
});

describe('the audit_event table', () => {
  it('refuses UPDATE and DELETE', async () => {
    const [event] = await sql<{ id: string; action: string }>(t, 'select id, action from audit_event order by at limit 1');
    await expect(sql(t, `update audit_event set action = 'tampered' where id = ?`, [event!.id])).rejects.toThrow(/append-only/);
    await expect(sql(t, 'delete from audit_event where id = ?', [event!.id])).rejects.toThrow(/append-only/);
    await expect(sql(t, 'delete from audit_event')).rejects.toThrow(/append-only/);
    expect(await sql(t, 'select action from audit_event where id = ?', [event!.id])).toEqual([{ action: event!.action }]);
  });
});
