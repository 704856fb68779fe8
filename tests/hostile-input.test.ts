import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../server/root-router.ts';
import { createPractice } from './fixtures.ts';
import { startTestServer, type TestServer } from './harness.ts';
import { extremes } from './sample-input.ts';
import { callSubscription } from './subscription-call.ts';

/** Objects setting `keys` to `values`, every value used once at least, each object a different mix. */
function spread(values: readonly unknown[], keys: string[]): Record<string, unknown>[] {
  return Array.from({ length: Math.ceil(values.length / keys.length) }, (_, i) => Object.fromEntries(keys.map((k, j) => [k, values[(i * keys.length + j) % values.length]])));
}

/** Inputs no form would send. Every procedure must answer them with a 4xx, never a 500. */
const hostileInputs: unknown[] = [
  undefined,
  null,
  0,
  -1,
  1e308,
  'text',
  '',
  [],
  [{}],
  true,
  {},
  { id: "' or 1=1 --" },
  { id: '00000000-0000-0000-0000-000000000000' },
  { id: 'x'.repeat(5000) },
  { email: 'a@b.c'.repeat(20000), password: 'p'.repeat(100000) },
  { email: null, password: {} },
  { token: 'a.b' },
  { token: '.'.repeat(150) },
  { token: 'x'.repeat(199) + '.' },
  { code: '12345a' },
  { recoveryCode: 'zzzzz-zzzzz' },
  { cursor: '!!!' },
  { cursor: Buffer.from('{"k":"not a date","id":"x"}').toString('base64url') },
  { cursor: Buffer.from('{"k":"2026-01-01T00:00:00Z","id":"x"}').toString('base64url') },
  { limit: 0 },
  { limit: 101 },
  { limit: 2.5 },
  // Forged cursors of the right shape: keys out of the database's range, or text it cannot hold.
  { type: 'Patient', cursor: Buffer.from(JSON.stringify({ s: 0, id: '-'.repeat(36) })).toString('base64url') },
  ...['0000-01-01T00:00:00Z', '+275760-09-13T00:00:00.000Z', 'a\u0000', '\ud800'].flatMap((k) =>
    [1, 2].map((n) => ({ cursor: Buffer.from(JSON.stringify({ v: Array(n).fill(k), id: '0190a000-0000-7000-8000-000000000000' })).toString('base64url') })),
  ),
  { since: 'yesterday', until: '2026-13-45T99:99:99Z' },
  { role: 'owner', status: 'sleeping' },
  { name: '\u0000\u202e' },
  { timeZone: 'Mars/Olympus_Mons' },
  { mfaRequired: 'yes' },
  { expiresInDays: -5 },
  { newPassword: 'short', currentPassword: '' },
  { __proto__: { admin: true } },
  { constructor: { prototype: { polluted: true } } },
  ...['toString', '__proto__', 'constructor', 'hasOwnProperty'].map((name) => ({ files: [{ name, documents: [[]] }] })),
  { id: '507f1f77bcf86cd799439011' },
  { id: '0190a000-0000-7000-8000-00000000000g' },
  { id: '\ud800' },
  { id: '\udc00\u0000' },
  // Each class of extreme value (tests/sample-input.ts), spread over the fields that commonly carry it. The
  // field-by-field walk with real ids is tests/extreme-input.test.ts; here the ids are fake, so a few calls suffice.
  ...spread(extremes.instants, ['since', 'until', 'from', 'to', 'startsAt', 'endsAt', 'effectiveAt']),
  ...spread(extremes.dates, ['birthDate', 'from', 'to', 'startDate', 'endDate', 'onsetDate']).map((o) => ({ ...o, schedule: { cadence: 'weekly', startDate: o.startDate, count: 1000 } })),
  ...spread(extremes.texts, ['name', 'givenName', 'familyName', 'title', 'reason', 'query', 'body', 'message']),
  ...spread(extremes.integers, ['limit', 'version', 'count', 'expiresInDays', 'durationMinutes', 'line']),
  JSON.parse('{"a":'.repeat(200) + '1' + '}'.repeat(200)),
];

