import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataSnapshot } from '../data-snapshot.ts';
import { createPractice, sql, type TestUser } from '../fixtures.ts';
import { startTestServer, type TestServer } from '../harness.ts';

/**
 * HL7 v2 at the sizes interface engines send: the size limits, and a message's cost, proven by the number
 * of SQL statements it takes (the same for 10 segments as for 1,000), not by timing it.
 */

let t: TestServer;
let admin: TestUser;
let statements: string[] | null = null;

beforeAll(async () => {
  t = await startTestServer({}, { onQuery: (query) => statements?.push(query) });
  ({ admin } = await createPractice(t));
});
afterAll(() => t.close());

const segment = (ack: string, name: string) => ack.split('\r').find((s) => s.startsWith(`${name}|`));
const msh = (type: string, controlId: string) => `MSH|^~\\&|ENGINE|HOSP|PAMS|CLINIC|20240305101500||${type}|${controlId}|P|2.5`;
const adt = (controlId: string, mrn: string, allergies: number, severity = 'MO') =>
  [
    msh('ADT^A04^ADT_A01', controlId),
    `PID|1||${mrn}^^^HOSP^MR||Kelly^Ann||19800101|F`,
    ...Array.from({ length: allergies }, (_, i) => `AL1|${i + 1}|DA|${10000 + i}^Allergen ${i}^RXNORM|${severity}|Hives~Wheezing|20100101`),
  ].join('\r');
const oru = (controlId: string, mrn: string, results: number) =>
  [
    msh('ORU^R01^ORU_R01', controlId),
    `PID|1||${mrn}^^^HOSP^MR`,
    'OBR|1|ORD1|FIL1|24323-8^Panel^LN|||20240301083000',
    ...Array.from({ length: results }, (_, i) => `OBX|${i + 1}|NM|${1000 + i}-1^Test ${i}^LN||4.4|mmol/L|3.5-5.1|N|||F`),
  ].join('\r');

/** The statements one message takes, and its result. */
async function counted(message: string) {
  statements = [];
  try {
    const result = await t.client(admin.token).hl7.receive.mutate({ message });
    return { result, statements: statements.length };
  } finally {
    statements = null;
  }
}

describe('HL7 message size limits', () => {
  it('refuses a message over the segment limit with an AR naming it, and writes nothing', async () => {
    const before = await dataSnapshot(t);
    const limit = t.config.hl7Limits.maxSegments;
    const result = await t.client(admin.token).hl7.receive.mutate({ message: adt('LIMIT-1', 'H-LIMIT', limit - 1) }); // MSH + PID + limit-1 AL1
    expect(result.ackCode).toBe('AR');
    expect(segment(result.ack, 'MSA')).toBe(`MSA|AR|LIMIT-1|the message has ${limit + 1} segments, over the limit of ${limit} (HL7_MAX_SEGMENTS)`);
    expect(segment(result.ack, 'ERR')).toMatch(/^ERR\|\|\|102\^Data type error\^HL70357\|E\|\|\|\|the message has \d+ segments/);
    expect(await dataSnapshot(t)).toBe(before);
  });

  it('refuses a message over the byte limit with an AR naming it, through POST /hl7/v2 too', async () => {
    const before = await dataSnapshot(t);
    const limit = t.config.hl7Limits.maxBytes;
    const message = [msh('ADT^A04^ADT_A01', 'LIMIT-2'), 'PID|1||H-LIMIT2^^^HOSP^MR||Kelly^Ann||19800101|F', `NTE|1||${'x'.repeat(limit)}`].join('\r');
    const result = await t.client(admin.token).hl7.receive.mutate({ message });
    expect([result.ackCode, result.controlId]).toEqual(['AR', 'LIMIT-2']);
    expect(result.text).toBe(`the message has ${Buffer.byteLength(message)} bytes, over the limit of ${limit} (HL7_MAX_MESSAGE_BYTES)`);
    const response = await t.fetch(`${t.url}/hl7/v2`, { method: 'POST', headers: { authorization: `Bearer ${admin.token}` }, body: message.replace('LIMIT-2', 'LIMIT-3') });
    expect(response.status).toBe(200);
    expect(segment(await response.text(), 'MSA')).toMatch(/^MSA\|AR\|LIMIT-3\|the message has \d+ bytes, over the limit of \d+ \(HL7_MAX_MESSAGE_BYTES\)$/);
    expect(await dataSnapshot(t)).toBe(before);
  });

  it('takes its limits from the configuration', async () => {
    const small = await startTestServer({ HL7_MAX_SEGMENTS: '20', HL7_MAX_MESSAGE_BYTES: '2048' });
    try {
      const { admin: smallAdmin } = await createPractice(small);
      const result = await small.client(smallAdmin.token).hl7.receive.mutate({ message: adt('SMALL-1', 'H-SMALL', 19) });
      expect(result.text).toBe('the message has 21 segments, over the limit of 20 (HL7_MAX_SEGMENTS)');
      expect((await small.client(smallAdmin.token).hl7.receive.mutate({ message: adt('SMALL-2', 'H-SMALL', 18) })).ackCode).toBe('AA');
    } finally {
      await small.close();
    }
  });
});

