import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../harness.ts';
import { allPages, createPractice, inviteUser, loginAs, sendInvite, sql, type TestUser } from '../fixtures.ts';
import { rejection } from '../rejection.ts';

let t: TestServer;
// Practice A: an admin and a clinician. Practice B: an admin, an active and a deactivated clinician, a pending invite.
let adminA: TestUser;
let clinicianA: TestUser;
let adminB: TestUser;
let clinicianB: TestUser;
let deactivatedB: TestUser;
let inviteB: { id: string; userId: string };
let practiceB: string;

beforeAll(async () => {
  t = await startTestServer();
  ({ admin: adminA } = await createPractice(t));
  clinicianA = await inviteUser(t, adminA);
  ({ admin: adminB, practiceId: practiceB } = await createPractice(t));
  clinicianB = await inviteUser(t, adminB);
  deactivatedB = await inviteUser(t, adminB);
  await t.client(adminB.token).users.deactivate.mutate({ id: deactivatedB.id });
  const { invite } = await sendInvite(t, adminB);
  inviteB = { id: invite.id, userId: invite.userId! };
});
afterAll(() => t.close());

/** Everything about practice B that a call from A could change. */
const snapshotB = () =>
  Promise.all([
    sql(t, 'select id, email, name, role, status, updated_at from users where practice_id = ? order by id', [practiceB]),
    sql(t, 'select id, token_id, secret_hash, expires_at, accepted_at, revoked_at, user_id from invite where practice_id = ? order by id', [practiceB]),
    sql(t, 'select s.id from session s join users u on u.id = s.user_id where u.practice_id = ? order by s.id', [practiceB]),
  ]);

describe('a clinician', () => {
  it('is FORBIDDEN from every admin procedure', async () => {
    const c = t.client(clinicianA.token);
    const someId = { id: adminA.id };
    const calls = {
      'invites.create': () => c.invites.create.mutate({ email: 'someone@example.test', role: 'clinician' }),
      'invites.list': () => c.invites.list.query({}),
      'invites.resend': () => c.invites.resend.mutate(someId),
      'invites.revoke': () => c.invites.revoke.mutate(someId),
      'users.list': () => c.users.list.query({}),
      'users.byId': () => c.users.byId.query(someId),
      'users.deactivate': () => c.users.deactivate.mutate(someId),
      'users.reactivate': () => c.users.reactivate.mutate(someId),
      'audit.list': () => c.audit.list.query({}),
      'practices.update': () => c.practices.update.mutate({ mfaRequired: true }),
    };
    for (const [name, call] of Object.entries(calls)) {
      expect({ name, ...(await rejection(call())) }).toMatchObject({ name, code: 'FORBIDDEN' });
    }
    expect(await sql(t, `select mfa_required from practice where id = ?`, [adminA.practiceId])).toEqual([{ mfa_required: false }]);
    expect(await sql(t, `select id from users where email = 'someone@example.test'`)).toEqual([]);
  });

  it('is FORBIDDEN with an API token too', async () => {
    const { token } = await t.client(clinicianA.token).tokens.create.mutate({ name: 'script' });
    expect(await rejection(t.client(t.secret(token)).users.list.query({}))).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('may read their own practice', async () => {
    expect((await t.client(clinicianA.token).practices.current.query()).id).toBe(adminA.practiceId);
  });
});

describe('an admin of another practice', () => {
  it('gets NOT_FOUND for B’s users and invites, and changes nothing in B', async () => {
    const before = await snapshotB();
    const a = t.client(adminA.token);
    const calls = {
      'users.byId': () => a.users.byId.query({ id: clinicianB.id }),
      'users.deactivate': () => a.users.deactivate.mutate({ id: clinicianB.id }),
      'users.deactivate admin': () => a.users.deactivate.mutate({ id: adminB.id }),
      'users.reactivate': () => a.users.reactivate.mutate({ id: deactivatedB.id }),
      'invites.resend': () => a.invites.resend.mutate({ id: inviteB.id }),
      'invites.revoke': () => a.invites.revoke.mutate({ id: inviteB.id }),
    };
    for (const [name, call] of Object.entries(calls)) {
      expect({ name, ...(await rejection(call())) }).toMatchObject({ name, code: 'NOT_FOUND' });
    }
    expect(await snapshotB()).toEqual(before);
    await t.client(clinicianB.token).auth.me.query(); // B's sessions still work
  });

  it('does not see B’s users or invites in lists', async () => {
    const a = t.client(adminA.token);
    const users = await allPages((cursor) => a.users.list.query({ cursor, limit: 100 }));
    expect(users.items.map((u) => u.id).sort()).toEqual([adminA.id, clinicianA.id].sort());
    const invites = await allPages((cursor) => a.invites.list.query({ cursor, limit: 100 }));
    expect(invites.items.map((i) => i.email)).toEqual([clinicianA.email]);
  });

  it('never sees B’s audit events', async () => {
    // Give B some fresh activity, including a failed login against a B account.
    await loginAs(t, clinicianB.email, clinicianB.password);
    await rejection(t.client().auth.login.mutate({ email: clinicianB.email, password: 'wrong-password-123' }));
    const bEvents = await sql<{ id: string }>(t, 'select id from audit_event where practice_id = ?', [practiceB]);
    expect(bEvents.length).toBeGreaterThan(5);

    const seen = await allPages((cursor) => t.client(adminA.token).audit.list.query({ cursor, limit: 100 }));
    const seenIds = new Set(seen.items.map((e) => e.id));
    expect(seenIds.size).toBeGreaterThan(0);
    expect(bEvents.filter((e) => seenIds.has(e.id))).toEqual([]);
    const byBActor = await t.client(adminA.token).audit.list.query({ actorId: clinicianB.id });
    expect(byBActor.items).toEqual([]);
  });
});

describe('another user’s sessions and tokens', () => {
  it('cannot be revoked, in the same practice or not', async () => {
    for (const victim of [clinicianA, adminB]) {
      const { token, apiToken } = await t.client(victim.token).tokens.create.mutate({ name: 'victim' });
      t.secret(token);
      const [victimSession] = await t.client(victim.token).sessions.list.query();

      expect(await rejection(t.client(adminA.token).tokens.revoke.mutate({ id: apiToken.id }))).toMatchObject({ code: 'NOT_FOUND' });
      expect(await rejection(t.client(adminA.token).sessions.revoke.mutate({ id: victimSession!.id }))).toMatchObject({ code: 'NOT_FOUND' });

      await t.client(token).auth.me.query();
      await t.client(victim.token).auth.me.query();
      expect((await t.client(victim.token).tokens.list.query()).find((x) => x.id === apiToken.id)?.revokedAt).toBeNull();
    }
  });
});
