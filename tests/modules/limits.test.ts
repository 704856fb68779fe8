import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPractice, loginAs, sql, type TestUser } from '../fixtures.ts';
import { startTestServer, type TestServer } from '../harness.ts';

const MiB = 2 ** 20;
const json = { 'content-type': 'application/json' };
const patient = (i: number) => ({ givenName: 'Batch', familyName: `Patient ${i}`, birthDate: '1980-01-01', gender: 'female' as const });

/** A tRPC error body as the typed client reads it. */
type TrpcError = { error: { message: string; code: number; data: { code: string; httpStatus: number; requestId: string | null; reason: string | null } } };

/**
 * POSTs a body with its Content-Length and resolves with the answer, even when the server closes the
 * connection before the body is all sent (it does, past a limit; fetch then reports only the reset).
 */
function post(url: string, body: string, headers: Record<string, string> = json): Promise<{ status: number; body: string; requestId: string | undefined }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(url, { method: 'POST', agent: false, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      answered = true;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode!, body: text, requestId: res.headers['x-request-id'] as string | undefined });
      });
    });
    req.on('error', (e) => !answered && reject(e));
    req.end(body);
  });
}

/**
 * Streams a chunked body that never ends until the server answers (or `capBytes` have been sent, then it
 * ends it): a server that must read the whole body first would answer only after the end.
 */
function streamUntilAnswered(url: string, capBytes: number): Promise<{ status: number; body: string; sentBytes: number; answeredBeforeEnd: boolean }> {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let sentBytes = 0;
    let ended = false;
    let answered = false;
    const req = request(url, { method: 'POST', agent: false, headers: { ...json, 'transfer-encoding': 'chunked' } }, (res) => {
      answered = true;
      const answeredBeforeEnd = !ended;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode!, body, sentBytes, answeredBeforeEnd });
      });
    });
    req.on('error', (e) => !answered && reject(e)); // after the answer the server may close the socket on us
    const pump = () => {
      while (!answered && sentBytes < capBytes) {
        sentBytes += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered && !ended) {
        ended = true;
        req.end();
      }
    };
    pump();
  });
}

describe('request body limit', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ IMPORT_BODY_LIMIT_MB: '3', HL7_BODY_LIMIT_MB: '2' });
  });
  afterAll(() => t.close());

  it('refuses a declared body over 1 MiB on /trpc with a typed 413, before authentication', async () => {
    const res = await post(`${t.url}/trpc/patients.create`, JSON.stringify({ givenName: 'x'.repeat(MiB + 10) }));
    expect(res.status).toBe(413);
    const body = JSON.parse(res.body) as TrpcError;
    expect(body.error.data).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', httpStatus: 413 });
    expect(body.error.data.requestId).toBe(res.requestId);
    expect(body.error.data.requestId).toMatch(/^[\w-]{8,}$/);
  });

  it('answers a chunked body with 413 while it is still being sent, without reading it all', async () => {
    const sent = await streamUntilAnswered(`${t.url}/trpc/auth.login`, 64 * MiB);
    expect(sent.status).toBe(413);
    expect(sent.answeredBeforeEnd).toBe(true);
    expect((JSON.parse(sent.body) as TrpcError).error.data).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', requestId: expect.any(String) });
  });

  it('gives imports.add and /hl7/v2 their own larger limits, and answers JSON with the request id elsewhere', async () => {
    const twoMiB = JSON.stringify({ importId: 'x', rows: [{ line: 1, values: { note: 'x'.repeat(2 * MiB) } }] });
    // Under their own limits these reach authentication (401), where other procedures get 413.
    expect((await post(`${t.url}/trpc/imports.add`, twoMiB)).status).toBe(401);
    expect((await post(`${t.url}/trpc/patients.create`, twoMiB)).status).toBe(413);
    expect((await post(`${t.url}/trpc/imports.add`, 'x'.repeat(3 * MiB + 1))).status).toBe(413);
    const text = { 'content-type': 'x-application/hl7-v2+er7' };
    expect((await post(`${t.url}/hl7/v2`, 'MSH|'.padEnd(1.5 * MiB, 'x'), text)).status).toBe(401);
    const hl7 = await post(`${t.url}/hl7/v2`, 'MSH|'.padEnd(2 * MiB + 1, 'x'), text);
    expect(hl7.status).toBe(413);
    expect(JSON.parse(hl7.body)).toEqual({ error: expect.stringMatching(/too large/), requestId: hl7.requestId });
  });

  it('limits a chunked body to /hl7/v2 too', async () => {
    const sent = await streamUntilAnswered(`${t.url}/hl7/v2`, 64 * MiB);
    expect(sent).toMatchObject({ status: 413, answeredBeforeEnd: true });
    expect(JSON.parse(sent.body)).toEqual({ error: expect.stringMatching(/at most 2 MiB/), requestId: expect.any(String) });
  });
});

