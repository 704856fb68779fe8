import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPractice, loginAs, type TestUser } from '../fixtures.ts';
import { startTestServer, type TestServer } from '../harness.ts';
import { rejection } from '../rejection.ts';

let t: TestServer;
let admin: TestUser;

beforeAll(async () => {
  t = await startTestServer();
  ({ admin } = await createPractice(t));
});
afterAll(() => t.close());

const DAY = 86_400_000;
/** The stored expiry of a token's session, or undefined when the row is gone. */
async function storedExpiry(token: string): Promise<number | undefined> {
  const rows = await t.em().getConnection().execute<{ expires_at: string }[]>('select expires_at from session where id = ?', [token.split('.')[0]]);
  return rows[0] && new Date(rows[0].expires_at).getTime();
}
const setExpiry = (token: string, at: Date) => t.em().getConnection().execute('update session set expires_at = ? where id = ?', [at, token.split('.')[0]]);

describe('session expiry', () => {
  it('starts at 30 days', async () => {
    const token = await loginAs(t, admin.email, admin.password);
    const expires = (await storedExpiry(token))!;
    expect(Math.abs(expires - (Date.now() + 30 * DAY))).toBeLessThan(60_000);
  });

  it('slides back to 30 days when a session past half its life is used', async () => {
    const token = await loginAs(t, admin.email, admin.password);
    await setExpiry(token, new Date(Date.now() + 10 * DAY));
    await t.client(token).auth.me.query();
    expect((await storedExpiry(token))!).toBeGreaterThan(Date.now() + 29 * DAY);
  });

  it('does not write on every request while the session is young', async () => {
    const token = await loginAs(t, admin.email, admin.password);
    const young = new Date(Date.now() + 20 * DAY);
    await setExpiry(token, young);
    await t.client(token).auth.me.query();
    expect((await storedExpiry(token))!).toBe(young.getTime());
  });

  it('an expired session is refused and removed', async () => {
    const token = await loginAs(t, admin.email, admin.password);
    await setExpiry(token, new Date(Date.now() - 1000));
    expect((await rejection(t.client(token).auth.me.query())).code).toBe('UNAUTHORIZED');
    expect(await storedExpiry(token)).toBeUndefined();
  });

  it('a tampered secret is refused', async () => {
    const token = await loginAs(t, admin.email, admin.password);
    const [id, secret] = token.split('.') as [string, string];
    const tampered = `${id}.${secret.slice(0, -1)}${secret.endsWith('a') ? 'b' : 'a'}`;
    expect((await rejection(t.client(tampered).auth.me.query())).code).toBe('UNAUTHORIZED');
  });
});
