import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../harness.ts';
import { createPractice, inviteUser, loginAs, sql, type TestUser } from '../fixtures.ts';
import { rejection } from '../rejection.ts';

let t: TestServer;
let admin: TestUser;

beforeAll(async () => {
  t = await startTestServer();
  ({ admin } = await createPractice(t));
});
afterAll(() => t.close());

/** Creates an API token as `user`; returns the secret token and its listing. */
async function createToken(user: TestUser, input: { name?: string; expiresInDays?: number } = {}) {
  const { token, apiToken } = await t.client(user.token).tokens.create.mutate({ name: input.name ?? 'script', expiresInDays: input.expiresInDays });
  return { token: t.secret(token), apiToken };
}

const refused = async (token: string) => expect(await rejection(t.client(token).auth.me.query())).toMatchObject({ code: 'UNAUTHORIZED' });

describe('API tokens', () => {
  it('authenticate as their user, with the pat_ prefix', async () => {
    const user = await inviteUser(t, admin);
    const { token, apiToken } = await createToken(user, { name: 'nightly export' });
    expect(token).toMatch(/^pat_[a-z0-9]+\.[a-z0-9]+$/);
    expect(apiToken).toMatchObject({ name: 'nightly export', lastUsedAt: null, expiresAt: null, revokedAt: null });
    expect(token.slice(4).split('.')[0]).toBe(apiToken.id);
    expect((await t.client(token).auth.me.query()).user).toMatchObject({ id: user.id, role: 'clinician' });
  });

  it('show lastUsedAt in the list once used', async () => {
    const user = await inviteUser(t, admin);
    const { token, apiToken } = await createToken(user);
    const before = Date.now();
    await t.client(token).auth.me.query();
    const listed = (await t.client(user.token).tokens.list.query()).find((x) => x.id === apiToken.id);
    expect(listed).toBeDefined();
    expect(new Date(listed!.lastUsedAt!).getTime()).toBeGreaterThanOrEqual(before - 1000);
  });

  it('list only the caller’s own tokens', async () => {
    const a = await inviteUser(t, admin);
    const b = await inviteUser(t, admin);
    const mine = await createToken(a, { name: 'mine' });
    await createToken(b, { name: 'theirs' });
    expect((await t.client(a.token).tokens.list.query()).map((x) => x.id)).toEqual([mine.apiToken.id]);
  });

  it('stop working once revoked', async () => {
    const user = await inviteUser(t, admin);
    const { token, apiToken } = await createToken(user);
    await t.client(token).auth.me.query();
    const revoked = await t.client(user.token).tokens.revoke.mutate({ id: apiToken.id });
    expect(revoked.revokedAt).not.toBeNull();
    await refused(token);
  });

  it('stop working once expired', async () => {
    const user = await inviteUser(t, admin);
    const { token, apiToken } = await createToken(user, { expiresInDays: 30 });
    const inDays = (new Date(apiToken.expiresAt!).getTime() - Date.now()) / 86_400_000;
    expect(inDays).toBeCloseTo(30, 1);
    await t.client(token).auth.me.query();
    await sql(t, `update api_token set expires_at = now() - interval '1 second' where id = ?`, [apiToken.id]);
    await refused(token);
  });

  it('refuse a token with the right id but the wrong secret', async () => {
    const user = await inviteUser(t, admin);
    const { apiToken } = await createToken(user);
    await refused(`pat_${apiToken.id}.${'a'.repeat(32)}`);
  });

  it('are stored as a hash only', async () => {
    const user = await inviteUser(t, admin);
    const { token, apiToken } = await createToken(user);
    const secret = token.split('.')[1]!;
    const rows = await sql(t, 'select * from api_token where id = ?', [apiToken.id]);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(secret);
    expect(rows[0]!.secret_hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('deactivating a user', () => {
  it('ends their sessions and API tokens; reactivation revives neither', async () => {
    const user = await inviteUser(t, admin);
    const { token, apiToken } = await createToken(user);
    await t.client(token).auth.me.query();

    await t.client(admin.token).users.deactivate.mutate({ id: user.id });
    await refused(token);
    await refused(user.token);
    expect(await rejection(loginAs(t, user.email, user.password))).toMatchObject({ reason: 'invalid-credentials' });

    await t.client(admin.token).users.reactivate.mutate({ id: user.id });
    await refused(token);
    await refused(user.token);
    const session = await loginAs(t, user.email, user.password);
    const [listed] = await t.client(session).tokens.list.query();
    expect(listed).toMatchObject({ id: apiToken.id, revokedAt: expect.any(String) });
  });
});
