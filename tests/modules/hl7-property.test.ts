import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { splitHl7Messages } from '../../shared/hl7-framing.ts';
import { createPractice, inviteUser, type TestUser } from '../fixtures.ts';
import { startTestServer, type TestServer } from '../harness.ts';

/**
 * Whatever an interface engine sends to POST /hl7/v2, it gets an ACK for each message and never a server
 * error: messages PAMS takes, mangled at random (fields, separators, escape sequences, dates, huge
 * repetitions, segments cut, repeated or renamed).
 */

let t: TestServer;
let admin: TestUser;
let clinician: TestUser;

beforeAll(async () => {
  t = await startTestServer();
  ({ admin } = await createPractice(t));
  clinician = await inviteUser(t, admin);
});
afterAll(() => t.close());

const msh = (type: string, id: string) => ['MSH', '^~\\&', 'ENGINE', 'HOSP', 'PAMS', 'CLINIC', '20240301093000', '', type, id, 'P', '2.5'];
/** Messages PAMS takes, as segments of fields (MSH-1 is the separator itself, so MSH's list starts at MSH-2). */
const templates = (id: string, mrn: string): string[][][] => [
  [
    msh('ADT^A04^ADT_A01', id),
    ['PID', '1', '', `${mrn}^^^HOSP^MR`, '', 'Walsh^Ciara^Anne', '', '19800115', 'F', '', '', '1 Main St^Apt 2^Dublin^^D01^IE', '', '+353871234567^PRN^PH~^NET^Internet^ciara@example.test'],
    ['PV1', '1', 'O', '', '', '', '', `${clinician.email}^Clinician^Test`],
    ['AL1', '1', 'DA', '1191^Aspirin^RXNORM', 'SV', 'Hives~Wheezing', '20100101'],
    ['AL1', '2', 'FA', '^Peanut', 'MO', 'Anaphylaxis'],
  ],
  [
    msh('ADT^A08^ADT_A01', id),
    ['PID', '1', '', `${mrn}^^^HOSP^MR`, '', 'Walsh^Ciara', '', '19800115', 'F', '', '', '', '', '+353 87 765 4321^PRN^PH'],
    ['AL1', '1', 'DA', '1191^Aspirin^RXNORM', 'MO', 'Hives', '20100101'],
  ],
  [
    msh('ORU^R01^ORU_R01', id),
    ['PID', '1', '', `${mrn}^^^HOSP^MR`],
    ['OBR', '1', 'ORD1', 'FIL1', '24323-8^Panel^LN', '', '', '20240301083000'],
    ['OBX', '1', 'NM', '2823-3^Potassium^LN', '', '5.9', 'mmol/L^millimole per liter^UCUM', '3.5-5.1', 'H', '', '', 'F', '', '', '20240301083000+0000'],
    ['OBX', '2', 'SN', '2345-7^Glucose^LN', '', '<^4.1', 'mmol/L', '<7.8', 'N', '', '', 'F'],
    ['OBX', '3', 'ST', '8251-1^Comment^LN', '', 'Sample haemolysed\\.br\\repeat', '', '', '', '', '', 'P'],
  ],
];

const hostileValue = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }), // lone surrogates and control characters included
  fc.constantFrom('\\X00\\', '\\X\\', '\\Xzz\\', '\\XFFFE\\', '\\E\\', '\\.br\\', '\\H\\', '\\', '\\\\', '\\F\\\\S\\\\T\\\\R\\', '\u0000', '\uD800', '|', '^', '~', '&', '^^^^^', '&&&'),
  fc.constantFrom(
    '00000101',
    '00000000',
    '99991231235959',
    '99991231233000-0500',
    '00010101000000+0100',
    '20230230',
    '20231301',
    '2024010125',
    '20240101+9999',
    '20240101-2400',
    '202401011200.99999',
    '1e999',
    '-1',
    'NaN',
    '19800115+0000',
    '20240301083000.1234+1559',
  ),
  fc.integer({ min: 1, max: 3000 }).map((n) => 'H-1^^^H^MR~'.repeat(n)),
  fc.integer({ min: 1, max: 5000 }).map((n) => 'x'.repeat(n)),
  fc.double().map(String),
);

