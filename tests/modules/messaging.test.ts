import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../server/clock.ts';
import { openMessageBody } from '../../server/modules/messaging/message-crypto.ts';
import { SEND_MESSAGE_MAILS } from '../../server/modules/messaging/messaging.jobs.ts';
import type { NotificationOutput } from '../../shared/schemas/notifications.ts';
import { pdfOf, uploaded } from '../file-samples.ts';
import { auditTrail, createPatient, createPractice, invitePatientToPortal, inviteUser, sql, type TestUser } from '../fixtures.ts';
import { startTestServer, type TestServer } from '../harness.ts';
import { rejection } from '../rejection.ts';
import { runJobNow, startWorker, waitFor } from '../workers.ts';

const clock = manualClock(new Date());
const MINUTE = 60_000;

let t: TestServer;
let admin: TestUser;
let carer: TestUser;
let outsider: TestUser;
let otherAdmin: TestUser;
/** Ana's portal account: her own record, and her son Ben's as his guardian. */
let ana: TestUser;
let anaId: string;
let benId: string;

const api = (user: TestUser) => t.client(user.token);
const begin = (user: TestUser, patientId: string, kind: 'care-team' | 'staff', body?: string) => api(user).conversations.create.mutate({ patientId, kind, ...(body && { firstMessage: { body } }) });
const unreadOf = async (user: TestUser, conversationId: string) => (await api(user).conversations.list.query({ limit: 100 })).items.find((c) => c.id === conversationId)?.unreadCount;
const document = async (patientId: string, staffOnly = false) =>
  (await api(carer).documents.create.mutate({ patientId, fileId: await uploaded(t, carer.token, pdfOf()), title: 'Referral letter', category: 'referral', staffOnly })).id;

beforeAll(async () => {
  t = await startTestServer({}, { clock });
  ({ admin } = await createPractice(t));
  carer = await inviteUser(t, admin);
  outsider = await inviteUser(t, admin);
  ({ admin: otherAdmin } = await createPractice(t));
  anaId = (await createPatient(t, carer.token, { givenName: 'Ana', familyName: 'Moran', email: 'ana.moran@example.test' })).id;
  benId = (await createPatient(t, carer.token, { givenName: 'Ben', familyName: 'Moran', birthDate: '2015-05-05' })).id;
  ana = await invitePatientToPortal(t, carer.token, anaId);
  await api(carer).patients.addGuardian.mutate({ patientId: benId, guardianPatientId: anaId });
});
afterAll(() => t?.close());

