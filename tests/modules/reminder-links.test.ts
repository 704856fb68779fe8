import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signLink } from '../../server/modules/reminders/reminder-links.ts';
import { SWEEP_REMINDERS } from '../../server/modules/reminders/reminders.jobs.ts';
import { deliveries, extracted, NOTE, patientWithPortal, startCareLoop } from '../care-loop-setup.ts';
import { createPatient, createPractice, newEmail, sql } from '../fixtures.ts';
import { linkFromMail } from '../smtp-capture.ts';
import { runJobNow, startWorker, waitFor } from '../workers.ts';

let world: Awaited<ReturnType<typeof startCareLoop>>;

beforeAll(async () => {
  world = await startCareLoop();
  await startWorker(world.t);
});
afterAll(() => world.close());

/** A patient with a note of two plan items (amlodipine at 08:30, a walk at 09:00 New York time), reminded on 2 March. */
async function remindedPatient({ portal = true } = {}) {
  const { t, clock, clinician } = world;
  clock.set('2026-03-02T13:00:00Z');
  const { patient, portalUser } = portal
    ? await patientWithPortal(t, clinician).then(({ patient, portal }) => ({ patient, portalUser: portal }))
    : { patient: await createPatient(t, clinician.token, { email: newEmail('patient'), timeZone: 'America/New_York' }), portalUser: null };
  const note = await t.client(clinician.token).notes.create.mutate({ patientId: patient.id, body: NOTE });
  await extracted(t, clinician.token, note.id);
  const steps = (await t.client(clinician.token).steps.list.query({ patientId: patient.id, kind: 'plan' })).items;
  const take = steps.find((s) => s.title.startsWith('Take'))!;
  const walk = steps.find((s) => s.title.startsWith('Walk'))!;
  clock.set('2026-03-02T14:45:00Z');
  await runJobNow(t, SWEEP_REMINDERS);
  const mail = await t.smtp.waitForMail(patient.email!, /amlodipine/);
  await waitFor(async () => (await deliveries(t, take.id)).every((d) => d.status === 'sent'), { what: 'email marked sent' });
  return { patient, portalUser, take, walk, mail };
}

