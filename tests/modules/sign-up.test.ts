import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../server/clock.ts';
import { createPatient, createPractice, invitePatientToPortal, inviteUser, loginAs, newEmail, newPassword, sampleRecordFields, recordApi, recordKinds, sql, type TestUser } from '../fixtures.ts';
import { startTestServer, type TestServer } from '../harness.ts';
import { rejection } from '../rejection.ts';
import { tokenFromMail } from '../smtp-capture.ts';
import { pdfOf, uploaded } from '../file-samples.ts';

const clock = manualClock(new Date());
let t: TestServer;
let admin: TestUser;
let clinician: TestUser;
let slug: string;

beforeAll(async () => {
  t = await startTestServer({}, { clock });
  ({ admin } = await createPractice(t, 'Harbour Clinic'));
  clinician = await inviteUser(t, admin);
  slug = `harbour-${Math.random().toString(36).slice(2, 8)}`;
  await t.client(admin.token).practices.update.mutate({ patientSignUp: 'open', slug });
});
afterAll(() => t.close());

type SignUp = { email?: string; password?: string; practice?: string; givenName?: string; familyName?: string; birthDate?: string };
const signUp = (over: SignUp = {}) =>
  t.client().auth.signUp.mutate({ practice: slug, givenName: 'Nora', familyName: 'Keane', birthDate: '1990-04-05', email: newEmail('signup'), password: newPassword(t), ...over });

/** Signs up and returns the verification token from the mailed link. */
async function signUpAndGetLink(over: SignUp & { email: string }) {
  expect(await signUp(over)).toEqual({ ok: true });
  return t.secret(tokenFromMail(await t.smtp.waitForMail(over.email, /verify-email\?token=/)));
}
const verify = (token: string) => t.client().auth.verifyEmail.mutate({ token });
const mailsTo = (email: string) => t.smtp.mails.filter((m) => m.to === email);
const usersWith = (email: string) => sql(t, 'select id, role, status, practice_id from users where email = ?', [email]);

