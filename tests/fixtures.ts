import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { generateHOTP } from '@oslojs/otp';
import { randomBytes } from 'node:crypto';
import type { RouterInputs, RouterOutputs } from '../shared/client.ts';
import type { InvitableRole } from '../shared/enums.ts';
import { bootstrapPractice } from '../server/modules/practices/bootstrap.service.ts';
import { tokenFromMail } from './smtp-capture.ts';
import type { TestServer } from './harness.ts';

export type TestUser = { id: string; email: string; password: string; token: string; practiceId: string };

const unique = () => randomBytes(4).toString('hex');
export const newPassword = (t: TestServer) => t.secret(`pw-${randomBytes(9).toString('base64url')}`);
export const newEmail = (prefix = 'user') => `${prefix}-${unique()}@example.test`;

/** Raw SQL on the file's database: for what the API cannot do (backdating an expiry) and for checking rows. */
export function sql<Row = Record<string, any>>(t: TestServer, query: string, params: unknown[] = []): Promise<Row[]> {
  return t.em().getConnection().execute<Row[]>(query, params);
}

/** Logs in through the API and returns the session token (remembered as a secret). */
export async function loginAs(t: TestServer, email: string, password: string): Promise<string> {
  const { token, mfaRequired } = await t.client().auth.login.mutate({ email, password });
  if (mfaRequired) throw new Error(`${email} has MFA on: use loginWithMfa`);
  return t.secret(token);
}

/** A new practice and its first admin, made the way `pams admin bootstrap` makes them, then logged in. */
export async function createPractice(t: TestServer, name = `Practice ${unique()}`): Promise<{ practiceId: string; admin: TestUser }> {
  const email = newEmail('admin');
  const password = newPassword(t);
  const { practice, admin } = await bootstrapPractice(t.em(), { practiceName: name, email, password, name: 'Admin' });
  return { practiceId: practice.id, admin: { id: admin.id, email, password, practiceId: practice.id, token: await loginAs(t, email, password) } };
}

/** Invites `email` as `admin` and returns the invite and the token from the link in the captured mail. */
export async function sendInvite(t: TestServer, admin: TestUser, role: InvitableRole = 'clinician', email = newEmail(role)) {
  const invite = await t.client(admin.token).invites.create.mutate({ email, role });
  const token = t.secret(tokenFromMail(await t.smtp.waitForMail(email, /invited/)));
  return { invite, email, token };
}

/** Invites a user as `admin`, accepts through the link in the captured mail, logs in. */
export async function inviteUser(t: TestServer, admin: TestUser, role: InvitableRole = 'clinician'): Promise<TestUser> {
  const { invite, email, token: inviteToken } = await sendInvite(t, admin, role);
  const password = newPassword(t);
  const accepted = await t.client().invites.accept.mutate({ token: inviteToken, name: `Test ${role}`, password });
  t.secret(accepted.token);
  return { id: invite.userId!, email, password, practiceId: admin.practiceId, token: await loginAs(t, email, password) };
}

/** The TOTP time step at the server's time (`t.clock`: a manual clock moves it without waiting). */
const totpStep = (t: TestServer) => BigInt(Math.floor(t.clock.now().getTime() / 30_000));

/**
 * The TOTP code for a base32 secret at the server's time, as an authenticator app would show it. A code
 * is accepted once: a test that needs a second one moves the server's clock on by a step first.
 */
export const totpCode = (t: TestServer, secret: string) => generateHOTP(decodeBase32IgnorePadding(secret), totpStep(t), 6);

/** A well-formed code that no authenticator would accept now (none of the grace window's codes). */
export function wrongTotpCode(t: TestServer, secret: string): string {
  const key = decodeBase32IgnorePadding(secret);
  const now = totpStep(t);
  const valid = new Set([-2n, -1n, 0n, 1n, 2n].map((d) => generateHOTP(key, now + d, 6)));
  return ['000000', '111111', '222222', '333333', '444444', '555555'].find((c) => !valid.has(c))!;
}

/** Turns MFA on for the holder of `token` through the API; returns the secret and the recovery codes. */
export async function enableMfa(t: TestServer, token: string): Promise<{ secret: string; recoveryCodes: string[] }> {
  const { secret } = await t.client(token).mfa.enrol.mutate();
  const { recoveryCodes } = await t.client(token).mfa.confirm.mutate({ code: totpCode(t, t.secret(secret)) });
  recoveryCodes.forEach((c) => t.secret(c));
  return { secret, recoveryCodes };
}

/** Password, then TOTP: returns the full session token. */
export async function loginWithMfa(t: TestServer, email: string, password: string, secret: string): Promise<string> {
  const pending = await t.client().auth.login.mutate({ email, password });
  if (!pending.mfaRequired) throw new Error(`${email} has MFA off: use loginAs`);
  const { token } = await t.client(t.secret(pending.token)).auth.verifyMfa.mutate({ code: totpCode(t, secret) });
  return t.secret(token);
}

/** Follows `nextCursor` to the end; returns every item and how many pages it took. */
export async function allPages<T>(page: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>) {
  const items: T[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const result = await page(cursor);
    items.push(...result.items);
    cursor = result.nextCursor ?? undefined;
    pages++;
  } while (cursor);
  return { items, pages };
}