const form = (path: string, fields: Record<string, string>, headers: Record<string, string> = { 'sec-fetch-site': 'same-origin' }) =>
  world.t.fetch(`${world.t.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields) });
const stepRow = async (id: string) => (await sql(world.t, 'select state, done_by from step where id = ?', [id]))[0]!;
const audits = (action: string, entityId: string) => sql(world.t, 'select actor_id, practice_id, detail from audit_event where action = ? and entity_id = ?', [action, entityId]);

describe('the links of a reminder mail', () => {
  it('carry a one-click check-in link and an unsubscribe link, also as RFC 8058 headers, with no PHI in them', async () => {
    const { patient, take, mail } = await remindedPatient();
    const checkIn = linkFromMail(mail, 'check-in');
    const unsubscribe = linkFromMail(mail, 'unsubscribe');
    const headers = mail.slice(0, mail.search(/\r?\n\r?\n/)).replace(/\r?\n(?=[ \t])/g, '');
    expect(headers).toContain(`List-Unsubscribe: <${unsubscribe.url}>`);
    expect(headers).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    for (const { token } of [checkIn, unsubscribe]) {
      const decoded = Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8');
      expect(decoded).not.toMatch(/amlodipine|Walk|Patient|@/);
      expect(decoded).toContain(patient.id);
    }
    expect(Buffer.from(checkIn.token.split('.')[1]!, 'base64url').toString('utf8')).toContain(take.id);
  });

  it('check in: GET only asks; POST checks in that plan item alone, once, audited as the patient', async () => {
    const { t } = world;
    const { portalUser, take, walk, mail } = await remindedPatient();
    const { token } = linkFromMail(mail, 'check-in');

    const asked = await t.fetch(`${t.url}/check-in?token=${token}`);
    expect(asked.status).toBe(200);
    expect(asked.headers.get('cache-control')).toBe('no-store');
    const page = await asked.text();
    expect(page).toContain('Take amlodipine');
    expect(page).toContain('<button type="submit">Yes, check in</button>');
    expect((await stepRow(take.id)).state).toBe('active');
    expect(await audits('step.checked-in', take.id)).toEqual([]);

    // A form from another site (or saying nothing of where from) changes nothing.
    for (const headers of [{}, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }] as Record<string, string>[]) expect((await form('/check-in', { token }, headers)).status).toBe(403);
    expect((await stepRow(take.id)).state).toBe('active');

    const done = await form('/check-in', { token });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('you are checked in for “Take amlodipine');
    expect(await stepRow(take.id)).toEqual({ state: 'done', done_by: portalUser!.id });
    expect(await audits('step.checked-in', take.id)).toEqual([{ actor_id: portalUser!.id, practice_id: portalUser!.practiceId, detail: { patientId: take.patientId, via: 'email-link' } }]);
    expect((await stepRow(walk.id)).state).toBe('active'); // that step alone

    // Used up: a second POST and a second visit say so, in words, and record nothing more.
    const again = await form('/check-in', { token });
    expect(again.status).toBe(410);
    expect(await again.text()).toContain('You have already checked in for “Take amlodipine');
    const visit = await t.fetch(`${t.url}/check-in?token=${token}`);
    expect(visit.status).toBe(410);
    expect(await visit.text()).toContain('already checked in');
    expect(await audits('step.checked-in', take.id)).toHaveLength(1);
  });

  it('a patient without a portal account checks in in their own name', async () => {
    const { patient, take, mail } = await remindedPatient({ portal: false });
    expect((await form('/check-in', { token: linkFromMail(mail, 'check-in').token })).status).toBe(200);
    expect(await stepRow(take.id)).toEqual({ state: 'done', done_by: patient.id });
    expect((await audits('step.checked-in', take.id)).map((a) => a.actor_id)).toEqual([patient.id]);
  });

  it('answer an expired, altered, unknown, foreign-practice or cut-short link in words with 4xx, and change nothing', async () => {
    const { t, clock } = world;
    const { patient, take, mail } = await remindedPatient();
    const { token } = linkFromMail(mail, 'check-in');
    const [keyId, payload, mac] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const other = await createPractice(t);
    const keys = t.config.encryptionKeys;
    const cases: [string, string, number, string][] = [
      ['altered', `${keyId}.${Buffer.from(JSON.stringify({ ...claims, stepId: randomUUID() })).toString('base64url')}.${mac}`, 404, 'has been changed'],
      ['unknown step', signLink(keys, { ...claims, stepId: randomUUID() }), 404, 'could not find what this link is for'],
      ['another practice', signLink(keys, { ...claims, practiceId: other.practiceId }), 404, 'could not find what this link is for'],
      ['an unsubscribe link', linkFromMail(mail, 'unsubscribe').token, 404, 'has been changed'],
      ['a retired key', signLink([{ id: 'retired', key: Buffer.alloc(32, 9) }], claims), 410, 'too old to use'],
      ['cut short', token.slice(0, 40), 400, 'not complete'],
      ['empty', '', 400, 'not complete'],
      ['not JSON', `${keyId}.bm90IGpzb24.${mac}`, 400, 'not complete'],
    ];
    for (const [what, bad, status, words] of cases) {
      const got = await t.fetch(`${t.url}/check-in?token=${encodeURIComponent(bad)}`);
      expect([what, got.status]).toEqual([what, status]);
      expect(await got.text()).toContain(words);
      const posted = await form('/check-in', { token: bad });
      expect([what, posted.status]).toEqual([what, status]);
    }
    expect((await t.fetch(`${t.url}/check-in`)).status).toBe(400);

    // 48 hours later the link has expired.
    clock.set('2026-03-04T14:45:01Z');
    const late = await form('/check-in', { token });
    expect(late.status).toBe(410);
    expect(await late.text()).toContain('This link has expired: check-in links work for 48 hours');
    expect((await stepRow(take.id)).state).toBe('active');
    expect(await audits('step.checked-in', take.id)).toEqual([]);
    expect((await sql(t, 'select reminder_email_opt_out_at from patient where id = ?', [patient.id]))[0]!.reminder_email_opt_out_at).toBeNull();
  });

  it('unsubscribe: one click opts out of emails; the in-app reminders go on; staff can turn emails back on', async () => {
    const { t, clock, clinician } = world;
    const { patient, portalUser, walk, mail } = await remindedPatient();
    const { token } = linkFromMail(mail, 'unsubscribe');
    const optOut = async () => (await sql(t, 'select reminder_email_opt_out_at from patient where id = ?', [patient.id]))[0]!.reminder_email_opt_out_at;

    const asked = await t.fetch(`${t.url}/unsubscribe?token=${token}`);
    expect(asked.status).toBe(200);
    expect(await asked.text()).toContain('<button type="submit">Stop reminder emails</button>');
    expect(await optOut()).toBeNull();
    // Without the one-click body, a POST must come from our page.
    expect((await form(`/unsubscribe?token=${token}`, { 'List-Unsubscribe': 'One-Click', more: 'x' }, {})).status).toBe(403);
    expect(await optOut()).toBeNull();

    // What a mail provider sends (RFC 8058): no Origin, no Sec-Fetch-Site.
    const oneClick = await form(`/unsubscribe?token=${token}`, { 'List-Unsubscribe': 'One-Click' }, {});
    expect(oneClick.status).toBe(200);
    expect(await oneClick.text()).toContain('You will get no more reminder emails');
    expect(new Date(await optOut())).toEqual(new Date('2026-03-02T14:45:00Z'));
    expect(await audits('patient.reminder-email-opted-out', patient.id)).toEqual([{ actor_id: portalUser!.id, practice_id: portalUser!.practiceId, detail: { via: 'email-link' } }]);
    expect((await form(`/unsubscribe?token=${token}`, { 'List-Unsubscribe': 'One-Click' }, {})).status).toBe(200);
    expect(await audits('patient.reminder-email-opted-out', patient.id)).toHaveLength(1);
    expect(await (await t.fetch(`${t.url}/unsubscribe?token=${token}`)).text()).toContain('You are unsubscribed');

    // Staff see it, and the next day brings the in-app reminder but no email.
    const dto = await t.client(clinician.token).patients.byId.query({ id: patient.id });
    expect(dto.reminderEmailOptOutAt).toBe('2026-03-02T14:45:00.000Z');
    clock.set('2026-03-03T14:45:00Z');
    await runJobNow(t, SWEEP_REMINDERS);
    expect((await deliveries(t, walk.id)).filter((d) => d.local_day === '2026-03-03').map((d) => [d.channel, d.status])).toEqual([
      ['email', 'skipped'],
      ['in-app', 'sent'],
    ]);
    const inApp = (await t.client(portalUser!.token).reminders.list.query({ patientId: patient.id })).items;
    expect(inApp.filter((r) => r.stepId === walk.id).map((r) => r.localDay)).toEqual(['2026-03-03', '2026-03-02']);

    // A clinician clears it: the day after, the email comes again.
    const cleared = await t.client(clinician.token).patients.update.mutate({ id: patient.id, reminderEmailOptOutAt: null });
    expect(cleared.reminderEmailOptOutAt).toBeNull();
    clock.set('2026-03-04T14:45:00Z');
    await runJobNow(t, SWEEP_REMINDERS);
    await t.smtp.waitForMail(patient.email!, /Walk 30 minutes/);
  });

  it('a frontend of its own at APP_URL serves the same links through the API: reminders.lookupCheckIn, checkIn, lookupUnsubscribe, unsubscribe', async () => {
    const { t } = world;
    const { portalUser, take, walk, mail } = await remindedPatient();
    const { token } = linkFromMail(mail, 'check-in');
    const api = t.client(); // no login: the signed token is the credential

    expect(await api.reminders.lookupCheckIn.query({ token })).toEqual({ title: take.title, localDay: '2026-03-02', practiceName: expect.any(String), state: 'active' });
    expect((await stepRow(take.id)).state).toBe('active');
    expect(await api.reminders.checkIn.mutate({ token })).toEqual({ title: take.title, outcome: 'checked-in' });
    expect(await stepRow(take.id)).toEqual({ state: 'done', done_by: portalUser!.id });
    expect((await stepRow(walk.id)).state).toBe('active');
    expect(await api.reminders.checkIn.mutate({ token })).toEqual({ title: take.title, outcome: 'done' });
    expect(await audits('step.checked-in', take.id)).toHaveLength(1);

    const refused = (call: Promise<unknown>) =>
      call.then(
        () => 'answered',
        (e: { data: { code: string; reason: string } }) => [e.data.code, e.data.reason],
      );
    expect(await refused(api.reminders.checkIn.mutate({ token: token.slice(0, 30) }))).toEqual(['BAD_REQUEST', 'link-malformed']);
    expect(
      await refused(
        api.reminders.lookupCheckIn.query({
          token: signLink(t.config.encryptionKeys, {
            purpose: 'check-in',
            practiceId: portalUser!.practiceId,
            patientId: take.patientId,
            stepId: randomUUID(),
            localDay: '2026-03-02',
            expiresAt: Date.now() + 1e6,
          }),
        }),
      ),
    ).toEqual(['NOT_FOUND', 'link-invalid']);
    expect(await refused(api.reminders.unsubscribe.mutate({ token }))).toEqual(['NOT_FOUND', 'link-invalid']); // a check-in link is not an unsubscribe link

    const unsubscribe = linkFromMail(mail, 'unsubscribe').token;
    expect(await api.reminders.lookupUnsubscribe.query({ token: unsubscribe })).toEqual({ practiceName: expect.any(String), optedOut: false });
    expect(await api.reminders.unsubscribe.mutate({ token: unsubscribe })).toEqual({ practiceName: expect.any(String), optedOut: true });
    expect(await api.reminders.lookupUnsubscribe.query({ token: unsubscribe })).toEqual({ practiceName: expect.any(String), optedOut: true });
  });
});
