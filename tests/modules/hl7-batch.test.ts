import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MllpDecoder, mllpFrame } from '../../shared/hl7-framing.ts';
import { createPractice, inviteUser, sql, type TestUser } from '../fixtures.ts';
import { startTestServer, type TestServer } from '../harness.ts';
import { rejection } from '../rejection.ts';
import { startHl7Listener } from '../run-cli.ts';

/**
 * Several messages of one connection in one call (`hl7.receiveBatch`, which `pams hl7 listen` and POST
 * /hl7/v2 use): applied in order, each with its own ACK; when one must wait for the database, the ones
 * before it are answered and none after it is applied. The database is made to wait by a test
 * transaction holding a patient's row past the server's lock timeout.
 */

let t: TestServer;
let admin: TestUser;
let work: string;

beforeAll(async () => {
  t = await startTestServer({ DB_LOCK_TIMEOUT_MS: '300' });
  ({ admin } = await createPractice(t));
  work = await mkdtemp(path.join(tmpdir(), 'pams-hl7-batch-'));
});
afterAll(() => t.close());

const msh = (type: string, controlId: string) => `MSH|^~\\&|ENGINE|HOSP|PAMS|CLINIC|20240305101500||${type}|${controlId}|P|2.5`;
const a04 = (controlId: string, mrn: string) => [msh('ADT^A04^ADT_A01', controlId), `PID|1||${mrn}^^^HOSP^MR||Walsh^Ciara||19920304|F`, 'AL1|1|DA|1191^Aspirin^RXNORM|MO|Hives'].join('\r');
const a08 = (controlId: string, mrn: string) => [msh('ADT^A08^ADT_A01', controlId), `PID|1||${mrn}^^^HOSP^MR||Walsh^Ciara Máire||19920304|F`].join('\r');
const oru = (controlId: string, mrn: string) =>
  [msh('ORU^R01^ORU_R01', controlId), `PID|1||${mrn}^^^HOSP^MR`, 'OBR|1|O1|F1|24323-8^Panel^LN|||20240301083000', 'OBX|1|NM|2823-3^Potassium^LN||4.4|mmol/L|3.5-5.1|N|||F'].join('\r');
const mrns = async (like: string) => (await sql<{ mrn: string }>(t, 'select mrn from patient where mrn like ? order by mrn', [like])).map((r) => r.mrn);

/** Runs `body` while a transaction of its own holds the row of the patient with this MRN. */
async function holdingPatient<T>(mrn: string, body: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: t.dbUrl });
  await client.connect();
  try {
    await client.query('begin');
    const { rowCount } = await client.query('select 1 from patient where mrn = $1 for update', [mrn]);
    expect(rowCount).toBe(1);
    return await body();
  } finally {
    await client.query('rollback').catch(() => {});
    await client.end();
  }
}