describe('batch size', () => {
  let t: TestServer;
  let admin: TestUser;
  beforeAll(async () => {
    t = await startTestServer();
    ({ admin } = await createPractice(t));
  });
  afterAll(() => t.close());

  const batch = (paths: string[], inputs: unknown[], token?: string) =>
    t.fetch(`${t.url}/trpc/${paths.join(',')}?batch=1`, {
      method: 'POST',
      headers: { ...json, ...(token && { authorization: `Bearer ${token}` }) },
      body: JSON.stringify(Object.fromEntries(inputs.map((input, i) => [i, input]))),
    });
  const patients = async () => Number((await sql<{ n: string }>(t, 'select count(*) as n from patient'))[0]!.n);

  it('refuses a batch of 21 calls with 400 and runs none of them', async () => {
    const before = await patients();
    const res = await batch(
      Array(21).fill('patients.create'),
      Array.from({ length: 21 }, (_, i) => patient(i)),
      admin.token,
    );
    expect(res.status).toBe(400);
    const body = (await res.json()) as TrpcError | TrpcError[];
    expect((Array.isArray(body) ? body[0]! : body).error.data).toMatchObject({ code: 'BAD_REQUEST', requestId: res.headers.get('x-request-id') });
    // Commas escaped in the path are calls all the same (tRPC decodes the path before splitting it).
    const escaped = await t.fetch(`${t.url}/trpc/${Array(21).fill('patients.create').join('%2C')}?batch=1`, {
      method: 'POST',
      headers: { ...json, authorization: `Bearer ${admin.token}` },
      body: JSON.stringify(Object.fromEntries(Array.from({ length: 21 }, (_, i) => [i, patient(i)]))),
    });
    expect(escaped.status).toBe(400);
    expect(await patients()).toBe(before);
  });

  it('runs a batch of 20, and the typed client splits 21 concurrent calls into batches the server takes', async () => {
    const before = await patients();
    const res = await batch(
      Array(20).fill('patients.create'),
      Array.from({ length: 20 }, (_, i) => patient(i)),
      admin.token,
    );
    expect(res.status).toBe(200);
    const api = t.client(admin.token);
    await Promise.all(Array.from({ length: 21 }, (_, i) => api.patients.create.mutate(patient(100 + i))));
    expect(await patients()).toBe(before + 41);
  });

  it('refuses 1,000 auth.login calls in one batch without counting them against the IP', async () => {
    const wrong = { email: admin.email, password: 'wrong-password-123' };
    const res = await batch(Array(1000).fill('auth.login'), Array(1000).fill(wrong));
    expect(res.status).toBe(400);
    await loginAs(t, admin.email, admin.password); // not locked out
  });
});

describe('general rate limit', () => {
  let t: TestServer;
  let admin: TestUser;
  beforeAll(async () => {
    t = await startTestServer({ RATE_LIMIT_PER_CALLER: '5', RATE_LIMIT_PER_IP: '40', TRUST_PROXY: 'true' });
    ({ admin } = await createPractice(t));
  });
  afterAll(() => t.close());

  const me = (ip: string, token?: string) => t.fetch(`${t.url}/trpc/auth.me`, { headers: { 'x-forwarded-for': ip, ...(token && { authorization: `Bearer ${token}` }) } });

  it('limits each credential on its own, with RateLimit headers, and answers 429 with Retry-After past the limit', async () => {
    const [first, second] = [await loginAs(t, admin.email, admin.password), await loginAs(t, admin.email, admin.password)];
    for (let i = 0; i < 5; i++) {
      const res = await me('10.9.0.1', first);
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-limit')).toBe('5');
      expect(res.headers.get('ratelimit-remaining')).toBe(String(4 - i));
      expect(Number(res.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
    }
    const refused = await me('10.9.0.1', first);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    const body = (await refused.json()) as TrpcError;
    expect(body.error.data).toMatchObject({ code: 'TOO_MANY_REQUESTS', httpStatus: 429, reason: 'rate-limited', requestId: refused.headers.get('x-request-id') });
    // The same user's other session, from the same IP, has its own allowance.
    expect((await me('10.9.0.1', second)).status).toBe(200);
  });

  it('lets exactly the limit through when the requests come all at once', async () => {
    const token = await loginAs(t, admin.email, admin.password);
    const statuses = await Promise.all(Array.from({ length: 30 }, () => me('10.9.2.1', token).then((r) => r.status)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(25);
  });

  it('limits each IP on its own, whatever credentials it presents, on /trpc, /fhir and /hl7 alike', async () => {
    for (let i = 0; i < 40; i++) expect((await me('10.9.1.1', `made-up-${i}`)).status).toBe(401);
    for (const res of [
      await me('10.9.1.1'),
      await t.fetch(`${t.url}/fhir/$export?_type=Patient`, { headers: { 'x-forwarded-for': '10.9.1.1' } }),
      await t.fetch(`${t.url}/hl7/v2`, { method: 'POST', headers: { 'x-forwarded-for': '10.9.1.1' }, body: 'MSH|' }),
    ]) {
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(res.headers.get('ratelimit-limit')).toBe('40');
    }
    const hl7 = await t.fetch(`${t.url}/hl7/v2`, { method: 'POST', headers: { 'x-forwarded-for': '10.9.1.1' }, body: 'MSH|' });
    expect(await hl7.json()).toEqual({ error: expect.any(String), reason: 'rate-limited', requestId: hl7.headers.get('x-request-id') });
    expect((await me('10.9.1.2')).status).toBe(401); // another IP is not affected
  });
});
