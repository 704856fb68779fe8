import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../harness.ts';
import { createPractice, newPassword, sendInvite, sql, type TestUser } from '../fixtures.ts';

let t: TestServer;
let admin: TestUser;

beforeAll(async () => {
  t = await startTestServer();
  ({ admin } = await createPractice(t));
});
afterAll(() => t.close());

const post = (path: string, fields: Record<string, string>, headers: Record<string, string> = { 'sec-fetch-site': 'same-origin' }) =>
  t.fetch(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields) });

describe('the mail-link pages over plain HTTP', () => {
  it('refuse a form posted from another site, or without saying where from, and change nothing', async () => {
    const { token, invite } = await sendInvite(t, admin);
    const fields = { token, name: 'Mallory', password: newPassword(t) };
    const refused: Record<string, string>[] = [{}, { origin: 'https://evil.example' }, { origin: 'null', 'sec-fetch-site': 'cross-site' }];
    for (const headers of refused) {
      const res = await post('/invite', fields, headers);
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('set-cookie')).toBeNull();
      expect(await res.text()).toContain('sent from another site');
    }
    const [row] = await sql(t, 'select accepted_at from invite where id = ?', [invite.id]);
    expect(row!.accepted_at).toBeNull();
    // The same form from our own origin (APP_URL's, here) goes through.
    expect((await post('/invite', fields, { origin: 'http://pams.test' })).status).toBe(200);
  });

  it('say in words that an invite link is unknown, expired or used, with 404 and 410', async () => {
    const bad = await t.fetch(`${t.url}/invite?token=abcdefghij.klmnopqrstu`);
    expect(bad.status).toBe(404);
    expect(await bad.text()).toContain('This invite link is not valid');
    expect((await t.fetch(`${t.url}/invite`)).status).toBe(400);

    const { token, invite } = await sendInvite(t, admin);
    await sql(t, `update invite set expires_at = now() - interval '1 minute' where id = ?`, [invite.id]);
    const expired = await t.fetch(`${t.url}/invite?token=${token}`);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain('This invite has expired: ask for a new one');
    const posted = await post('/invite', { token, name: 'Late', password: newPassword(t) });
    expect(posted.status).toBe(410);

    const used = await sendInvite(t, admin);
    expect((await post('/invite', { token: used.token, name: 'First', password: newPassword(t) })).status).toBe(200);
    const again = await post('/invite', { token: used.token, name: 'Second', password: newPassword(t) });
    expect(again.status).toBe(410);
    expect(await again.text()).toContain('This invite was already accepted');
  });

  it('answer a weak password with 400 and the rule, and a bad reset link with 410', async () => {
    const { token } = await sendInvite(t, admin);
    const weak = await post('/invite', { token, name: 'Short', password: 'short' });
    expect(weak.status).toBe(400);
    expect(await weak.text()).toContain('must be at least 12 characters');

    const reset = await post('/reset-password', { token: 'abcdefghij.klmnopqrstu', password: newPassword(t) });
    expect(reset.status).toBe(410);
    expect(await reset.text()).toContain('already used or expired');
    expect((await post('/reset-password', { token: 'abcdefghij.klmnopqrstu', password: 'short' })).status).toBe(400);
  });

  it('are not cached, and keep the link token out of Referer headers', async () => {
    const res = await t.fetch(`${t.url}/reset-password?token=abcdefghij.klmnopqrstu`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const body = await res.text();
    expect(body).toMatch(/^<!doctype html>/);
    expect(body).toContain('<label for="password">');
  });
});
