import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPractice, inviteUser, sql, type TestUser } from './fixtures.ts';
import { startTestServer, type TestServer } from './harness.ts';
import { extremes } from './sample-input.ts';

/**
 * Bytes that are not UTF-8, on every route that reads text: a 400 that says so, and nothing stored (the
 * platform's lenient decoding would have stored U+FFFD in their place). Percent-encoding likewise.
 */
let t: TestServer;
let clinician: TestUser;
let admin: TestUser;

beforeAll(async () => {
  t = await startTestServer();
  ({ admin } = await createPractice(t));
  clinician = await inviteUser(t, admin);
});
afterAll(() => t.close());

const patientBody = (givenName: Buffer) => Buffer.concat([Buffer.from('{"givenName":"'), givenName, Buffer.from('","familyName":"Utf8","birthDate":"1980-01-01","gender":"other"}')]);
const patientsNamed = async (familyName: string) => (await sql(t, 'select given_name from patient where family_name = ?', [familyName])).length;

describe('a body that is not UTF-8', () => {
  it('POST /trpc: a tRPC-shaped BAD_REQUEST with the request id, for each sequence; nothing is stored', async () => {
    for (const bad of extremes.invalidUtf8) {
      const res = await t.fetch(`${t.url}/trpc/patients.create`, {
        method: 'POST',
        headers: { authorization: `Bearer ${clinician.token}`, 'content-type': 'application/json' },
        body: patientBody(Buffer.concat([Buffer.from('Jo'), bad, Buffer.from('n')])),
      });
      expect(res.status, bad.toString('hex')).toBe(400);
      expect(await res.json()).toEqual({
        error: {
          message: 'The request body is not valid UTF-8',
          code: -32600,
          data: { code: 'BAD_REQUEST', httpStatus: 400, path: 'patients.create', requestId: res.headers.get('x-request-id'), reason: 'invalid-encoding', fieldErrors: null },
        },
      });
    }
    expect(await patientsNamed('Utf8')).toBe(0);
  });

  it('a batch gets one error per call, and a body without a content type is checked too (tRPC reads it as JSON)', async () => {
    const bad = Buffer.concat([Buffer.from('{"0":{"givenName":"\xff"}}', 'latin1')]);
    const batch = await t.fetch(`${t.url}/trpc/patients.create,patients.create?batch=1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${clinician.token}`, 'content-type': 'application/json' },
      body: bad,
    });
    expect(batch.status).toBe(400);
    expect(((await batch.json()) as { error: { data: { path: string; reason: string } } }[]).map((e) => [e.error.data.path, e.error.data.reason])).toEqual([
      ['patients.create', 'invalid-encoding'],
      ['patients.create', 'invalid-encoding'],
    ]);
    const untyped = await t.fetch(`${t.url}/trpc/patients.create`, { method: 'POST', headers: { authorization: `Bearer ${clinician.token}` }, body: patientBody(Buffer.from([0xc3])) });
    expect(untyped.status).toBe(400);
    expect(await patientsNamed('Utf8')).toBe(0);
  });

  it('valid UTF-8 passes through whole, astral characters included', async () => {
    const res = await t.fetch(`${t.url}/trpc/patients.create`, {
      method: 'POST',
      headers: { authorization: `Bearer ${clinician.token}`, 'content-type': 'application/json; charset=utf-8' },
      body: patientBody(Buffer.from('Siobhán 😀')),
    });
    expect(res.status).toBe(200);
    expect(await sql(t, 'select given_name from patient where family_name = ?', ['Utf8'])).toEqual([{ given_name: 'Siobhán 😀' }]);
    await sql(t, 'delete from patient where family_name = ?', ['Utf8']);
  });

  it('POST /hl7/v2: an AR ACK naming MSH-18 (an engine resends a message without an ACK for ever), nothing stored', async () => {
    const message = Buffer.concat([
      Buffer.from('MSH|^~\\&|ENGINE|HOSP|PAMS|CLINIC|20240305101500||ADT^A04^ADT_A01|C1|P|2.5\rPID|1||U8-1^^^HOSP^MR||W'),
      Buffer.from([0xff]),
      Buffer.from('lsh^Ciara||19800101|F'),
    ]);
    const res = await t.fetch(`${t.url}/hl7/v2`, { method: 'POST', headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'x-application/hl7-v2+er7' }, body: message });
    expect(res.status).toBe(200);
    const ack = (await res.text()).split('\r');
    expect(ack[1]).toMatch(/^MSA\|AR\|C1\|the message is not valid UTF-8/);
    expect(ack[2]).toMatch(/^ERR\|\|MSH\^1\^18\|102\^/);
    // What MLLP brings in (`pams hl7 listen` decodes the frame) arrives with U+FFFD in place of those bytes.
    const viaListener = await t.client(admin.token).hl7.receive.mutate({ message: message.toString('utf8').replace('C1', 'C2') });
    expect(viaListener).toMatchObject({ ackCode: 'AR', errorLocation: 'MSH^1^18' });
    expect(await sql(t, `select 1 from patient where mrn = 'U8-1'`)).toEqual([]);
  });
});

describe('a query string that is not UTF-8 or not percent-encoded', () => {
  const queries = ['%ff', '%c0%af', '%ed%a0%80', '%e2%82', '%', '%zz', '%e0%a4%a'];

  it('GET /trpc ?input=: a 400, not a 500', async () => {
    for (const q of queries) {
      const res = await t.fetch(`${t.url}/trpc/patients.search?input=${encodeURIComponent('{"query":"')}${q}${encodeURIComponent('"}')}`, { headers: { authorization: `Bearer ${clinician.token}` } });
      expect(res.status, q).toBe(400);
      expect(await res.json()).toMatchObject({ error: { data: { code: 'BAD_REQUEST', reason: 'invalid-encoding', path: 'patients.search', requestId: expect.any(String) } } });
    }
  });

  it('GET /fhir/$export ?_since=: a 400 OperationOutcome', async () => {
    for (const q of queries) {
      const res = await t.fetch(`${t.url}/fhir/$export?_type=Patient&_since=2026${q}`, { headers: { authorization: `Bearer ${admin.token}` } });
      expect(res.status, q).toBe(400);
      expect(await res.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'invalid', diagnostics: expect.stringContaining('not valid UTF-8') }] });
    }
  });
});

describe('/fhir/$export bounds its _since like every instant', () => {
  it('year 0000, an offset past ±14:00 or year 9999: a 400 OperationOutcome naming _since', async () => {
    for (const since of ['0000-01-01T00:00:00Z', '2026-01-01T00:00:00+15:59', '9999-12-31T23:59:59-14:00']) {
      const res = await t.fetch(`${t.url}/fhir/$export?_type=Patient&_since=${encodeURIComponent(since)}`, { headers: { authorization: `Bearer ${admin.token}` } });
      expect(res.status, since).toBe(400);
      expect(await res.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'invalid', diagnostics: expect.stringMatching(/^Invalid query: _since must/) }] });
    }
  });
});