describe('care-team conversations', () => {
  it('lets the patient write to the care team: counted unread for the clinician until marked read, audited, sealed at rest', async () => {
    const c = await begin(ana, anaId, 'care-team', 'My knee still hurts after the walk');
    expect(c).toMatchObject({
      patientId: anaId,
      kind: 'care-team',
      createdBy: ana.id,
      unreadCount: 0,
      firstMessage: { body: 'My knee still hurts after the walk', senderId: ana.id, retracted: false },
    });
    expect(await unreadOf(carer, c.id)).toBe(1);
    expect(await unreadOf(ana, c.id)).toBe(0);
    expect(await unreadOf(admin, c.id)).toBe(1);

    const page = await api(carer).messages.list.query({ conversationId: c.id });
    expect(page.items.map((m) => m.body)).toEqual(['My knee still hurts after the walk']);
    clock.advance(MINUTE);
    const reply = await api(carer).messages.send.mutate({ conversationId: c.id, body: 'Rest it for a week, please' });
    // Replying marks what came before read for the one who replies.
    expect(await unreadOf(carer, c.id)).toBe(0);
    expect(await unreadOf(ana, c.id)).toBe(1);
    expect(await api(ana).messages.markRead.mutate({ conversationId: c.id, upToMessageId: reply.id })).toEqual({ unreadCount: 0 });
    // Never back: marking an older message read leaves the mark where it was.
    expect(await api(ana).messages.markRead.mutate({ conversationId: c.id, upToMessageId: c.firstMessage!.id })).toEqual({ unreadCount: 0 });
    const listed = (await api(ana).conversations.list.query({ patientId: anaId })).items.find((x) => x.id === c.id)!;
    expect(listed.lastMessageAt).toBe(reply.createdAt);

    const [row] = await sql(t, 'select * from message where id = ?', [reply.id]);
    expect(JSON.stringify(row)).not.toContain('Rest it');
    expect(openMessageBody(t.config.encryptionKeys, { id: row!.id, kekId: row!.kek_id, wrappedKey: row!.wrapped_key, bodyCiphertext: row!.body_ciphertext })).toBe('Rest it for a week, please');
    // Bound to its row: the same ciphertext under another id does not open.
    expect(() => openMessageBody(t.config.encryptionKeys, { id: randomUUID(), kekId: row!.kek_id, wrappedKey: row!.wrapped_key, bodyCiphertext: row!.body_ciphertext })).toThrow();

    expect((await auditTrail(t, c.id)).map((a) => a.action)).toEqual(expect.arrayContaining(['conversation.created', 'message.listed', 'message.read-marked']));
    expect(await auditTrail(t, reply.id)).toEqual([{ action: 'message.sent', actor_id: carer.id }]);
  });

  it('lets a guardian write about a dependent, and pages the messages newest first', async () => {
    const c = await begin(ana, benId, 'care-team', 'Ben has a rash');
    for (const body of ['It spread overnight', 'Should we come in?']) {
      clock.advance(1000);
      await api(ana).messages.send.mutate({ conversationId: c.id, body });
    }
    const first = await api(carer).messages.list.query({ conversationId: c.id, limit: 2 });
    const second = await api(carer).messages.list.query({ conversationId: c.id, limit: 2, cursor: first.nextCursor! });
    expect([...first.items, ...second.items].map((m) => m.body)).toEqual(['Should we come in?', 'It spread overnight', 'Ben has a rash']);
    expect(second.nextCursor).toBeNull();
    expect(await unreadOf(carer, c.id)).toBe(3);
  });

  it('answers NOT_FOUND to a clinician off the care team and to another practice, and lists nothing of it', async () => {
    const c = await begin(carer, anaId, 'care-team', 'Your results are in');
    for (const user of [outsider, otherAdmin]) {
      expect((await rejection(api(user).messages.list.query({ conversationId: c.id }))).code).toBe('NOT_FOUND');
      expect((await rejection(api(user).messages.send.mutate({ conversationId: c.id, body: 'hello' }))).code).toBe('NOT_FOUND');
      expect((await rejection(api(user).messages.markRead.mutate({ conversationId: c.id, upToMessageId: c.firstMessage!.id }))).code).toBe('NOT_FOUND');
      expect((await rejection(api(user).messages.retract.mutate({ id: c.firstMessage!.id }))).code).toBe('NOT_FOUND');
      expect((await rejection(api(user).conversations.create.mutate({ patientId: anaId, kind: 'care-team' }))).code).toBe('NOT_FOUND');
      expect((await rejection(api(user).conversations.list.query({ patientId: anaId }))).code).toBe('NOT_FOUND');
      expect((await api(user).conversations.list.query({})).items).toEqual([]);
    }
    expect(await sql(t, 'select count(*)::int as n from message where conversation_id = ?', [c.id])).toEqual([{ n: 1 }]);
  });
});

describe('staff conversations', () => {
  it('are for staff only: the patient may not begin one, never sees one exist, and cannot write in it', async () => {
    expect((await rejection(begin(ana, anaId, 'staff', 'hello'))).code).toBe('FORBIDDEN');
    const c = await begin(carer, anaId, 'staff', 'Ana seems low: shall we refer her?');
    expect(await unreadOf(admin, c.id)).toBe(1);
    expect((await api(ana).conversations.list.query({ limit: 100 })).items.map((x) => x.id)).not.toContain(c.id);
    expect((await api(ana).conversations.list.query({ patientId: anaId, limit: 100 })).items.map((x) => x.id)).not.toContain(c.id);
    expect((await rejection(api(ana).messages.list.query({ conversationId: c.id }))).code).toBe('NOT_FOUND');
    expect((await rejection(api(ana).messages.send.mutate({ conversationId: c.id, body: 'I can see this?' }))).code).toBe('NOT_FOUND');
    expect((await rejection(api(ana).messages.markRead.mutate({ conversationId: c.id, upToMessageId: c.firstMessage!.id }))).code).toBe('NOT_FOUND');
    expect(await api(admin).messages.send.mutate({ conversationId: c.id, body: 'Yes, to Dr Byrne' })).toMatchObject({ senderId: admin.id });
    expect(
      (await sql(t, "select user_id from notification where kind = 'message.received' and subject_id in (select id from message where conversation_id = ?)", [c.id])).map((r) => r.user_id),
    ).not.toContain(ana.id);
  });
});

