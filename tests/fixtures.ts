import { randomBytes } from 'node:crypto';
import type { InvitableRole } from '../shared/enums.ts';
import { bootstrapPractice } from '../server/modules/practices/bootstrap.service.ts';
import { tokenFromMail } from './smtp-capture.ts';
import type { TestServer } from './harness.ts';

export type TestUser = { id: string; email: string; password: string; token: string; practiceId: string };

const unique = () => randomBytes(4).toString('hex');
export const newPassword = (t: TestServer) => t.secret(`pw-${randomBytes(9).toString('base64url')}`);
export const newEmail = (prefix = 'user') => `${prefix}-${unique()}@example.test`;

/** Logs in through the API and returns the session token (remembered as a secret). */
export async function loginAs(t: TestServer, email: string, password: string): Promise<string> {
  const { token, mfaRequired } = await t.client().auth.login.mutate({ email, password });
  if (mfaRequired) throw new Error(`${email} has MFA on: use verifyMfa`);
  return t.secret(token);
}

/** A new practice and its first admin, made the way `pams admin bootstrap` makes them, then logged in. */
export async function createPractice(t: TestServer, name = `Practice ${unique()}`): Promise<{ practiceId: string; admin: TestUser }> {
  const email = newEmail('admin');
  const password = newPassword(t);
  const { practice, admin } = await bootstrapPractice(t.em(), { practiceName: name, email, password, name: 'Admin' });
  return { practiceId: practice.id, admin: { id: admin.id, email, password, practiceId: practice.id, token: await loginAs(t, email, password) } };
}

/** Invites a user as `adminToken`'s admin, accepts through the link in the captured mail, logs in. */
export async function inviteUser(t: TestServer, admin: TestUser, role: InvitableRole = 'clinician'): Promise<TestUser> {
  const email = newEmail(role);
  const invite = await t.client(admin.token).invites.create.mutate({ email, role });
  const inviteToken = t.secret(tokenFromMail(await t.smtp.waitForMail(email, /invited/)));
  const password = newPassword(t);
  const accepted = await t.client().invites.accept.mutate({ token: inviteToken, name: `Test ${role}`, password });
  t.secret(accepted.token);
  return { id: invite.userId!, email, password, practiceId: admin.practiceId, token: await loginAs(t, email, password) };
}
