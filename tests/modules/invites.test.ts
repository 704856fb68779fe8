import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../harness.ts';
import { allPages, createPractice, inviteUser, loginAs, newEmail, newPassword, sendInvite, sql, type TestUser } from '../fixtures.ts';
import { rejection } from '../rejection.ts';
import { tokenFromMail } from '../smtp-capture.ts';

let t: TestServer;
let admin: TestUser;

beforeAll(async () => {
  t = await startTestServer();
  ({ admin } = await createPractice(t, 'Invite Practice'));
});
afterAll(() => t.close());

const accept = (token: string, password: string = newPassword(t)) => t.client().invites.accept.mutate({ token, name: 'New Person', password });
const expireInvite = (id: string) => sql(t, `update invite set expires_at = now() - interval '1 minute' where id = ?`, [id]);

describe('creating and accepting an invite', () => {
  it('mails a link, keeps the invited user out, and activates the account on accept', async () => {
    const { invite, email, token } = await sendInvite(t, admin, 'clinician');
    expect(invite).toMatchObject({ email, role: 'clinician', status: 'pending', acceptedAt: null, revokedAt: null });
    expect(invite.userId).toMatch(/^[0-9a-f-]{36}$/);

    const password = newPassword(t);
    expect(await rejection(t.client().auth.login.mutate({ email, password }))).toMatchObject({ code: 'UNAUTHORIZED', reason: 'invalid-credentials' });

    const accepted = await accept(token, password);
    t.secret(accepted.token);
    expect(accepted.userId).toBe(invite.userId);
    const me = await t.client(accepted.token).auth.me.query();
    expect(me.user).toMatchObject({ id: invite.userId, email, name: 'New Person', role: 'clinician', status: 'active' });
    expect(me.practice.name).toBe('Invite Practice');
    await loginAs(t, email, password);
  });

  it('works once: a second accept fails with invite-accepted', async () => {
    const { token } = await sendInvite(t, admin);
    t.secret((await accept(token)).token);
    expect(await rejection(accept(token))).toMatchObject({ code: 'CONFLICT', reason: 'invite-accepted' });
  });

  it('refuses an expired invite', async () => {
    const { invite, token } = await sendInvite(t, admin);
    await expireInvite(invite.id);
    expect(await rejection(accept(token))).toMatchObject({ code: 'CONFLICT', reason: 'invite-expired' });
    expect(await rejection(t.client().invites.lookup.query({ token }))).toMatchObject({ reason: 'invite-expired' });
  });

  it('refuses a token that does not match any invite', async () => {
    const { token } = await sendInvite(t, admin);
    const [id] = token.split('.');
    for (const bad of [`${id}.${'a'.repeat(32)}`, 'nodot-but-long-enough', `${'b'.repeat(24)}.${'c'.repeat(32)}`]) {
      expect(await rejection(accept(bad))).toMatchObject({ code: 'NOT_FOUND', reason: 'invite-invalid' });
    }
  });

  it('makes an admin when invited as admin', async () => {
    const newAdmin = await inviteUser(t, admin, 'admin');
    expect((await t.client(newAdmin.token).auth.me.query()).user.role).toBe('admin');
    await t.client(newAdmin.token).users.list.query({}); // an admin-only procedure
  });

  it('refuses an email that already has an account, in any practice and in any state', async () => {
    const { admin: otherAdmin } = await createPractice(t);
    const { email: pendingEmail } = await sendInvite(t, admin);
    for (const email of [admin.email, otherAdmin.email, pendingEmail]) {
      const e = await rejection(t.client(admin.token).invites.create.mutate({ email, role: 'clinician' }));
      expect(e).toMatchObject({ code: 'CONFLICT', reason: 'email-taken' });
    }
  });

  it('lower-cases the email', async () => {
    const email = newEmail('mixed');
    const invite = await t.client(admin.token).invites.create.mutate({ email: email.toUpperCase(), role: 'clinician' });
    expect(invite.email).toBe(email);
    t.secret(tokenFromMail(await t.smtp.waitForMail(email, /invited/)));
  });
});

describe('invites.lookup', () => {
  it('shows what the accept page needs, without using the invite', async () => {
    const { invite, email, token } = await sendInvite(t, admin, 'admin');
    const found = await t.client().invites.lookup.query({ token });
    expect(found).toEqual({ email, role: 'admin', practiceName: 'Invite Practice', expiresAt: invite.expiresAt });
    t.secret((await accept(token)).token);
    expect(await rejection(t.client().invites.lookup.query({ token }))).toMatchObject({ code: 'CONFLICT', reason: 'invite-accepted' });
  });
});