describe('messages.send', () => {
  it('is idempotent on clientMessageId: a retry answers the message already sent', async () => {
    const c = await begin(ana, anaId, 'care-team');
    expect(c.firstMessage).toBeNull();
    const clientMessageId = randomUUID();
    const first = await api(ana).messages.send.mutate({ conversationId: c.id, body: 'Can I get a repeat prescription?', clientMessageId });
    const retry = await api(ana).messages.send.mutate({ conversationId: c.id, body: 'Can I get a repeat prescription?', clientMessageId });
    expect(retry).toEqual(first);
    expect(await sql(t, 'select count(*)::int as n from message where conversation_id = ?', [c.id])).toEqual([{ n: 1 }]);
    const elsewhere = await begin(ana, benId, 'care-team');
    expect((await rejection(api(ana).messages.send.mutate({ conversationId: elsewhere.id, body: 'x', clientMessageId }))).code).toBe('CONFLICT');
  });

  it("attaches documents of the conversation's patient the sender may read, and none staff-only where the patient reads", async () => {
    const care = await begin(carer, anaId, 'care-team');
    const staff = await begin(carer, anaId, 'staff');
    const [shared, staffOnly, bens] = [await document(anaId), await document(anaId, true), await document(benId)];
    expect((await api(carer).messages.send.mutate({ conversationId: care.id, body: 'Your letter', attachmentIds: [shared, shared] })).attachmentIds).toEqual([shared]);
    for (const attachmentIds of [[staffOnly], [bens], [randomUUID()]]) {
      const refused = await rejection(api(carer).messages.send.mutate({ conversationId: care.id, body: 'x', attachmentIds }));
      expect(refused).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { attachmentIds: [expect.stringMatching(/staff-only/)] } });
    }
    expect((await api(carer).messages.send.mutate({ conversationId: staff.id, body: 'See the internal note', attachmentIds: [staffOnly] })).attachmentIds).toEqual([staffOnly]);
    expect((await rejection(api(ana).messages.send.mutate({ conversationId: care.id, body: 'x', attachmentIds: [staffOnly] }))).code).toBe('BAD_REQUEST');
    expect((await api(ana).messages.send.mutate({ conversationId: care.id, body: 'Thanks', attachmentIds: [shared] })).attachmentIds).toEqual([shared]);
  });

  it("refuses to write in a merged patient's conversations", async () => {
    const dup = (await createPatient(t, carer.token, { givenName: 'Dup', familyName: 'Moran' })).id;
    const kept = (await createPatient(t, carer.token, { givenName: 'Kept', familyName: 'Moran' })).id;
    const c = await begin(carer, dup, 'staff', 'Before the merge');
    await api(admin).patients.merge.mutate({ sourceId: dup, targetId: kept });
    // The merge moved the conversation to the record kept.
    expect((await api(carer).conversations.list.query({ patientId: kept })).items.map((x) => x.id)).toEqual([c.id]);
    await sql(t, 'update conversation set patient_id = ? where id = ?', [dup, c.id]);
    await sql(t, 'insert into care_team_member (id, practice_id, patient_id, clinician_id, created_at) values (uuidv7(), ?, ?, ?, now())', [admin.practiceId, dup, carer.id]);
    expect(await rejection(api(carer).messages.send.mutate({ conversationId: c.id, body: 'After' }))).toMatchObject({ code: 'CONFLICT', reason: 'patient-merged' });
  });
});

describe('messages.retract', () => {
  it('lets the sender alone take a message back within the window, keeping the row and its ciphertext', async () => {
    const c = await begin(ana, anaId, 'care-team', 'Oops, wrong patient details');
    const id = c.firstMessage!.id;
    expect((await rejection(api(carer).messages.retract.mutate({ id }))).code).toBe('FORBIDDEN');
    clock.advance(4 * MINUTE);
    const retracted = await api(ana).messages.retract.mutate({ id });
    expect(retracted).toMatchObject({ id, body: null, attachmentIds: [], retracted: true, retractedAt: clock.now().toISOString() });
    expect((await api(carer).messages.list.query({ conversationId: c.id })).items[0]).toMatchObject({ id, body: null, retracted: true });
    expect(await unreadOf(carer, c.id)).toBe(0);
    const [row] = await sql(t, 'select body_ciphertext, retracted_at from message where id = ?', [id]);
    expect(row!.body_ciphertext).toMatch(/\./);
    expect((await auditTrail(t, id)).map((a) => a.action)).toEqual(['message.sent', 'message.retracted']);

    const late = await api(ana).messages.send.mutate({ conversationId: c.id, body: 'The right details' });
    clock.advance(5 * MINUTE + 1000);
    expect(await rejection(api(ana).messages.retract.mutate({ id: late.id }))).toMatchObject({ code: 'CONFLICT', reason: 'retract-window-closed' });
  });
});