let t: TestServer;
let apiToken: string;

beforeAll(async () => {
  t = await startTestServer();
  const { admin } = await createPractice(t);
  // An API token, so that a hostile `auth.logout` cannot end the session the rest of the walk uses.
  apiToken = t.secret((await t.client(admin.token).tokens.create.mutate({ name: 'hostile' })).token);
});
afterAll(() => t.close());

type ProcedureType = 'query' | 'mutation' | 'subscription';
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: ProcedureType } }>);

/**
 * One call over HTTP: its status and body. A subscription is opened over SSE (tests/subscription-call.ts),
 * where the HTTP status is always 200: its status here is that of the error event it was refused with, or
 * 200 once the stream opened (then it is closed).
 */
async function call(path: string, type: ProcedureType, body: string | undefined, token: string | null): Promise<{ status: number; text: string }> {
  if (type === 'subscription') {
    const answer = await callSubscription(t, path, body, token);
    return 'error' in answer ? { status: answer.error.httpStatus, text: JSON.stringify(answer.error) } : { status: 200, text: 'opened' };
  }
  const res = await callHttp(path, type, body, token);
  return { status: res.status, text: await res.text() };
}

function callHttp(path: string, type: 'query' | 'mutation', body: string | undefined, token: string | null) {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) };
  const url = `${t.url}/trpc/${path}`;
  return type === 'query' ? t.fetch(body === undefined ? url : `${url}?input=${encodeURIComponent(body)}`, { headers }) : t.fetch(url, { method: 'POST', headers, body });
}

/** A body or query string that is not UTF-8: a 400 naming the encoding, for every procedure, before any parsing. */
describe('invalid UTF-8', () => {
  for (const [path, procedure] of procedures) {
    it(`${path} refuses a body or query that is not UTF-8 with a 400`, async () => {
      for (const bad of extremes.invalidUtf8) {
        const json = Buffer.concat([Buffer.from('{"id":"x'), bad, Buffer.from('","name":"a"}')]);
        const res =
          procedure._def.type !== 'mutation'
            ? await t.fetch(`${t.url}/trpc/${path}?input=${encodeURIComponent('{"id":"x')}${[...bad].map((b) => `%${b.toString(16)}`).join('')}${encodeURIComponent('"}')}`, {
                headers: { authorization: `Bearer ${apiToken}` },
              })
            : await t.fetch(`${t.url}/trpc/${path}`, { method: 'POST', headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' }, body: json });
        const body = (await res.json()) as { error: { data: { code: string; reason: string | null; requestId: string } } };
        expect({ status: res.status, code: body.error.data.code, reason: body.error.data.reason }, `${path} ${bad.toString('hex')}`).toEqual({
          status: 400,
          code: 'BAD_REQUEST',
          reason: 'invalid-encoding',
        });
        expect(body.error.data.requestId).toEqual(expect.any(String));
      }
    });
  }
});

describe('hostile input', () => {
  it('walks the whole router', () => {
    expect(procedures.length).toBeGreaterThan(20);
  });

  for (const [path, procedure] of procedures) {
    it(`${path} never answers 500`, async () => {
      const bodies = [...hostileInputs.map((i) => (i === undefined ? undefined : JSON.stringify(i))), '{not json', '"\\ud800"'];
      const statuses = new Set<number>();
      for (const token of [apiToken, null]) {
        for (const body of bodies) {
          const { status, text } = await call(path, procedure._def.type, body, token);
          expect(status, `${path} ${body?.slice(0, 80)} -> ${text.slice(0, 200)}`).toBeLessThan(500);
          statuses.add(status);
        }
      }
      // A subscription was really opened (with the token and an input it takes) and really refused (without one).
      if (procedure._def.type === 'subscription') expect([...statuses]).toEqual(expect.arrayContaining([200, 401, 400]));
    });
  }
});
