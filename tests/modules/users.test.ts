import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../harness.ts';
import { allPages, createPractice, inviteUser, loginAs, sendInvite, sql, type TestUser } from '../fixtures.ts';
import { rejection } from '../rejection.ts';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

describe('listing and reading users', () => {
  let admin: TestUser;
  let clinicians: TestUser[];
  let invitedId: string;

  beforeAll(async () => {
    ({ admin } = await createPractice(t));
    clinicians = [await inviteUser(t, admin), await inviteUser(t, admin)];
    invitedId = (await sendInvite(t, admin)).invite.userId!;
  });

  it('lists the practice’s users newest first, with no secrets', async () => {
    const { items, nextCursor } = await t.client(admin.token).users.list.query({});
    expect(items.map((u) => u.id)).toEqual([invitedId, clinicians[1]!.id, clinicians[0]!.id, admin.id]);
    expect(nextCursor).toBeNull();
    expect(Object.keys(items[0]!).sort()).toEqual(['createdAt', 'email', 'id', 'mfaEnabled', 'name', 'role', 'status']);
  });

  it('filters by role and status', async () => {
    const list = (input: { role?: 'admin' | 'clinician'; status?: 'invited' | 'active' }) =>
      t
        .client(admin.token)
        .users.list.query(input)
        .then((p) => p.items.map((u) => u.id));
    expect(await list({ role: 'admin' })).toEqual([admin.id]);
    expect(await list({ status: 'invited' })).toEqual([invitedId]);
    expect(await list({ role: 'clinician', status: 'active' })).toEqual([clinicians[1]!.id, clinicians[0]!.id]);
  });

  it('pages with a cursor', async () => {
    const walked = await allPages((cursor) => t.client(admin.token).users.list.query({ limit: 1, cursor }));
    expect(walked.pages).toBe(4);
    expect(walked.items.map((u) => u.id)).toEqual([invitedId, clinicians[1]!.id, clinicians[0]!.id, admin.id]);
  });

  it('reads one user by id', async () => {
    const user = await t.client(admin.token).users.byId.query({ id: clinicians[0]!.id });
    expect(user).toMatchObject({ id: clinicians[0]!.id, email: clinicians[0]!.email, role: 'clinician', status: 'active', mfaEnabled: false });
    const e = await rejection(t.client(admin.token).users.byId.query({ id: '0190a000-0000-7000-8000-000000000000' }));
    expect(e).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('deactivating and reactivating', () => {
  let admin: TestUser;
  beforeAll(async () => {
    ({ admin } = await createPractice(t));
  });

  it('deactivates a user, who can no longer log in, and reactivates them', async () => {
    const user = await inviteUser(t, admin);
    const deactivated = await t.client(admin.token).users.deactivate.mutate({ id: user.id });
    expect(deactivated.status).toBe('deactivated');
    expect(await rejection(t.client(user.token).auth.me.query())).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await rejection(loginAs(t, user.email, user.password))).toMatchObject({ reason: 'invalid-credentials' });
    // Again is a no-op.
    expect((await t.client(admin.token).users.deactivate.mutate({ id: user.id })).status).toBe('deactivated');

    const reactivated = await t.client(admin.token).users.reactivate.mutate({ id: user.id });
    expect(reactivated.status).toBe('active');
    expect((await t.client(admin.token).users.byId.query({ id: user.id })).status).toBe('active');
    await loginAs(t, user.email, user.password);
    expect((await t.client(admin.token).users.reactivate.mutate({ id: user.id })).status).toBe('active');
  });

  it('will not reactivate an invited user: accepting the invite does that', async () => {
    const { invite } = await sendInvite(t, admin);
    const e = await rejection(t.client(admin.token).users.reactivate.mutate({ id: invite.userId! }));
    expect(e.code).toBe('CONFLICT');
    expect((await t.client(admin.token).users.byId.query({ id: invite.userId! })).status).toBe('invited');
  });

  it('will not deactivate an invited user, whose invite would activate them again: revoking does that', async () => {
    const { invite, token } = await sendInvite(t, admin);
    const e = await rejection(t.client(admin.token).users.deactivate.mutate({ id: invite.userId! }));
    expect(e.code).toBe('CONFLICT');
    expect((await t.client(admin.token).users.byId.query({ id: invite.userId! })).status).toBe('invited');
    await t.client(admin.token).invites.revoke.mutate({ id: invite.id });
    expect(await rejection(t.client().invites.accept.mutate({ token, name: 'Blocked', password: t.secret('blocked-password-1') }))).toMatchObject({ reason: 'invite-revoked' });
  });

  it('will not let an admin deactivate themself', async () => {
    const e = await rejection(t.client(admin.token).users.deactivate.mutate({ id: admin.id }));
    expect(e).toMatchObject({ code: 'CONFLICT', reason: 'self-action' });
    expect((await t.client(admin.token).auth.me.query()).user.status).toBe('active');
  });

  it('lets one admin deactivate another', async () => {
    const second = await inviteUser(t, admin, 'admin');
    expect((await t.client(admin.token).users.deactivate.mutate({ id: second.id })).status).toBe('deactivated');
    await t.client(admin.token).users.reactivate.mutate({ id: second.id });
  });
});

/**
 * The caller is always an active admin other than the target, so one request alone always sees two
 * active admins: `last-admin` guards the race where two admins deactivate each other at once. This
 * holds the practice row lock both requests queue on, lets them both pass authentication, then lets go.
 */
describe('the last active admin', () => {
  it('survives two admins deactivating each other at the same time', async () => {
    const { practiceId, admin: a } = await createPractice(t);
    const b = await inviteUser(t, a, 'admin');

    const blocker = new pg.Client({ connectionString: t.config.databaseUrl });
    await blocker.connect();
    try {
      await blocker.query('begin');
      await blocker.query('select id from practice where id = $1 for update', [practiceId]);
      const results = Promise.allSettled([t.client(a.token).users.deactivate.mutate({ id: b.id }), t.client(b.token).users.deactivate.mutate({ id: a.id })]);
      await waitFor(async () => {
        const [row] = await sql(t, `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`);
        return row!.n === 2;
      });
      await blocker.query('rollback');

      const settled = await results;
      expect(settled.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const failed = settled.find((r) => r.status === 'rejected')!;
      expect(await rejection(Promise.reject(failed.reason))).toMatchObject({ code: 'CONFLICT', reason: 'last-admin' });
    } finally {
      await blocker.end();
    }
    const active = await sql(t, `select id from users where practice_id = ? and role = 'admin' and status = 'active'`, [practiceId]);
    expect(active).toHaveLength(1);
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