describe('a large HL7 message', () => {
  it('applies 2,000 AL1 segments, each an allergy with its revision and audit row', async () => {
    const { result } = await counted(adt('LARGE-1', 'H-LARGE', 2000));
    expect(result.ackCode).toBe('AA');
    expect(result.text).toBe('patient created; allergies: 2000 new, 0 updated, 0 unchanged');
    const [patient] = await sql(t, "select id from patient where mrn = 'H-LARGE'");
    const [counts] = await sql(
      t,
      `select (select count(*)::int from clinical_record where patient_id = ? and kind = 'allergy') as allergies,
        (select count(*)::int from record_revision r join clinical_record c on c.id = r.record_id where c.patient_id = ?) as revisions,
        (select count(*)::int from audit_event where action = 'allergy.created' and detail->>'patientId' = ?) as audited`,
      [patient!.id, patient!.id, patient!.id],
    );
    expect(counts).toEqual({ allergies: 2000, revisions: 2000, audited: 2000 });
    const [sample] = await sql(t, "select data, version from clinical_record where patient_id = ? and import_key = 'hl7:al1:11999'", [patient!.id]);
    expect(sample).toEqual({
      version: 1,
      data: {
        substance: 'Allergen 1999',
        code: { system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '11999', display: 'Allergen 1999' },
        category: 'medication',
        severity: 'moderate',
        reactions: ['Hives', 'Wheezing'],
        onsetDate: '2010-01-01',
      },
    });

    const again = await t.client(admin.token).hl7.receive.mutate({ message: adt('LARGE-2', 'H-LARGE', 2000, 'SV') });
    expect(again.text).toBe('patient updated; allergies: 0 new, 2000 updated, 0 unchanged');
    expect(await sql(t, "select count(*)::int as n from clinical_record where patient_id = ? and kind = 'allergy' and version = 2 and data->>'severity' = 'severe'", [patient!.id])).toEqual([
      { n: 2000 },
    ]);
  });

  it('takes as many SQL statements for 1,000 segments as for 10', async () => {
    const small = await counted(adt('COUNT-1', 'H-COUNT1', 10));
    const large = await counted(adt('COUNT-2', 'H-COUNT2', 1000));
    expect([small.result.ackCode, large.result.ackCode]).toEqual(['AA', 'AA']);
    expect(large.statements).toBe(small.statements);

    const smallUpdate = await counted(adt('COUNT-3', 'H-COUNT1', 10, 'SV'));
    const largeUpdate = await counted(adt('COUNT-4', 'H-COUNT2', 1000, 'SV'));
    expect([smallUpdate.result.text, largeUpdate.result.text]).toEqual(['patient updated; allergies: 0 new, 10 updated, 0 unchanged', 'patient updated; allergies: 0 new, 1000 updated, 0 unchanged']);
    expect(largeUpdate.statements).toBe(smallUpdate.statements);

    const fewResults = await counted(oru('COUNT-5', 'H-COUNT1', 2));
    const manyResults = await counted(oru('COUNT-6', 'H-COUNT2', 1000));
    expect([fewResults.result.text, manyResults.result.text]).toEqual(['observations: 2 new, 0 updated, 0 unchanged', 'observations: 1000 new, 0 updated, 0 unchanged']);
    expect(manyResults.statements).toBe(fewResults.statements);
  });

  it('registers a new patient with allergies in 1 statement, updates one in 4, and applies results in 1', async () => {
    // The message recorded with the new patient, the allergies and their audit rows: no transaction.
    const registered = await counted(adt('COUNT-7', 'H-COUNT7', 3));
    expect([registered.result.text, registered.statements]).toEqual(['patient created; allergies: 3 new, 0 updated, 0 unchanged', 1]);
    // An update: begin; the patient read and locked by MRN; the message recorded with the patient's changes and the allergies; commit.
    const updated = await counted(adt('COUNT-9', 'H-COUNT7', 3, 'SV').replace('ADT^A04', 'ADT^A08'));
    expect([updated.result.text, updated.statements]).toEqual(['patient updated; allergies: 0 new, 3 updated, 0 unchanged', 4]);
    // A registration of a patient PAMS knows tries the creation first, which writes nothing: one statement more.
    const registeredAgain = await counted(adt('COUNT-10', 'H-COUNT7', 3, 'SV'));
    expect([registeredAgain.result.text, registeredAgain.statements]).toEqual(['patient updated; allergies: 0 new, 0 updated, 3 unchanged', 5]);
    // The patient found, the results written and the message recorded, in one statement.
    const results = await counted(oru('COUNT-8', 'H-COUNT7', 2));
    expect([results.result.text, results.statements]).toEqual(['observations: 2 new, 0 updated, 0 unchanged', 1]);
  });
});