describe('hl7.receiveBatch', () => {
  it('applies the messages in order, each answered with its own ACK', async () => {
    const api = t.client(admin.token).hl7.receiveBatch;
    // The ORU needs the patient the A04 before it registers: in any other order it would be an AE.
    const { results, stopped } = await api.mutate({ messages: [a04('BAT-1', 'B-100'), oru('BAT-2', 'B-100'), a04('BAT-1', 'B-100'), msh('SIU^S12', 'BAT-3')] });
    expect(stopped).toBeNull();
    expect(results.map((r) => [r.controlId, r.ackCode, r.text])).toEqual([
      ['BAT-1', 'AA', 'patient created; allergies: 1 new, 0 updated, 0 unchanged'],
      ['BAT-2', 'AA', 'observations: 1 new, 0 updated, 0 unchanged'],
      ['BAT-1', 'AA', 'message BAT-1 was applied before: not applied again'],
      ['BAT-3', 'AR', expect.stringMatching(/not supported/)],
    ]);
    expect(results.every((r) => r.ack.includes(`\rMSA|${r.ackCode}|${r.controlId}`))).toBe(true);
    // The record of each message and its audit row, once, with what it did.
    const applied = await sql(t, "select detail from audit_event where action = 'hl7.applied' and detail->>'controlId' like 'BAT-%' order by detail->>'controlId'");
    expect(applied.map((a) => a.detail)).toEqual([
      { controlId: 'BAT-1', messageType: 'ADT^A04', patientCreated: 1, allergiesCreated: 1, allergiesUpdated: 0 },
      { controlId: 'BAT-2', messageType: 'ORU^R01', observations: 1 },
    ]);
  });

  it('answers the messages before one that must wait for the database, and applies none after it', async () => {
    await t.client(admin.token).hl7.receive.mutate({ message: a04('BAT-10', 'B-110') });
    const { results, stopped } = await holdingPatient('B-110', () =>
      t.client(admin.token).hl7.receiveBatch.mutate({ messages: [a04('BAT-11', 'B-111'), a08('BAT-12', 'B-110'), a04('BAT-13', 'B-113')] }),
    );
    expect(results.map((r) => [r.controlId, r.ackCode])).toEqual([['BAT-11', 'AA']]);
    expect(stopped).toMatch(/^2 not applied: The database took too long to answer/);
    expect(await mrns('B-11%')).toEqual(['B-110', 'B-111']); // B-113 was not applied out of order
    // Sent again, as an engine does, from the first message without an ACK.
    const again = await t.client(admin.token).hl7.receiveBatch.mutate({ messages: [a08('BAT-12', 'B-110'), a04('BAT-13', 'B-113')] });
    expect(again.results.map((r) => [r.controlId, r.ackCode, r.text.split(';')[0]])).toEqual([
      ['BAT-12', 'AA', 'patient updated'],
      ['BAT-13', 'AA', 'patient created'],
    ]);
  });

  it('fails as hl7.receive would when the first message must wait, and then applies nothing', async () => {
    await t.client(admin.token).hl7.receive.mutate({ message: a04('BAT-20', 'B-120') });
    const failed = await holdingPatient('B-120', () => rejection(t.client(admin.token).hl7.receiveBatch.mutate({ messages: [a08('BAT-21', 'B-120'), a04('BAT-22', 'B-122')] })));
    expect(failed).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(await mrns('B-12%')).toEqual(['B-120']);
  });

  it('is for admins, and takes at most 20 messages', async () => {
    const clinician = await inviteUser(t, admin, 'clinician');
    expect(await rejection(t.client(clinician.token).hl7.receiveBatch.mutate({ messages: [a04('BAT-30', 'B-130')] }))).toMatchObject({ code: 'FORBIDDEN' });
    const tooMany = Array.from({ length: 21 }, (_, i) => a04(`BAT-4${i}`, `B-14${i}`));
    expect(await rejection(t.client(admin.token).hl7.receiveBatch.mutate({ messages: tooMany }))).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { messages: [expect.any(String)] } });
    expect(await rejection(t.client(admin.token).hl7.receiveBatch.mutate({ messages: [] }))).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await mrns('B-1[34]%')).toEqual([]);
  });

  it('serves POST /hl7/v2: the ACKs before a message that must wait, then a 503 with Retry-After', async () => {
    await t.client(admin.token).hl7.receive.mutate({ message: a04('BAT-50', 'B-150') });
    const response = await holdingPatient('B-150', () =>
      t.fetch(`${t.url}/hl7/v2`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'text/plain' },
        body: [a04('BAT-51', 'B-151'), a08('BAT-52', 'B-150'), a04('BAT-53', 'B-153')].join('\n'),
      }),
    );
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    const [ack, reason] = (await response.text()).split('\n');
    expect(ack).toContain('\rMSA|AA|BAT-51');
    expect(reason).toMatch(/^2 not applied/);
    expect(await mrns('B-15%')).toEqual(['B-150', 'B-151']);
  });
});

describe('pams hl7 listen, messages waiting on a connection', () => {
  const listen = () => startHl7Listener(t, admin, work);

  /** Writes the messages in one write (so they wait together) and collects the ACKs until the listener closes the connection or all are in. */
  async function sendAtOnce(port: number, messages: string[]) {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    const decoder = new MllpDecoder();
    const acks: string[] = [];
    const closed = once(socket, 'close');
    socket.on('data', (chunk: Buffer) => {
      acks.push(...decoder.push(chunk));
      if (acks.length === messages.length) socket.end();
    });
    socket.write(Buffer.concat(messages.map(mllpFrame)));
    await closed;
    return acks.map((a) =>
      a
        .split('\r')
        .find((s) => s.startsWith('MSA|'))!
        .split('|')
        .slice(1, 3)
        .join(' '),
    );
  }

  it('answers each of many messages sent at once, in order', async () => {
    const { port, output, stop } = await listen();
    try {
      // 25 pairs: more than one call carries; each ORU needs the A04 before it.
      const messages = Array.from({ length: 25 }, (_, i) => [a04(`LB-A${i}`, `L-2${i}`), oru(`LB-O${i}`, `L-2${i}`)]).flat();
      expect(await sendAtOnce(port, messages)).toEqual(Array.from({ length: 25 }, (_, i) => [`AA LB-A${i}`, `AA LB-O${i}`]).flat());
      expect(output()).toMatch(/LB-O24 ORU\^R01 AA/);
    } finally {
      stop();
    }
  });

  it('answers the messages before one that must wait for the database, closes the connection, and applies none after it', async () => {
    await t.client(admin.token).hl7.receive.mutate({ message: a04('LB-10', 'L-310') });
    const { port, output, stop } = await listen();
    try {
      const acks = await holdingPatient('L-310', () => sendAtOnce(port, [a04('LB-11', 'L-311'), a08('LB-12', 'L-310'), a04('LB-13', 'L-313')]));
      expect(acks).toEqual(['AA LB-11']);
      expect(output()).toMatch(/no ACK sent, connection closed: 2 not applied/);
      // A message on a new connection, answered after the close: LB-13, had it been sent on, would have been before it.
      expect(await sendAtOnce(port, [a04('LB-14', 'L-314')])).toEqual(['AA LB-14']);
      expect(await mrns('L-31%')).toEqual(['L-310', 'L-311', 'L-314']);
    } finally {
      stop();
    }
  });
});