describe('the practice setting', () => {
  it('is off by default, and an admin opens it and sets a slug', async () => {
    const { admin: other } = await createPractice(t);
    const current = await t.client(other.token).practices.current.query();
    expect(current).toMatchObject({ patientSignUp: 'off', slug: null });
    expect(await t.client(admin.token).practices.current.query()).toMatchObject({ patientSignUp: 'open', slug });
    expect((await t.client(admin.token).auth.me.query()).practice).toMatchObject({ patientSignUp: 'open', slug });
  });

  it('refuses a slug that is taken or looks like a UUID, and clinicians may not change it', async () => {
    const { admin: other } = await createPractice(t);
    expect(await rejection(t.client(other.token).practices.update.mutate({ slug }))).toMatchObject({ code: 'CONFLICT', reason: 'slug-taken', fieldErrors: { slug: ['is taken by another practice'] } });
    expect(await rejection(t.client(other.token).practices.update.mutate({ slug: other.practiceId }))).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { slug: [expect.stringContaining('UUID')] } });
    expect(await rejection(t.client(clinician.token).practices.update.mutate({ patientSignUp: 'off' }))).toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('signing up', () => {
  it('stores a pending sign-up only, with the token hashed, and mails a link', async () => {
    const email = newEmail('nora');
    const token = await signUpAndGetLink({ email });
    const [row] = await sql(t, 'select id, secret_hash, password_hash, expires_at from sign_up where email = ?', [email]);
    expect(row!.secret_hash).not.toContain(token.split('.')[1]);
    expect(row!.password_hash).toMatch(/^\$argon2id\$/);
    expect(new Date(row!.expires_at).getTime() - clock.now().getTime()).toBe(24 * 3600_000);
    expect(await usersWith(email)).toEqual([]);
    expect(await sql(t, 'select id from patient where email = ?', [email])).toEqual([]);
  });

  it('accepts the practice id as well as its slug', async () => {
    const email = newEmail('by-id');
    expect(await signUp({ email, practice: admin.practiceId })).toEqual({ ok: true });
    await t.smtp.waitForMail(email, /verify-email/);
  });

  it('is refused with a reason where sign-up is off or the practice is unknown, whether or not the email has an account', async () => {
    const { admin: closed } = await createPractice(t);
    for (const practice of [closed.practiceId, 'no-such-practice', '01a20a11-0000-7000-8000-000000000000']) {
      for (const email of [newEmail('nobody'), admin.email]) {
        const e = await rejection(signUp({ practice, email }));
        expect(e).toMatchObject({ code: 'FORBIDDEN', reason: 'sign-up-closed', message: 'This practice does not take sign-ups online: ask it for an invite' });
      }
    }
    expect(mailsTo(admin.email)).toEqual([]);
  });

  it('refuses a weak password and a future birth date with field errors', async () => {
    const e = await rejection(signUp({ password: t.secret('short-pw1'), birthDate: '2999-01-01' }));
    expect(e.code).toBe('BAD_REQUEST');
    expect(Object.keys(e.fieldErrors ?? {}).sort()).toEqual(['birthDate', 'password']);
  });
});

describe('an unverified account', () => {
  it('can do nothing: login answers as for a wrong password, the link is no credential', async () => {
    const email = newEmail('unverified');
    const password = newPassword(t);
    const token = await signUpAndGetLink({ email, password });
    const unverified = await rejection(t.client().auth.login.mutate({ email, password }));
    const unknown = await rejection(t.client().auth.login.mutate({ email: newEmail('unknown'), password }));
    expect(unverified).toMatchObject({ code: 'UNAUTHORIZED', reason: 'invalid-credentials' });
    expect({ ...unverified, requestId: null }).toEqual({ ...unknown, requestId: null });
    expect(await rejection(t.client(token).auth.me.query())).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await rejection(t.client(token).portal.records.query())).toMatchObject({ code: 'UNAUTHORIZED' });
  });
});

describe('verifying the email', () => {
  it('creates the account and its own new patient record, self-registered, in one go; then the account works', async () => {
    const email = newEmail('verified');
    const password = newPassword(t);
    const token = await signUpAndGetLink({ email, password, givenName: 'Órla', familyName: 'Nic Dhonnacha', birthDate: '1985-12-01' });
    expect(await verify(token)).toEqual({ ok: true });

    const [user] = await usersWith(email);
    expect(user).toMatchObject({ role: 'patient', status: 'active', practice_id: admin.practiceId });
    const session = await loginAs(t, email, password);
    const [mine] = await t.client(session).portal.records.query();
    expect(mine!.patient).toMatchObject({ givenName: 'Órla', familyName: 'Nic Dhonnacha', birthDate: '1985-12-01', email, self: true });
    const record = await t.client(admin.token).patients.byId.query({ id: mine!.patient.id });
    expect(record).toMatchObject({ selfRegistered: true, hasPortalAccount: true, status: 'active', gender: 'unknown', mergedIntoId: null });
    expect((await sql(t, 'select action from audit_event where entity_id = ?', [record.id])).map((r) => r.action)).toContain('patient.created');
  });

  it('is single use', async () => {
    const email = newEmail('once');
    const token = await signUpAndGetLink({ email });
    await verify(token);
    expect(await rejection(verify(token))).toMatchObject({ code: 'BAD_REQUEST', reason: 'verification-link-invalid' });
    expect(await sql(t, 'select id from patient where email = ?', [email])).toHaveLength(1);
  });

  it('expires after 24 hours', async () => {
    const email = newEmail('late');
    const token = await signUpAndGetLink({ email });
    clock.advance(24 * 3600_000);
    expect(await rejection(verify(token))).toMatchObject({ code: 'BAD_REQUEST', reason: 'verification-link-invalid' });
    expect(await usersWith(email)).toEqual([]);
  });

  it('refuses a tampered or made-up token, and the real one still works after', async () => {
    const email = newEmail('tamper');
    const token = await signUpAndGetLink({ email });
    const [id, secret] = token.split('.') as [string, string];
    const flipped = `${secret.slice(0, -1)}${secret.endsWith('a') ? 'b' : 'a'}`;
    for (const bad of [`${id}.${flipped}`, `${'b'.repeat(24)}.${secret}`, 'not-a-token-at-all']) {
      expect(await rejection(verify(bad))).toMatchObject({ code: 'BAD_REQUEST', reason: 'verification-link-invalid' });
    }
    expect(await verify(token)).toEqual({ ok: true });
  });

  it('voids the other pending sign-ups of the email; and refuses when the email was taken meanwhile', async () => {
    const email = newEmail('twice');
    const first = await signUpAndGetLink({ email });
    const second = await signUpAndGetLink({ email });
    await verify(second);
    expect(await rejection(verify(first))).toMatchObject({ reason: 'verification-link-invalid' });

    const invited = newEmail('invited');
    const pending = await signUpAndGetLink({ email: invited });
    await t.client(admin.token).invites.create.mutate({ email: invited, role: 'clinician' });
    expect(await rejection(verify(pending))).toMatchObject({ code: 'CONFLICT', reason: 'email-taken' });
  });

  it('is refused once the practice has turned sign-up off', async () => {
    const { admin: other } = await createPractice(t);
    await t.client(other.token).practices.update.mutate({ patientSignUp: 'open' });
    const email = newEmail('closing');
    const token = await signUpAndGetLink({ email, practice: other.practiceId });
    await t.client(other.token).practices.update.mutate({ patientSignUp: 'off' });
    expect(await rejection(verify(token))).toMatchObject({ code: 'FORBIDDEN', reason: 'sign-up-closed' });
  });
});

describe('taking over a chart', () => {
  it('signing up with the email of an existing patient record never links to that chart: it makes a new one', async () => {
    const email = newEmail('victim');
    const chart = await createPatient(t, clinician.token, { givenName: 'Nora', familyName: 'Keane', birthDate: '1990-04-05', email });
    await recordApi(t, clinician.token, 'allergy').create.mutate({ patientId: chart.id, fields: sampleRecordFields.allergy() });
    const password = newPassword(t);
    await verify(await signUpAndGetLink({ email, password, givenName: 'Nora', familyName: 'Keane', birthDate: '1990-04-05' }));

    const session = await loginAs(t, email, password);
    const records = await t.client(session).portal.records.query();
    expect(records).toHaveLength(1);
    expect(records[0]!.patient.id).not.toBe(chart.id);
    expect(records[0]!.allergies).toEqual([]);
    expect(await rejection(t.client(session).patients.byId.query({ id: chart.id }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await t.client(admin.token).patients.byId.query({ id: chart.id })).toMatchObject({ hasPortalAccount: false, selfRegistered: false });
  });

  it('signing up with the email of an existing account answers the same, creates nothing, and tells the owner', async () => {
    const owner = await invitePatientToPortal(t, clinician.token, (await createPatient(t, clinician.token, { email: newEmail('owner') })).id);
    const fresh = newEmail('fresh');
    const attacker = newPassword(t);
    const answers = [await signUp({ email: owner.email, password: attacker }), await signUp({ email: fresh })];
    expect(answers[0]).toEqual(answers[1]);

    const notice = await t.smtp.waitForMail(owner.email, /tried to sign up/);
    expect(notice).toContain('pams password forgot');
    expect(notice).not.toMatch(/token=/);
    await t.smtp.waitForMail(fresh, /verify-email/);
    expect(await sql(t, 'select id from sign_up where email = ?', [owner.email])).toEqual([]);
    expect(await usersWith(owner.email)).toHaveLength(1);
    expect(await rejection(t.client().auth.login.mutate({ email: owner.email, password: attacker }))).toMatchObject({ reason: 'invalid-credentials' });
    await loginAs(t, owner.email, owner.password);
  });
});

describe('rate limits', () => {
  const signUpFrom = (server: TestServer, ip: string, email: string) =>
    server.fetch(`${server.url}/trpc/auth.signUp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
      body: JSON.stringify({ practice: slug, givenName: 'R', familyName: 'L', birthDate: '1990-01-01', email, password: 'a-long-enough-password' }),
    });

  it('counts sign-ups per email and IP, and per IP, in PostgreSQL, answering 429 past them', async () => {
    const lt = await startTestServer({ LOGIN_MAX_PER_ACCOUNT_IP: '3', LOGIN_MAX_PER_IP: '5', TRUST_PROXY: 'true' });
    try {
      const { admin: a } = await createPractice(lt);
      await lt.client(a.token).practices.update.mutate({ patientSignUp: 'open', slug });
      const email = newEmail('limited');
      const perEmail = [];
      for (let i = 0; i < 4; i++) perEmail.push((await signUpFrom(lt, '10.9.0.1', email)).status);
      expect(perEmail).toEqual([200, 200, 200, 429]);
      const perIp = [];
      for (let i = 0; i < 6; i++) perIp.push((await signUpFrom(lt, '10.9.0.2', newEmail('spray'))).status);
      expect(perIp).toEqual([200, 200, 200, 200, 200, 429]);
      expect((await signUpFrom(lt, '10.9.0.3', newEmail('elsewhere'))).status).toBe(200);
      expect((await sql(lt, 'select count(*)::int as n from login_throttle'))[0]!.n).toBeGreaterThan(0);
    } finally {
      await lt.close();
    }
  });
});

describe('patients.list', () => {
  it('filters self-registered patients', async () => {
    const email = newEmail('listed');
    await verify(await signUpAndGetLink({ email, familyName: 'Zzlisted' }));
    const list = (selfRegistered?: boolean) => t.client(admin.token).patients.list.query({ name: 'Zzlisted', ...(selfRegistered === undefined ? {} : { selfRegistered }) });
    expect((await list(true)).items.map((p) => p.email)).toEqual([email]);
    expect((await list(false)).items).toEqual([]);
    expect((await list()).items).toHaveLength(1);
  });
});

describe('patients.merge', () => {
  /** A self-registered patient with a portal account, and a staff-made chart of the same person. */
  async function duplicatePair() {
    const email = newEmail('dup');
    const password = newPassword(t);
    await verify(await signUpAndGetLink({ email, password }));
    const session = await loginAs(t, email, password);
    const [mine] = await t.client(session).portal.records.query();
    const target = await createPatient(t, clinician.token, { givenName: 'Nora', familyName: 'Keane' });
    return { source: mine!.patient.id, target: target.id, session };
  }

  /** Every foreign key to the patient table, but the patient's own: what a merge must carry. */
  const patientForeignKeys = () =>
    sql<{ table_name: string; column_name: string }>(
      t,
      `select c.conrelid::regclass::text as table_name, a.attname as column_name
       from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any (c.conkey)
       where c.contype = 'f' and c.confrelid = 'patient'::regclass and c.conrelid <> 'patient'::regclass order by 1`,
    );

  it('moves everything the source gathered, and its portal account, to the target; the source stays, marked merged', async () => {
    const { source, target, session } = await duplicatePair();
    const api = t.client(admin.token);
    const carer = await inviteUser(t, admin);
    await api.careTeams.add.mutate({ patientId: source, clinicianId: carer.id });
    await api.careTeams.add.mutate({ patientId: source, clinicianId: clinician.id }); // already on the target's team
    for (const kind of recordKinds) await recordApi(t, admin.token, kind).create.mutate({ patientId: source, fields: sampleRecordFields[kind]() });
    const assessment = await api.assessments.start.mutate({ patientId: source, questionnaireKey: 'phq-9' });
    const note = await api.notes.create.mutate({ patientId: source, body: '- Walk every day' });
    await api.relatedPersons.create.mutate({ patientId: source, relationship: 'sister', name: 'Eva Keane' });
    const guardian = await createPatient(t, clinician.token, { email: newEmail('guardian') });
    await invitePatientToPortal(t, clinician.token, guardian.id);
    await api.patients.addGuardian.mutate({ patientId: source, guardianPatientId: guardian.id });
    await api.availability.setWeeklyHours.mutate({ clinicianId: carer.id, hours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '00:00', end: '24:00' })) });
    const type = await api.appointmentTypes.create.mutate({ name: `Visit ${Math.random()}`, durationMinutes: 30 });
    await api.appointments.book.mutate({ clinicianId: carer.id, patientId: source, typeId: type.id, startsAt: '2030-02-01T10:00:00Z' });
    // What the API makes only through jobs, HL7 or an invite to a record without an account: written directly.
    const step = (
      await sql(
        t,
        `insert into step (id, practice_id, patient_id, note_id, kind, state, title, provenance_ciphertext, created_at, updated_at) values (gen_random_uuid(), ?, ?, ?, 'plan', 'active', 'Walk', 'x', now(), now()) returning id`,
        [admin.practiceId, source, note.id],
      )
    )[0]!.id;
    await sql(
      t,
      `insert into reminder_delivery (id, practice_id, patient_id, step_id, local_day, channel, status, attempts, created_at) values (gen_random_uuid(), ?, ?, ?, '2030-01-01', 'email', 'pending', 0, now())`,
      [admin.practiceId, source, step],
    );
    await sql(t, `insert into alert (id, practice_id, patient_id, assessment_id, code, label, created_at) values (gen_random_uuid(), ?, ?, ?, 'x', 'x', now())`, [
      admin.practiceId,
      source,
      assessment.id,
    ]);
    await sql(t, `insert into hl7_message (id, practice_id, control_id, message_type, patient_id, received_at) values (gen_random_uuid(), ?, 'c1', 'ADT^A04', ?, now())`, [admin.practiceId, source]);
    const invitee = await createPatient(t, clinician.token, { email: newEmail('invitee') });
    await api.patients.invitePortal.mutate({ patientId: invitee.id });
    await sql(t, 'update invite set patient_id = ? where patient_id = ?', [source, invitee.id]);

    // What the patient asked for in the portal: a clinician to take them on, a medication delivered.
    const taking = await inviteUser(t, admin);
    await t.client(taking.token).clinicians.updateProfile.mutate({ id: taking.id, acceptsNewPatients: true });
    await t.client(session).careRequests.create.mutate({ patientId: source, clinicianId: taking.id });
    const [medication] = (await api.medications.list.query({ patientId: source })).items;
    await t.client(session).deliveries.create.mutate({ medicationId: medication!.id, quantity: 1, address: { lines: ['1 Quay Street'], city: 'Galway', country: 'IE' } });
    await t.client(session).documents.create.mutate({ patientId: source, fileId: await uploaded(t, session, pdfOf()), title: 'My referral', category: 'referral' });
    await t.client(session).sos.raise.mutate({ patientId: source, text: 'Dizzy', callbackPhone: '+353871234567' });
    await t.client(session).conversations.create.mutate({ patientId: source, kind: 'care-team', firstMessage: { body: 'A question' } });
    // What billing holds of them: a charge on a draft of theirs, a dependent's draft addressed to them as guardian, and payments by and for them.
    const service = await api.services.create.mutate({ code: 'FU', name: 'Follow-up', price: 6000 });
    await api.charges.create.mutate({ patientId: source, serviceId: service.id });
    await api.invoices.createDraft.mutate({ patientId: source });
    const dependent = await createPatient(t, clinician.token);
    await api.patients.addGuardian.mutate({ patientId: dependent.id, guardianPatientId: source });
    await api.invoices.createDraft.mutate({ patientId: dependent.id, billTo: { kind: 'guardian', guardianPatientId: source } });
    await api.payments.record.mutate({ patientId: source, amount: 500, method: 'cash' }); // credit on account
    await api.payments.record.mutate({ patientId: dependent.id, amount: 300, method: 'card', payer: { kind: 'guardian', guardianPatientId: source } });

    const tables = await patientForeignKeys();
    const countsFor = async (id: string) =>
      Object.fromEntries(
        await Promise.all(tables.map(async ({ table_name, column_name }) => [table_name, (await sql(t, `select count(*)::int as n from ${table_name} where ${column_name} = ?`, [id]))[0]!.n])),
      );
    const onSource = await countsFor(source);
    const onTarget = await countsFor(target);
    // Each kind of row that points at a patient has a row on the source here: a new kind fails this until it is moved too.
    expect(Object.entries(onSource).filter(([, n]) => n === 0)).toEqual([]);

    const merged = await api.patients.merge.mutate({ sourceId: source, targetId: target });
    expect(merged.source).toMatchObject({ id: source, status: 'merged', mergedIntoId: target, hasPortalAccount: false });
    expect(merged.target).toMatchObject({ id: target, status: 'active', hasPortalAccount: true });
    expect(merged.moved).toMatchObject({
      records: 5,
      assessments: 1,
      alerts: 1,
      notes: 1,
      steps: 1,
      reminderDeliveries: 1,
      appointments: 1,
      relatedPersons: 1,
      invites: 1,
      hl7Messages: 1,
      careRequests: 1,
      deliveries: 1,
      documents: 1,
      sos: 1,
      charges: 1,
      invoices: 1,
      invoicesToGuardian: 1,
      careTeam: 1,
      guardians: 1,
      portalAccount: 1,
    });

    const after = await countsFor(target);
    for (const { table_name } of tables) {
      expect((await countsFor(source))[table_name], table_name).toBe(0);
      // The care team's doubled clinician is dropped, not moved.
      expect(after[table_name], table_name).toBe(onTarget[table_name]! + onSource[table_name]! - (table_name === 'care_team_member' ? 1 : 0));
    }
    expect(await sql(t, 'select portal_user_id from patient where id = ?', [source])).toEqual([{ portal_user_id: null }]);
    const [mine] = await t.client(session).portal.records.query();
    expect(mine!.patient.id).toBe(target);
    expect((await t.client(carer.token).patients.byId.query({ id: target })).id).toBe(target);
    for (const id of [source, target])
      expect(await sql(t, `select action, actor_id from audit_event where entity_id = ? and action = 'patient.merged'`, [id])).toEqual([{ action: 'patient.merged', actor_id: admin.id }]);

    // The merged record leaves default lists, is listed as merged, and can no longer change status.
    const listed = await api.patients.list.query({ selfRegistered: true, limit: 100 });
    expect(listed.items.map((p) => p.id)).not.toContain(source);
    expect((await api.patients.list.query({ status: 'merged', limit: 100 })).items.map((p) => p.id)).toContain(source);
    expect(await rejection(api.patients.restore.mutate({ id: source }))).toMatchObject({ code: 'CONFLICT', reason: 'patient-merged' });
    expect(await rejection(api.patients.merge.mutate({ sourceId: source, targetId: target }))).toMatchObject({ code: 'CONFLICT', reason: 'patient-merged' });
    const other = await createPatient(t, clinician.token);
    expect(await rejection(api.patients.merge.mutate({ sourceId: other.id, targetId: source }))).toMatchObject({ code: 'CONFLICT', reason: 'patient-merged' });
  });

  it('is for admins only: clinicians and patients are refused', async () => {
    const { source, target, session } = await duplicatePair();
    for (const token of [clinician.token, session]) {
      expect(await rejection(t.client(token).patients.merge.mutate({ sourceId: source, targetId: target }))).toMatchObject({ code: 'FORBIDDEN' });
    }
    expect((await t.client(admin.token).patients.byId.query({ id: source })).status).toBe('active');
  });

  it("refuses another practice's record, the record itself, and two records that both have a portal account", async () => {
    const { source, target } = await duplicatePair();
    const { admin: otherAdmin } = await createPractice(t);
    const foreign = await createPatient(t, otherAdmin.token);
    const api = t.client(admin.token);
    expect(await rejection(api.patients.merge.mutate({ sourceId: source, targetId: foreign.id }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await rejection(t.client(otherAdmin.token).patients.merge.mutate({ sourceId: foreign.id, targetId: target }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await rejection(api.patients.merge.mutate({ sourceId: source, targetId: source }))).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { targetId: [expect.any(String)] } });
    await invitePatientToPortal(t, clinician.token, target, newEmail('second-login'));
    expect(await rejection(api.patients.merge.mutate({ sourceId: source, targetId: target }))).toMatchObject({ code: 'CONFLICT', reason: 'portal-account-exists' });
    expect((await api.patients.byId.query({ id: source })).status).toBe('active');
  });
});