describe('live: message.received and message.retracted', () => {
  it("reach the recipient's stream with ids only, and not the sender's", async () => {
    const c = await begin(carer, anaId, 'care-team');
    const events: NotificationOutput[] = [];
    const before = t.live.count(ana.id);
    const sub = api(ana).notifications.stream.subscribe({}, { onData: (e) => events.push(e.data) });
    await waitFor(async () => t.live.count(ana.id) > before, { what: 'the stream to open' });
    const sent = await api(carer).messages.send.mutate({ conversationId: c.id, body: 'Your scan is booked for Tuesday' });
    await waitFor(async () => events.find((e) => e.kind === 'message.received'), { what: 'the event' });
    const event = events.find((e) => e.kind === 'message.received')!;
    expect(event).toMatchObject({ patientId: anaId, data: { conversationId: c.id, messageId: sent.id } });
    expect(JSON.stringify(event)).not.toContain('scan');
    await api(carer).messages.retract.mutate({ id: sent.id });
    await waitFor(async () => events.find((e) => e.kind === 'message.retracted'), { what: 'the retraction' });
    expect(events.find((e) => e.kind === 'message.retracted')).toMatchObject({ patientId: anaId, data: { conversationId: c.id, messageId: sent.id } });
    sub.unsubscribe();
    expect(await sql(t, 'select kind, count(*)::int as n from notification where subject_id = ? and user_id = ? group by kind', [sent.id, carer.id])).toEqual([]);
  });
});

describe('the unread-message email', () => {
  it('mails each recipient once per conversation after the delay, with no PHI, and none to one who read it first', async () => {
    await startWorker(t);
    // What the tests above left unread is mailed first, out of the way.
    clock.advance(60 * MINUTE);
    await runJobNow(t, SEND_MESSAGE_MAILS);
    t.smtp.mails.length = 0;
    const c = await begin(carer, benId, 'care-team', 'Ben Moran: his bloods show low iron');
    clock.advance(MINUTE);
    await api(carer).messages.send.mutate({ conversationId: c.id, body: 'Please book a follow-up' });
    const asked = await begin(ana, benId, 'care-team', 'Is it serious?');
    await api(carer).messages.markRead.mutate({ conversationId: asked.id, upToMessageId: asked.firstMessage!.id });

    clock.advance(5 * MINUTE);
    await runJobNow(t, SEND_MESSAGE_MAILS);
    expect(t.smtp.mails.filter((m) => m.to === ana.email)).toEqual([]);

    clock.advance(6 * MINUTE);
    await runJobNow(t, SEND_MESSAGE_MAILS);
    const mail = await t.smtp.waitForMail(ana.email, /You have a new message/);
    expect(mail).toContain(`http://pams.test/portal/messages/${c.id}`);
    for (const secret of ['Ben', 'Moran', 'iron', 'follow-up', 'Test clinician', 'Portal Patient']) expect(mail).not.toContain(secret);
    await runJobNow(t, SEND_MESSAGE_MAILS);
    await new Promise((r) => setTimeout(r, 300));
    expect(t.smtp.mails.filter((m) => m.to === ana.email)).toEqual([]);
    // The clinician read Ana's message before the email was due: none to them.
    expect(t.smtp.mails.filter((m) => m.to === carer.email)).toEqual([]);
    expect(await sql(t, 'select user_id, status, sent_at is not null as sent from message_mail where conversation_id = ? order by status', [asked.id])).toEqual([
      { user_id: carer.id, status: 'read', sent: false },
    ]);

    // A message after that email queues the next, a delay later.
    await api(carer).messages.send.mutate({ conversationId: c.id, body: 'And bring his diary' });
    clock.advance(11 * MINUTE);
    await runJobNow(t, SEND_MESSAGE_MAILS);
    expect(await t.smtp.waitForMail(ana.email, /You have a new message/)).toContain(c.id);
    expect(await sql(t, "select count(*)::int as n from message_mail where conversation_id = ? and user_id = ? and status = 'sent'", [c.id, ana.id])).toEqual([{ n: 2 }]);
  });
});