// Patients and their records.

export type NewPatient = RouterInputs['patients']['create'];
export type PatientDto = RouterOutputs['patients']['create'];

/** A patient created through the API as the holder of `token` (a clinician so joins the care team). */
export function createPatient(t: TestServer, token: string, overrides: Partial<NewPatient> = {}): Promise<PatientDto> {
  return t.client(token).patients.create.mutate({ givenName: 'Test', familyName: `Patient ${unique()}`, birthDate: '1980-01-01', gender: 'unknown', ...overrides });
}

/** The tRPC router of each kind of clinical record. */
export const recordRouters = { allergy: 'allergies', medication: 'medications', condition: 'conditions', observation: 'observations', history: 'historyEntries' } as const;
export type RecordKind = keyof typeof recordRouters;
export const recordKinds = Object.keys(recordRouters) as RecordKind[];

/** Valid fields of each kind; `n` makes the names differ. */
export const sampleRecordFields = {
  allergy: (n = 1): RouterInputs['allergies']['create']['fields'] => ({ substance: `Penicillin ${n}`, severity: 'moderate', reactions: ['rash'], onsetDate: '2015-06-01' }),
  medication: (n = 1): RouterInputs['medications']['create']['fields'] => ({ name: `Sertraline ${n}`, dose: '50 mg', route: 'oral', frequency: 'daily', startDate: '2024-01-10' }),
  condition: (n = 1): RouterInputs['conditions']['create']['fields'] => ({ name: `Depression ${n}`, code: { system: 'http://hl7.org/fhir/sid/icd-10', code: 'F32.1' }, onsetDate: '2023-11-02' }),
  observation: (n = 1): RouterInputs['observations']['create']['fields'] => ({
    category: 'vital-signs',
    name: `Heart rate ${n}`,
    code: { system: 'http://loinc.org', code: '8867-4' },
    valueNumber: 60 + n,
    unit: '/min',
    unitCode: '/min',
    referenceLow: 50,
    referenceHigh: 100,
    effectiveAt: '2025-02-03T10:00:00Z',
  }),
  history: (n = 1): RouterInputs['historyEntries']['create']['fields'] => ({ kind: 'family', description: `Father: type 2 diabetes ${n}`, relation: 'father' }),
} satisfies { [K in RecordKind]: (n?: number) => object };

type RecordSnapshot = { status: string; data: Record<string, unknown> };
export type AnyRecordDto = {
  id: string;
  patientId: string;
  recordKind: RecordKind;
  status: string;
  version: number;
  occurredAt: string;
  createdBy: string;
  updatedBy: string;
  createdAt: string;
  updatedAt: string;
} & Record<string, unknown>;

/**
 * One kind's five procedures with loose types, for tests that loop over every kind or send what the
 * types forbid (an unknown status). Real HTTP all the same; for one known kind, use `t.client(token).allergies`.
 */
export type RecordApi = {
  list: { query(input: { patientId: string; status?: string; cursor?: string; limit?: number }): Promise<{ items: AnyRecordDto[]; nextCursor: string | null }> };
  create: { mutate(input: { patientId: string; fields: object }): Promise<AnyRecordDto> };
  update: { mutate(input: { id: string; fields: object }): Promise<AnyRecordDto> };
  setStatus: { mutate(input: { id: string; status: string }): Promise<AnyRecordDto> };
  history: { query(input: { id: string }): Promise<Array<{ version: number; action: string; changedBy: string; changedAt: string; before: RecordSnapshot | null; after: RecordSnapshot }>> };
};
export const recordApi = (t: TestServer, token: string, kind: RecordKind) => t.client(token)[recordRouters[kind]] as unknown as RecordApi;

/** `count` entries of every kind for a patient, created in parallel per kind. */
export async function createRecordsOfEveryKind(t: TestServer, token: string, patientId: string, count: number) {
  for (const kind of recordKinds) {
    await Promise.all(Array.from({ length: count }, (_, i) => recordApi(t, token, kind).create.mutate({ patientId, fields: sampleRecordFields[kind](i + 1) })));
  }
}

/** The audit actions recorded about an entity, oldest first, with who did them. */
export function auditTrail(t: TestServer, entityId: string) {
  return sql<{ action: string; actor_id: string | null }>(t, 'select action, actor_id from audit_event where entity_id = ? order by at, id', [entityId]);
}

/** A clinician invites a patient to the portal; the patient accepts through the mailed link and logs in. */
export async function invitePatientToPortal(t: TestServer, token: string, patientId: string, email?: string): Promise<TestUser> {
  const invite = await t.client(token).patients.invitePortal.mutate({ patientId, ...(email && { email }) });
  const inviteToken = t.secret(tokenFromMail(await t.smtp.waitForMail(invite.email, /patient portal/)));
  const password = newPassword(t);
  const accepted = await t.client().invites.accept.mutate({ token: inviteToken, name: 'Portal Patient', password });
  t.secret(accepted.token);
  const session = await loginAs(t, invite.email, password);
  const { practice } = await t.client(session).auth.me.query();
  return { id: accepted.userId, email: invite.email, password, practiceId: practice.id, token: session };
}
