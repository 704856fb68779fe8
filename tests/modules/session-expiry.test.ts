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
  const rows = await t
    .em()
    .getConnection()
    .execute<{ expires_at: string }[]>('select expires_at from session where id = ?', [token.split('.')[0]]);
  return rows[0] && new Date(rows[0].expires_at).getTime();
}
const setExpiry = (token: string, at: Date) =>
  t
    .em()
    .getConnection()
    .execute('update session set expires_at = ? where id = ?', [at, token.split('.')[0]]);

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

  // The plain-HTTP faces renew a cookie session as /trpc does, and must say so: without the new cookie
  // the browser's copy still expires on the old date and logs the user out mid-session.
  describe('renews the session cookie on the plain-HTTP routes too', () => {
    const nearRenewal = async () => {
      const token = t.secret(await loginAs(t, admin.email, admin.password));
      await setExpiry(token, new Date(Date.now() + 10 * DAY));
      return token;
    };
    const renewedCookie = (res: Response, token: string) => res.headers.getSetCookie().find((c) => c.startsWith(`pams_session=${token};`));

    it('GET /fhir/$export', async () => {
      const token = await nearRenewal();
      const res = await t.fetch(`${t.url}/fhir/$export?_type=Patient`, { headers: { cookie: `pams_session=${token}` } });
      expect(res.status).toBe(200);
      await res.text();
      expect(renewedCookie(res, token)).toContain('HttpOnly');
      expect((await storedExpiry(token))!).toBeGreaterThan(Date.now() + 29 * DAY);
    });

    it('GET /fhir/Patient/{id}/$everything, even when it answers an error', async () => {
      const token = await nearRenewal();
      const res = await t.fetch(`${t.url}/fhir/Patient/00000000-0000-7000-8000-000000000000/$everything`, { headers: { cookie: `pams_session=${token}` } });
      expect(res.status).toBe(404);
      expect(renewedCookie(res, token)).toContain('HttpOnly');
    });

    it('POST /hl7/v2', async () => {
      const token = await nearRenewal();
      const message = ['MSH|^~\\&|ENGINE|HOSP|PAMS|CLINIC|20240305101500||ADT^A04^ADT_A01|RENEW0001|P|2.5', 'PID|1||R-0001^^^HOSP^MR||Walsh^Ciara||19920304|F'].join('\r');
      const res = await t.fetch(`${t.url}/hl7/v2`, { method: 'POST', headers: { 'content-type': 'text/plain', cookie: `pams_session=${token}`, origin: t.url }, body: message });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('MSA|AA|RENEW0001');
      expect(renewedCookie(res, token)).toContain('HttpOnly');
    });
  });
});
