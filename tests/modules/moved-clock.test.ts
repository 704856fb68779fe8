import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../server/clock.ts';
import { createPractice, loginAs, sendInvite, sql, type TestUser } from '../fixtures.ts';
import { startTestServer, type TestServer } from '../harness.ts';
import { rejection } from '../rejection.ts';

/** Sessions, API tokens and invites expire by the server's clock: moving it is how a test reaches their expiry. */
const DAY = 86_400_000;
const clock = manualClock(new Date());
let t: TestServer;
let admin: TestUser;

beforeAll(async () => {
  t = await startTestServer({}, { clock });
  ({ admin } = await createPractice(t));
});
afterAll(() => t.close());

const storedExpiry = async (token: string) => (await sql<{ expires_at: Date }>(t, 'select expires_at from session where id = ?', [token.split('.')[0]]))[0]?.expires_at;

describe('on a moved clock', () => {
  it('a session lasts 30 days from login, slides when used past half its life, and then ends', async () => {
    const token = await loginAs(t, admin.email, admin.password);
    expect(new Date((await storedExpiry(token)) as Date).getTime()).toBe(clock.now().getTime() + 30 * DAY);
    clock.advance(16 * DAY);
    await t.client(token).auth.me.query();
    expect(new Date((await storedExpiry(token)) as Date).getTime()).toBe(clock.now().getTime() + 30 * DAY);
    expect((await t.client(token).sessions.list.query()).length).toBeGreaterThan(0);
    clock.advance(30 * DAY + 1000);
    expect((await rejection(t.client(token).auth.me.query())).code).toBe('UNAUTHORIZED');
    expect(await storedExpiry(token)).toBeUndefined();
  });

  it('an API token with an expiry ends when the clock passes it', async () => {
    const session = await loginAs(t, admin.email, admin.password);
    const { token } = await t.client(session).tokens.create.mutate({ name: 'expiring', expiresInDays: 1 });
    t.secret(token);
    await t.client(token).auth.me.query();
    clock.advance(DAY + 1000);
    expect((await rejection(t.client(token).auth.me.query())).code).toBe('UNAUTHORIZED');
  });

  it('an invite expires 72 hours after it was sent, for the link and in the list', async () => {
    const session = await loginAs(t, admin.email, admin.password);
    const { invite, token } = await sendInvite(t, { ...admin, token: session });
    expect(invite.expiresAt).toBe(new Date(clock.now().getTime() + 72 * 3_600_000).toISOString());
    expect((await t.client().invites.lookup.query({ token })).email).toBe(invite.email);
    clock.advance(72 * 3_600_000 + 1000);
    expect(await rejection(t.client().invites.lookup.query({ token }))).toMatchObject({ reason: 'invite-expired' });
    const listed = await t.client(session).invites.list.query({ status: 'expired' });
    expect(listed.items.map((i) => [i.id, i.status])).toContainEqual([invite.id, 'expired']);
  });
});