type Mutation = (segments: string[][]) => void;
const at = <T>(xs: T[], i: number) => xs[i % xs.length]!;
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.integer({ min: 1, max: 100 }), fc.nat(), hostileValue).map(
    ([s, f, v]): Mutation =>
      (segments) => {
        const seg = at(segments, s);
        seg[1 + (f % (seg.length + 2))] = v;
      },
  ),
  fc.tuple(fc.integer({ min: 1, max: 100 }), fc.nat(), fc.nat({ max: 6 }), hostileValue).map(
    ([s, f, c, v]): Mutation =>
      (segments) => {
        const seg = at(segments, s);
        const i = 1 + (f % Math.max(1, seg.length - 1));
        const components = (seg[i] ?? '').split('^');
        components[c] = v;
        seg[i] = components.join('^');
      },
  ),
  fc.tuple(fc.nat(), fc.integer({ min: 2, max: 400 })).map(
    ([s, n]): Mutation =>
      (segments) => {
        const seg = at(segments, s);
        if (seg[0] !== 'MSH') segments.push(...Array.from({ length: n }, () => [...seg]));
      },
  ),
  fc.tuple(fc.nat(), fc.constantFrom('MSH', 'PID', 'OBX', 'AL1', 'OBR', 'PV1', 'ZZZ', '', 'pid', 'MS')).map(
    ([s, name]): Mutation =>
      (segments) => {
        at(segments, s)[0] = name;
      },
  ),
  fc.nat().map(
    (s): Mutation =>
      (segments) => {
        if (segments.length > 1) segments.splice(1 + (s % (segments.length - 1)), 1);
      },
  ),
  // MSH itself, less often: its fields, its separators.
  fc.tuple(fc.nat(), hostileValue).map(
    ([f, v]): Mutation =>
      (segments) => {
        segments[0]![2 + (f % 11)] = v;
      },
  ),
  fc.string({ minLength: 4, maxLength: 4 }).map(
    (separators): Mutation =>
      (segments) => {
        segments[0]![1] = separators; // MSH-2: the component, repetition, escape and subcomponent separators
      },
  ),
);

/** The message's text: fields joined by `|`, segments by `\r`, and now and then cut short anywhere. */
const render = (segments: string[][], cut: number | null) => {
  const text = segments.map((s) => s.join('|')).join('\r');
  return cut === null ? text : text.slice(0, cut % (text.length + 1));
};

it('answers every mangled message with an ACK, never a server error', async () => {
  let n = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.nat({ max: 2 }),
      fc.array(mutation, { minLength: 1, maxLength: 4 }),
      fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat() }),
      async (template, mutations, cut) => {
        n++;
        const segments = templates(`PROP-${n}`, `H-PROP-${n % 7}`)[template]!.map((s) => [...s]);
        for (const mutate of mutations) mutate(segments);
        const body = render(segments, cut);
        const response = await t.fetch(`${t.url}/hl7/v2`, { method: 'POST', headers: { authorization: `Bearer ${admin.token}` }, body });
        const text = await response.text();
        const expected = splitHl7Messages(body).length;
        if (expected === 0) {
          expect(response.status, text).toBe(400); // no message at all in the body
          return;
        }
        expect(response.status, text.slice(0, 300)).toBe(200);
        const acks = text.split('\n').filter(Boolean);
        expect(acks).toHaveLength(expected);
        for (const ack of acks) expect(ack, ack.slice(0, 300)).toMatch(/^MSH\|\^~\\&\|PAMS\|[^\r]*\rMSA\|A[AER]\|/);
      },
    ),
    { numRuns: 200 },
  );
  // Every value was checked before it reached the database: nothing fell through to the AE 207 of last resort.
  expect(t.logLines.filter((l) => l.includes('hl7 message failed'))).toEqual([]);
}, 300_000);