describe('resending', () => {
  it('mails a new token; the old one stops working', async () => {
    const { invite, email, token: oldToken } = await sendInvite(t, admin);
    await expireInvite(invite.id);
    const resent = await t.client(admin.token).invites.resend.mutate({ id: invite.id });
    expect(resent.status).toBe('pending');
    expect(new Date(resent.expiresAt).getTime()).toBeGreaterThan(Date.now());
    const newToken = t.secret(tokenFromMail(await t.smtp.waitForMail(email, /invited/)));
    expect(newToken).not.toBe(oldToken);

    expect(await rejection(accept(oldToken))).toMatchObject({ code: 'NOT_FOUND', reason: 'invite-invalid' });
    t.secret((await accept(newToken)).token);
  });

  it('refuses an accepted or revoked invite', async () => {
    const accepted = await sendInvite(t, admin);
    t.secret((await accept(accepted.token)).token);
    expect(await rejection(t.client(admin.token).invites.resend.mutate({ id: accepted.invite.id }))).toMatchObject({ code: 'CONFLICT', reason: 'invite-accepted' });

    const revoked = await sendInvite(t, admin);
    await t.client(admin.token).invites.revoke.mutate({ id: revoked.invite.id });
    expect(await rejection(t.client(admin.token).invites.resend.mutate({ id: revoked.invite.id }))).toMatchObject({ code: 'CONFLICT', reason: 'invite-revoked' });
  });
});

describe('revoking', () => {
  it('kills the link, removes the never-activated account, and frees the email', async () => {
    const { invite, email, token } = await sendInvite(t, admin);
    const revoked = await t.client(admin.token).invites.revoke.mutate({ id: invite.id });
    expect(revoked).toMatchObject({ status: 'revoked', userId: null });
    expect(revoked.revokedAt).not.toBeNull();

    expect(await rejection(accept(token))).toMatchObject({ code: 'CONFLICT', reason: 'invite-revoked' });
    expect(await sql(t, 'select id from users where id = ?', [invite.userId])).toEqual([]);

    const again = await sendInvite(t, admin, 'clinician', email);
    t.secret((await accept(again.token)).token);
  });

  it('refuses an accepted invite, leaving the account alone', async () => {
    const { invite, token } = await sendInvite(t, admin);
    t.secret((await accept(token)).token);
    expect(await rejection(t.client(admin.token).invites.revoke.mutate({ id: invite.id }))).toMatchObject({ code: 'CONFLICT', reason: 'invite-accepted' });
    expect(await sql(t, 'select status from users where id = ?', [invite.userId])).toEqual([{ status: 'active' }]);
  });
});

describe('invites.list', () => {
  // A practice of its own, so the expected lists are exact.
  let listAdmin: TestUser;
  const emailOf: Record<'pending' | 'accepted' | 'expired' | 'revoked', string> = { pending: '', accepted: '', expired: '', revoked: '' };

  beforeAll(async () => {
    ({ admin: listAdmin } = await createPractice(t));
    const pending = await sendInvite(t, listAdmin);
    const accepted = await sendInvite(t, listAdmin);
    t.secret((await accept(accepted.token)).token);
    const expired = await sendInvite(t, listAdmin);
    await expireInvite(expired.invite.id);
    const revoked = await sendInvite(t, listAdmin);
    await t.client(listAdmin.token).invites.revoke.mutate({ id: revoked.invite.id });
    // Accepted and revoked outrank expired: past their expiry too, they must still list as accepted and revoked.
    for (const { invite } of [accepted, revoked]) await expireInvite(invite.id);
    Object.assign(emailOf, { pending: pending.email, accepted: accepted.email, expired: expired.email, revoked: revoked.email });
  });

  it('filters by status', async () => {
    for (const status of ['pending', 'accepted', 'expired', 'revoked'] as const) {
      const { items, nextCursor } = await t.client(listAdmin.token).invites.list.query({ status });
      expect(items.map((i) => [i.email, i.status])).toEqual([[emailOf[status], status]]);
      expect(nextCursor).toBeNull();
    }
  });

  it('lists newest first and only this practice', async () => {
    const { items } = await t.client(listAdmin.token).invites.list.query({});
    expect(items.map((i) => i.email)).toEqual([emailOf.revoked, emailOf.expired, emailOf.accepted, emailOf.pending]);
  });

  it('walks every page with limit 1, without duplicates or gaps', async () => {
    const all = await t.client(listAdmin.token).invites.list.query({ limit: 100 });
    const walked = await allPages((cursor) => t.client(listAdmin.token).invites.list.query({ limit: 1, cursor }));
    expect(walked.pages).toBe(4);
    expect(walked.items.map((i) => i.id)).toEqual(all.items.map((i) => i.id));
    expect(new Set(walked.items.map((i) => i.id)).size).toBe(4);
  });

  it('keeps a cursor stable while new invites are added', async () => {
    const first = await t.client(listAdmin.token).invites.list.query({ limit: 2 });
    await sendInvite(t, listAdmin);
    const second = await t.client(listAdmin.token).invites.list.query({ limit: 2, cursor: first.nextCursor! });
    expect([...first.items, ...second.items].map((i) => i.email)).toEqual([emailOf.revoked, emailOf.expired, emailOf.accepted, emailOf.pending]);
    expect(second.nextCursor).toBeNull();
  });

  it('rejects a forged cursor', async () => {
    expect(await rejection(t.client(listAdmin.token).invites.list.query({ cursor: 'not-a-cursor' }))).toMatchObject({ code: 'BAD_REQUEST' });
  });
});
