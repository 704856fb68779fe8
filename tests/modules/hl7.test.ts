import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MllpDecoder, mllpFrame, splitHl7Messages } from '../../shared/hl7-framing.ts';
import { dataSnapshot } from '../data-snapshot.ts';
import { createPractice, inviteUser, sql, type TestUser } from '../fixtures.ts';
import { startTestServer, type TestServer } from '../harness.ts';
import { REPO, runCliAs, startHl7Listener } from '../run-cli.ts';

const fixtures = 'tests/fixtures/hl7';

let t: TestServer;
let admin: TestUser;
let otherAdmin: TestUser;
let clinician: TestUser;
let work: string;

const pams = (user: TestUser, ...args: string[]) => runCliAs(t, user, work, args);
const segment = (ack: string, name: string) => ack.split('\r').find((s) => s.startsWith(`${name}|`));
const a04 = (controlId: string, mrn: string, birth = '19920304') =>
  [`MSH|^~\\&|ENGINE|HOSP|PAMS|CLINIC|20240305101500||ADT^A04^ADT_A01|${controlId}|P|2.5`, `PID|1||${mrn}^^^HOSP^MR||Walsh^Ciara||${birth}|F`].join('\r');

beforeAll(async () => {
  t = await startTestServer();
  ({ admin } = await createPractice(t));
  ({ admin: otherAdmin } = await createPractice(t));
  clinician = await inviteUser(t, admin);
  work = await mkdtemp(path.join(tmpdir(), 'pams-hl7-'));
});
afterAll(() => t.close());

describe('HL7 v2 framing', () => {
  it('splits messages on MSH whatever the line ends, and drops MLLP framing', () => {
    const text = `\x0bMSH|a\rPID|1\x1c\r\nMSH|b\nPID|2\r\n\r\nMSH|c\r`;
    expect(splitHl7Messages(text)).toEqual(['MSH|a\rPID|1', 'MSH|b\rPID|2', 'MSH|c']);
  });

  it('reassembles MLLP frames split across chunks', () => {
    const decoder = new MllpDecoder();
    const bytes = Buffer.concat([mllpFrame('MSH|one'), mllpFrame('MSH|two')]);
    expect(decoder.push(bytes.subarray(0, 5))).toEqual([]);
    expect(decoder.push(bytes.subarray(5, 14))).toEqual(['MSH|one\r']);
    expect(decoder.push(bytes.subarray(14))).toEqual(['MSH|two\r']);
  });
});

describe('pams import hl7', () => {
  it('applies ADT and ORU messages: escapes, repetitions and components decoded, unknown segments ignored', async () => {
    const result = await pams(admin, 'import', 'hl7', `${fixtures}/adt-and-oru.hl7`, '--json');
    expect(result.stderr).toMatch(/^import hl7: 3 messages in [\d.]+ s \(\d+ messages\/s\)\n$/); // progress only, no error
    expect(result.code).toBe(0);
    const acks = result.json() as { controlId: string; ackCode: string; ack: string }[];
    expect(acks.map((a) => [a.controlId, a.ackCode])).toEqual([
      ['ADT0001', 'AA'],
      ['ADT0002', 'AA'],
      ['ORU0001', 'AA'],
    ]);
    expect(segment(acks[0]!.ack, 'MSA')).toMatch(/^MSA\|AA\|ADT0001\|patient created, attending clinician on the care team; allergies: 2 new/);
    expect(segment(acks[0]!.ack, 'MSH')).toMatch(/^MSH\|\^~\\&\|PAMS\|Practice \w+\|EPIC\|HOSP\|\d{14}\|\|ACK\^A01\^ACK\|\w+\|P\|2\.5$/);

    const [patient] = await sql(t, "select id, mrn, given_name, middle_names, family_name, birth_date::text, gender, email, phone, address from patient where practice_id = ? and mrn = 'H-5001'", [
      admin.practiceId,
    ]);
    expect(patient).toMatchObject({
      given_name: 'Mary|Ann',
      middle_names: ['Q'],
      family_name: "O'Neill&Sons",
      birth_date: '1980-01-15',
      gender: 'female',
      email: 'mary@example.test',
      phone: '+353877654321', // from the A08 that followed
      address: { lines: ['1 Main St^Apt 2', 'Block \\B\\'], city: 'Dublin', postalCode: 'D01 X2Y3', country: 'IE' },
    });
    expect(await sql(t, 'select clinician_id from care_team_member where patient_id = ?', [patient!.id])).toEqual([{ clinician_id: clinician.id }]);

    const allergies = await sql(t, "select data, version from clinical_record where patient_id = ? and kind = 'allergy' order by import_key", [patient!.id]);
    expect(allergies).toEqual([
      {
        version: 2,
        data: {
          substance: 'Aspirin',
          code: { system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '1191', display: 'Aspirin' },
          category: 'medication',
          severity: 'moderate',
          reactions: ['Hives', 'Wheezing'],
          onsetDate: '2010-01-01',
        },
      },
      { version: 1, data: { substance: 'Peanut', category: 'food', severity: 'moderate', reactions: ['Anaphylaxis'] } },
    ]);
    const observations = await sql(t, "select data, status from clinical_record where patient_id = ? and kind = 'observation' order by data->>'name'", [patient!.id]);
    expect(observations).toEqual([
      {
        status: 'preliminary',
        data: {
          category: 'laboratory',
          name: 'Comment',
          code: { system: 'http://loinc.org', code: '8251-1', display: 'Comment' },
          valueText: 'Sample haemolysed\nrepeat advised',
          effectiveAt: '2024-03-01T08:30:00.000Z',
        },
      },
      {
        status: 'final',
        data: {
          category: 'laboratory',
          name: 'Glucose',
          code: { system: 'http://loinc.org', code: '2345-7', display: 'Glucose' },
          valueNumber: 4.1,
          unit: 'mmol/L',
          unitCode: 'mmol/L',
          referenceLow: 3.9,
          referenceHigh: 7.8,
          referenceText: '3.9-7.8',
          abnormalFlag: 'normal',
          effectiveAt: '2024-03-01T08:30:00.000Z',
        },
      },
      {
        status: 'final',
        data: {
          category: 'laboratory',
          name: 'Potassium',
          code: { system: 'http://loinc.org', code: '2823-3', display: 'Potassium' },
          valueNumber: 5.9,
          unit: 'mmol/L',
          unitCode: 'mmol/L',
          referenceLow: 3.5,
          referenceHigh: 5.1,
          referenceText: '3.5-5.1',
          abnormalFlag: 'high',
          effectiveAt: '2024-03-01T08:30:00.000Z',
        },
      },
    ]);
    const audited = await sql(
      t,
      "select action from audit_event where practice_id = ? and action in ('patient.created', 'patient.updated', 'allergy.created', 'allergy.updated', 'observation.created', 'hl7.applied', 'care-team.added')",
      [admin.practiceId],
    );
    expect(audited.map((a) => a.action).sort()).toEqual([
      'allergy.created',
      'allergy.created',
      'allergy.updated',
      'care-team.added',
      'hl7.applied',
      'hl7.applied',
      'hl7.applied',
      'observation.created',
      'observation.created',
      'observation.created',
      'patient.created',
      'patient.updated',
    ]);
  });

  it('does not apply a control id twice', async () => {
    const before = await dataSnapshot(t);
    const result = await pams(admin, 'import', 'hl7', `${fixtures}/adt-and-oru.hl7`);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/ADT0001\s*│\s*ADT\^A01\s*│\s*AA\s*│\s*│\s*message ADT0001 was applied before: not applied again/);
    expect(await dataSnapshot(t)).toBe(before);
  });

  it('answers malformed and refused messages with AR or AE, the reason in MSA and ERR, and writes nothing', async () => {
    const before = await dataSnapshot(t);
    const result = await pams(admin, 'import', 'hl7', `${fixtures}/malformed.hl7`, '--json');
    expect(result.code).toBe(1);
    const acks = result.json() as { controlId: string | null; ackCode: string; errorLocation: string | null; text: string; ack: string }[];
    expect(acks.map((a) => [a.controlId, a.ackCode, a.errorLocation])).toEqual([
      [null, 'AR', null],
      [null, 'AR', 'MSH^1^10'],
      ['BAD0002', 'AR', 'MSH^1^9'],
      ['BAD0003', 'AE', 'PID^1^7'],
      ['BAD0004', 'AE', 'AL1^1^4'],
      ['BAD0005', 'AE', 'PID^1^3'],
    ]);
    expect(segment(acks[3]!.ack, 'MSA')).toBe('MSA|AE|BAD0003|birthDate: must be a date, YYYY-MM-DD');
    expect(segment(acks[3]!.ack, 'ERR')).toBe('ERR||PID^1^7|102^Data type error^HL70357|E||||birthDate: must be a date, YYYY-MM-DD');
    expect(segment(acks[5]!.ack, 'ERR')).toBe('ERR||PID^1^3|204^Unknown key identifier^HL70357|E||||no patient has MRN H-NOBODY');
    expect(segment(acks[2]!.ack, 'MSA')).toMatch(/^MSA\|AR\|BAD0002\|message type SIU is not supported/);
    expect(await dataSnapshot(t)).toBe(before);
  });

  it('keeps each practice to its own patients and control ids', async () => {
    const oru = (await readFile(path.join(REPO, fixtures, 'adt-and-oru.hl7'), 'utf8')).split(/\n(?=MSH)/)[2]!;
    const refused = await t.client(otherAdmin.token).hl7.receive.mutate({ message: oru.replace(/\n/g, '\r') });
    expect([refused.ackCode, refused.text]).toEqual(['AE', 'no patient has MRN H-5001']);
    const applied = await t.client(otherAdmin.token).hl7.receive.mutate({ message: a04('ADT0001', 'H-5001') });
    expect(applied.ackCode).toBe('AA');
    expect(await sql(t, "select practice_id from patient where mrn = 'H-5001' order by practice_id")).toHaveLength(2);
  });
});

describe('HL7 fidelity: what the standard carries is kept', () => {
  let fidelity: TestUser;
  beforeAll(async () => {
    ({ admin: fidelity } = await createPractice(t, 'Clinic & Co'));
  });
  const adt = [
    'MSH|^~\\&|ENGINE|HOSP|PAMS|CLINIC|20240305101500||ADT^A04^ADT_A01|FID0001|P|2.5',
    'PID|1||F-1001^^^HOSP^MR||Byrne^Seán^Pádraig Óg||19750102|M',
    'AL1|1|FA|^Peanut|SV|Hives~Swelling of the lips~Wheezing',
    'AL1|2|AA|^Cat dander|MI|Sneezing',
    'AL1|3|MA|^Adhesive tape|MI|',
    'AL1|4|DA|1191^Aspirin^RXNORM|MO|^Rash^L',
  ].join('\r');
  const oru = [
    'MSH|^~\\&|LAB|HOSP|PAMS|CLINIC|20240306090000||ORU^R01^ORU_R01|FID0002|P|2.5',
    'PID|1||F-1001^^^HOSP^MR',
    'OBR|1|ORD9|FIL9|24323-8^Panel^LN|||20240306083000',
    'OBX|1|NM|4548-4^HbA1c^LN||6.1|%^percent^UCUM|<5.7|H|||F',
    'OBX|2|NM|33914-3^eGFR^LN||72|mL/min/{1.73_m2}^^UCUM|>60|N|||F',
    'OBX|3|NM|2093-3^Cholesterol^LN||4.2|mmol/L|<=5.0|N|||F',
    'OBX|4|NM|2085-9^HDL^LN||1.4|mmol/L|>=1.0|N|||F',
    'OBX|5|NM|8480-6^Systolic^LN||128|mmHg|90-140|N|||F',
    'OBX|6|NM|2947-0^Sodium^LN||140|MMOL/L^^L|135-145|N|||F',
    'OBX|7|ST|5778-6^Urine colour^LN||Yellow||Straw to amber|N|||F',
  ].join('\r');

  it('answers with the MSH-3/4 of the practice settings, their defaults PAMS and the practice name', async () => {
    const api = t.client(fidelity.token);
    expect(await api.practices.current.query()).toMatchObject({ hl7SendingApplication: 'PAMS', hl7SendingFacility: 'Clinic & Co' });
    const msh = async (controlId: string) =>
      segment((await api.hl7.receive.mutate({ message: a04(controlId, 'F-0001') })).ack, 'MSH')!
        .split('|')
        .slice(2, 6);
    expect(await msh('FIDACK1')).toEqual(['PAMS', 'Clinic \\T\\ Co', 'ENGINE', 'HOSP']);
    expect(await api.practices.update.mutate({ hl7SendingApplication: 'PAMS-EHR', hl7SendingFacility: 'CLINIC-42' })).toMatchObject({
      hl7SendingApplication: 'PAMS-EHR',
      hl7SendingFacility: 'CLINIC-42',
    });
    expect(await msh('FIDACK2')).toEqual(['PAMS-EHR', 'CLINIC-42', 'ENGINE', 'HOSP']);
    await expect(api.practices.update.mutate({ hl7SendingFacility: 'A^B' })).rejects.toMatchObject({ data: { fieldErrors: { hl7SendingFacility: [expect.stringContaining('separators')] } } });
    await expect(t.client(clinician.token).practices.update.mutate({ hl7SendingApplication: 'X' })).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
    expect(await api.practices.update.mutate({ hl7SendingApplication: null, hl7SendingFacility: null })).toMatchObject({ hl7SendingApplication: 'PAMS', hl7SendingFacility: 'Clinic & Co' });
    expect(await msh('FIDACK3')).toEqual(['PAMS', 'Clinic \\T\\ Co', 'ENGINE', 'HOSP']);
  });

  it('keeps middle names, allergy categories and each reaction, through the API', async () => {
    const api = t.client(fidelity.token);
    expect((await api.hl7.receive.mutate({ message: adt })).ackCode).toBe('AA');
    const [found] = (await api.patients.search.query({ query: 'padraig byrne' })).items;
    expect(found).toMatchObject({ mrn: 'F-1001', givenName: 'Seán', middleNames: ['Pádraig', 'Óg'], familyName: 'Byrne' });
    const allergies = (await api.allergies.list.query({ patientId: found!.id })).items;
    const bySubstance = Object.fromEntries(allergies.map((a) => [a.substance, [a.category, a.reactions]]));
    expect(bySubstance).toEqual({
      Peanut: ['food', ['Hives', 'Swelling of the lips', 'Wheezing']],
      'Cat dander': ['environment', ['Sneezing']],
      'Adhesive tape': [undefined, undefined], // MA, miscellaneous: no FHIR category
      Aspirin: ['medication', ['Rash']],
    });
    // A name sent again without PID-5.3 has no middle names any more.
    const a08 = 'MSH|^~\\&|ENGINE|HOSP|PAMS|CLINIC|20240305111500||ADT^A08^ADT_A01|FID0003|P|2.5\rPID|1||F-1001^^^HOSP^MR||Byrne^Seán||19750102|M';
    expect((await api.hl7.receive.mutate({ message: a08 })).ackCode).toBe('AA');
    expect(await api.patients.byId.query({ id: found!.id })).toMatchObject({ middleNames: [] });
    expect((await api.patients.search.query({ query: 'padraig' })).items).toEqual([]);
  });

  it('keeps reference ranges with comparators as text, limits only where they are limits, and UCUM units', async () => {
    const api = t.client(fidelity.token);
    expect((await api.hl7.receive.mutate({ message: oru })).ackCode).toBe('AA');
    const [patient] = (await api.patients.search.query({ mrn: 'F-1001' })).items;
    const observations = (await api.observations.list.query({ patientId: patient!.id })).items;
    const pick = ({ unit, unitCode, referenceLow, referenceHigh, referenceText }: (typeof observations)[number]) => ({ unit, unitCode, referenceLow, referenceHigh, referenceText });
    expect(Object.fromEntries(observations.map((o) => [o.name, pick(o)]))).toEqual({
      HbA1c: { unit: '%', unitCode: '%', referenceLow: undefined, referenceHigh: undefined, referenceText: '<5.7' },
      eGFR: { unit: 'mL/min/{1.73_m2}', unitCode: 'mL/min/{1.73_m2}', referenceLow: undefined, referenceHigh: undefined, referenceText: '>60' },
      Cholesterol: { unit: 'mmol/L', unitCode: 'mmol/L', referenceLow: undefined, referenceHigh: 5, referenceText: '<=5.0' },
      HDL: { unit: 'mmol/L', unitCode: 'mmol/L', referenceLow: 1, referenceHigh: undefined, referenceText: '>=1.0' },
      Systolic: { unit: 'mmHg', unitCode: undefined, referenceLow: 90, referenceHigh: 140, referenceText: '90-140' }, // mmHg is not UCUM (mm[Hg] is)
      Sodium: { unit: 'MMOL/L', unitCode: undefined, referenceLow: 135, referenceHigh: 145, referenceText: '135-145' }, // capitals: not case-sensitive UCUM
      'Urine colour': { unit: undefined, unitCode: undefined, referenceLow: undefined, referenceHigh: undefined, referenceText: 'Straw to amber' },
    });
  });
});

describe('hostile HL7', () => {
  it('answers odd separators, broken escapes and huge repetitions with an ACK, never a server error', async () => {
    const api = t.client(admin.token);
    const messages = [
      'MSH|',
      'MSH|^~\\&',
      `MSH|^~\\&${'|'.repeat(2000)}`,
      'MSHaaaaa|x',
      'MSH||||||',
      'MSH]^~-&]E]H]P]C]20240101]]ADT^A01]ODD1]P]2.5\rPID]1]]H-9001^^^H^MR]]Odd-T-Name^Ann]]19800101]F',
      'MSH|^~\\&|E|H|P|C|20240101||ADT^A01|ODD2|P|2.5\rPID|1||H-9002^^^H^MR||\\X\\zz\\^\\.br\\\\||19800101|F',
      `MSH|^~\\&|E|H|P|C|20240101||ADT^A01|ODD3|P|2.5\rPID|1||${'H-9003^^^H^MR~'.repeat(5000)}||A^B||19800101|F`,
      'MSH|^~\\&|E|H|P|C|20240101||ORU^R01|ODD4|P|2.5\rPID|1||H-9002^^^H^MR\rOBX|1|NM|x^y^LN||1e999|u',
    ];
    for (const message of messages) {
      const result = await api.hl7.receive.mutate({ message });
      expect(['AA', 'AE', 'AR'], message.slice(0, 40)).toContain(result.ackCode);
      expect(result.ack.startsWith('MSH|^~\\&|PAMS|')).toBe(true);
    }
    const [odd] = await sql(t, "select given_name, family_name from patient where mrn = 'H-9001'");
    expect(odd).toEqual({ given_name: 'Ann', family_name: 'Odd&Name' });
  });
});

describe('values PAMS cannot store', () => {
  const oru = (controlId: string, mrn: string, obx14: string, obr7 = '20240301083000') =>
    [
      `MSH|^~\\&|LAB|HOSP|PAMS|CLINIC|20240301100000||ORU^R01^ORU_R01|${controlId}|P|2.5`,
      `PID|1||${mrn}^^^HOSP^MR`,
      `OBR|1|ORD1|FIL1|24323-8^Panel^LN|||${obr7}`,
      `OBX|1|NM|2823-3^Potassium^LN||4.4|mmol/L|3.5-5.1|N|||F|||${obx14}`,
    ].join('\r');
  const adt = (controlId: string, mrn: string, birth: string, al1 = '') =>
    [`MSH|^~\\&|ENGINE|HOSP|PAMS|CLINIC|20240305101500||ADT^A04^ADT_A01|${controlId}|P|2.5`, `PID|1||${mrn}^^^HOSP^MR||Walsh^Ciara||${birth}|F`, ...(al1 ? [al1] : [])].join('\r');
  // Each: the message, and the field its ERR must name.
  const cases = (prefix: string): [string, string][] => [
    [adt(`${prefix}-1`, `${prefix}-P1`, '00000101'), 'PID^1^7'], // year 0000: no such year in PostgreSQL (was a 500)
    [adt(`${prefix}-2`, `${prefix}-P2`, '20230230'), 'PID^1^7'], // 30 February
    [adt(`${prefix}-3`, `${prefix}-P3`, '20231301'), 'PID^1^7'], // month 13
    [adt(`${prefix}-4`, `${prefix}-P4`, '19800101', 'AL1|1|DA|1191^Aspirin^RXNORM|MO|Hives|20101350'), 'AL1^1^6'],
    [adt(`${prefix}-5`, `${prefix}-P5`, '19800101', `AL1|1|DA|^${'x'.repeat(300)}|MO`), 'AL1^1^3^^2'],
    [oru(`${prefix}-6`, 'H-VALUES', '00000101000000'), 'OBX^1^14'], // year 0000 (was a 500)
    [oru(`${prefix}-7`, 'H-VALUES', '20240301083000+9999'), 'OBX^1^14'], // offset +99:99 (was taken as a time)
    [oru(`${prefix}-8`, 'H-VALUES', '00010101000000+0100'), 'OBX^1^14'], // 1 January of year 1 at +01:00 is year 0000 in UTC
    [oru(`${prefix}-9`, 'H-VALUES', '', '99991231233000-0500'), 'OBX^1^14'], // in UTC, the year 10000
  ];

  beforeAll(async () => {
    expect((await t.client(admin.token).hl7.receive.mutate({ message: a04('VALUES-0', 'H-VALUES') })).ackCode).toBe('AA');
  });

  it('answers each through hl7.receive with an AE whose ERR names the field, and writes nothing', async () => {
    const before = await dataSnapshot(t);
    for (const [message, location] of cases('TRPC')) {
      const result = await t.client(admin.token).hl7.receive.mutate({ message });
      expect([result.ackCode, result.errorLocation], message).toEqual(['AE', location]);
      expect(segment(result.ack, 'ERR')).toMatch(new RegExp(`^ERR\\|\\|${location.replace(/\^/g, '\\^')}\\|10[123]\\^`));
    }
    expect(await dataSnapshot(t)).toBe(before);
  });

  it('answers each through POST /hl7/v2 with an ACK, never a server error', async () => {
    const apiToken = t.secret((await t.client(admin.token).tokens.create.mutate({ name: 'values engine' })).token);
    const response = await t.fetch(`${t.url}/hl7/v2`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiToken}` },
      body: cases('HTTP')
        .map(([m]) => m)
        .join('\r'),
    });
    expect(response.status).toBe(200);
    const acks = (await response.text()).split('\n').filter(Boolean);
    expect(acks.map((a) => [segment(a, 'MSA')!.split('|')[1], segment(a, 'ERR')!.split('|')[2]])).toEqual(cases('HTTP').map(([, location]) => ['AE', location]));
  });

  it('answers an error nothing foresaw with AE 207 and the request id, logging no PHI', async () => {
    // A real failure inside the database, which no validation can catch: a trigger refusing one allergen.
    await sql(
      t,
      `create function refuse_allergen() returns trigger language plpgsql as $$ begin if new.data->>'substance' = 'Unstorable-Allergen' then raise exception 'cannot store %', new.data; end if; return new; end $$`,
    );
    await sql(t, 'create trigger refuse_allergen before insert on clinical_record for each row execute function refuse_allergen()');
    try {
      const before = await dataSnapshot(t);
      const result = await t.client(admin.token).hl7.receive.mutate({ message: adt('UNFORESEEN-1', 'H-UNFORESEEN', '19800101', 'AL1|1|DA|^Unstorable-Allergen|MO') });
      expect(result.ackCode).toBe('AE');
      expect(segment(result.ack, 'ERR')).toMatch(/^ERR\|\|\|207\^Application internal error\^HL70357\|E\|\|\|\|application internal error \(request [\w-]+\)/);
      expect(await dataSnapshot(t)).toBe(before);
      const logged = t.logLines.filter((l) => l.includes('hl7 message failed'));
      expect(logged).toHaveLength(1);
      expect(logged[0]).toContain('UNFORESEEN-1');
      expect(logged[0]).not.toContain('Unstorable-Allergen');
      expect(logged[0]).not.toContain('H-UNFORESEEN');
    } finally {
      await sql(t, 'drop trigger refuse_allergen on clinical_record');
      await sql(t, 'drop function refuse_allergen()');
    }
  });
});

describe('an update with fields PAMS refuses', () => {
  const adt = (event: string, controlId: string, pid: string, ...rest: string[]) =>
    [`MSH|^~\\&|ENGINE|HOSP|PAMS|CLINIC|20240305101500||ADT^${event}^ADT_A01|${controlId}|P|2.5`, pid, ...rest].join('\r');
  const errs = (ack: string) =>
    ack
      .split('\r')
      .filter((s) => s.startsWith('ERR|'))
      .map((s) => s.split('|'));

  it('applies the rest of an A08, leaves each refused field unchanged and warns for each (ERR-4 W)', async () => {
    const api = t.client(admin.token);
    const created = await api.hl7.receive.mutate({
      message: adt('A04', 'PARTIAL-1', 'PID|1||H-PARTIAL^^^HOSP^MR||Byrne^Orla||19750505|F|||||+353871112223^PRN^PH~^NET^Internet^orla@example.test', 'AL1|1|DA|1191^Aspirin^RXNORM|MO|Hives'),
    });
    expect(created.ackCode).toBe('AA');
    const update = adt(
      'A08',
      'PARTIAL-2',
      'PID|1||H-PARTIAL^^^HOSP^MR||Byrne-Kelly^Orla||19750505|F|||||+1 555 01^PRN^PH~^NET^Internet^not-an-email',
      'AL1|1|DA|1191^Aspirin^RXNORM|SV|Hives',
      'AL1|2|FA|^Peanut||Anaphylaxis',
      'AL1|3|FA|^Sesame|MI|Rash',
    );
    const result = await api.hl7.receive.mutate({ message: update });
    expect(result.ackCode).toBe('AA');
    expect(segment(result.ack, 'MSA')).toMatch(/^MSA\|AA\|PARTIAL-2\|patient updated; allergies: 1 new, 1 updated, 0 unchanged; 3 left out \(see ERR\)$/);
    expect(errs(result.ack).map((e) => [e[2], e[3]!.split('^')[0], e[4]])).toEqual([
      ['PID^1^13', '102', 'W'],
      ['PID^1^13^^4', '102', 'W'],
      ['AL1^2^4', '101', 'W'],
    ]);
    expect(result.warnings.map((w) => w.location)).toEqual(['PID^1^13', 'PID^1^13^^4', 'AL1^2^4']);
    expect(result.warnings[0]!.text).toMatch(/^phone: must be a phone number .*\(left unchanged\)$/);
    const [patient] = await sql(t, "select id, family_name, phone, email from patient where mrn = 'H-PARTIAL'");
    expect(patient).toMatchObject({ family_name: 'Byrne-Kelly', phone: '+353871112223', email: 'orla@example.test' });
    const allergies = await sql(t, "select data->>'substance' as substance, data->>'severity' as severity from clinical_record where patient_id = ? and kind = 'allergy' order by 1", [patient!.id]);
    expect(allergies).toEqual([
      { substance: 'Aspirin', severity: 'severe' },
      { substance: 'Sesame', severity: 'mild' },
    ]);
  });

  it('creates a patient without an optional field it refuses, with a warning, and refuses a create missing a required one', async () => {
    const api = t.client(admin.token);
    const created = await api.hl7.receive.mutate({ message: adt('A04', 'PARTIAL-3', 'PID|1||H-PARTIAL2^^^HOSP^MR||Nolan^Aine||19900101|F|||||+1 555 01^PRN^PH') });
    expect(created.ackCode).toBe('AA');
    expect(errs(created.ack).map((e) => [e[2], e[4]])).toEqual([['PID^1^13', 'W']]);
    expect(created.warnings[0]!.text).toMatch(/\(left out\)$/);
    expect(await sql(t, "select phone from patient where mrn = 'H-PARTIAL2'")).toEqual([{ phone: null }]);
    const refused = await api.hl7.receive.mutate({ message: adt('A04', 'PARTIAL-4', 'PID|1||H-PARTIAL3^^^HOSP^MR||Nolan^Aine||19900101|X|||||+1 555 01^PRN^PH') });
    expect([refused.ackCode, refused.errorLocation, refused.warnings]).toEqual(['AE', 'PID^1^8', []]);
    expect(errs(refused.ack).map((e) => e[4])).toEqual(['E']);
    expect(await sql(t, "select 1 from patient where mrn = 'H-PARTIAL3'")).toEqual([]);
  });
});

describe('a patient written by HL7', () => {
  // Every column but the ids, the MRN and the times: what patients.create and patients.update store.
  const stored = async (mrn: string) => {
    const [row] = await sql(t, 'select * from patient where practice_id = ? and mrn = ?', [admin.practiceId, mrn]);
    const { id, mrn: _mrn, created_at, updated_at, ...rest } = row as Record<string, unknown>;
    return rest;
  };

  it('is stored as the API stores the same fields, created and then updated', async () => {
    const api = t.client(admin.token);
    const fields = {
      givenName: 'Siobhán',
      middleNames: ['Máire'],
      familyName: 'Ó Briain',
      birthDate: '1981-02-03',
      gender: 'female' as const,
      phone: '+353871234567',
      email: 'siobhan@example.test',
      address: { lines: ['1 Main St'], city: 'Dublin', postalCode: 'D01', country: 'IE' },
    };
    const viaApi = await api.patients.create.mutate({ mrn: 'SAME-API', ...fields });
    const pid = (mrn: string, family: string, phone: string) => `PID|1||${mrn}^^^HOSP^MR||${family}^Siobhán^Máire||19810203|F|||1 Main St^^Dublin^^D01^IE||${phone}~^NET^Internet^siobhan@example.test`;
    const a = (event: string, controlId: string, segment: string) => `MSH|^~\\&|ENGINE|HOSP|PAMS|CLINIC|20240305101500||ADT^${event}^ADT_A01|${controlId}|P|2.5\r${segment}`;
    expect((await api.hl7.receive.mutate({ message: a('A04', 'SAME-1', pid('SAME-HL7', 'Ó Briain', '+353871234567')) })).ackCode).toBe('AA');
    expect(await stored('SAME-HL7')).toEqual(await stored('SAME-API'));

    await api.patients.update.mutate({ id: viaApi.id, familyName: 'Kelly', phone: '+353879999999' });
    expect((await api.hl7.receive.mutate({ message: a('A08', 'SAME-2', pid('SAME-HL7', 'Kelly', '+353879999999')) })).ackCode).toBe('AA');
    expect(await stored('SAME-HL7')).toEqual(await stored('SAME-API'));
    expect((await api.patients.search.query({ query: 'maire kelly' })).items.map((p) => p.mrn).sort()).toEqual(['SAME-API', 'SAME-HL7']);

    const [hl7] = await sql(t, "select id from patient where mrn = 'SAME-HL7'");
    const audited = await sql(t, "select action, detail from audit_event where entity_id = ? and action like 'patient.%' order by at, id", [hl7!.id]);
    expect(audited).toEqual([
      { action: 'patient.created', detail: null },
      { action: 'patient.updated', detail: { fields: 'familyName,givenName,middleNames,birthDate,gender,phone,email,address' } },
    ]);
    // The update is in the patient's history as the API's is: the same fields before and after, from the message.
    const [viaHl7, viaStaff] = [await api.patients.history.query({ id: hl7!.id }), await api.patients.history.query({ id: viaApi.id })];
    expect(viaHl7).toEqual([{ ...viaStaff[0], id: expect.any(String), changedAt: expect.any(String), source: 'hl7', sourceRef: 'SAME-2' }]);
    expect(viaStaff).toMatchObject([{ source: 'staff', sourceRef: null, before: { familyName: 'Ó Briain', phone: '+353871234567' }, after: { familyName: 'Kelly', phone: '+353879999999' } }]);
  });
});

describe('the same message delivered twice at once', () => {
  it('is applied once: the other delivery is answered as a repeat', async () => {
    const message = [a04('TWICE-1', 'H-TWICE'), 'AL1|1|DA|1191^Aspirin^RXNORM|MO|Hives'].join('\r');
    const results = await Promise.all([1, 2, 3].map(() => t.client(admin.token).hl7.receive.mutate({ message })));
    expect(results.map((r) => r.ackCode)).toEqual(['AA', 'AA', 'AA']);
    expect(results.filter((r) => r.text.includes('applied before'))).toHaveLength(2);
    expect(await sql(t, "select count(*)::int as n from hl7_message where control_id = 'TWICE-1'")).toEqual([{ n: 1 }]);
    expect(await sql(t, "select count(*)::int as n from clinical_record c join patient p on p.id = c.patient_id where p.mrn = 'H-TWICE'")).toEqual([{ n: 1 }]);
  });

  it('applies messages racing to create the same new patient: one creates, the others update', async () => {
    const messages = ['Aspirin', 'Peanut', 'Latex'].map((allergen, i) => [a04(`RACE-${i}`, 'H-RACE'), `AL1|1|DA|^${allergen}|MO|Hives`].join('\r'));
    const results = await Promise.all(messages.map((message) => t.client(admin.token).hl7.receive.mutate({ message })));
    expect(results.map((r) => r.ackCode)).toEqual(['AA', 'AA', 'AA']);
    expect(results.map((r) => r.text.split(';')[0]).sort()).toEqual(['patient created', 'patient updated', 'patient updated']);
    expect(await sql(t, "select count(*)::int as n from hl7_message where control_id like 'RACE-%'")).toEqual([{ n: 3 }]);
    expect(await sql(t, "select count(*)::int as n from clinical_record c join patient p on p.id = c.patient_id where p.mrn = 'H-RACE'")).toEqual([{ n: 3 }]);
  });
});

describe('POST /hl7/v2', () => {
  const post = (body: string, token?: string) => t.fetch(`${t.url}/hl7/v2`, { method: 'POST', headers: { 'content-type': 'text/plain', ...(token && { authorization: `Bearer ${token}` }) }, body });

  it('answers every message of the body with its ACK, MLLP framing tolerated', async () => {
    const apiToken = t.secret((await t.client(admin.token).tokens.create.mutate({ name: 'interface engine' })).token);
    const body = `${mllpFrame(a04('HTTP0001', 'H-7001')).toString()}${a04('HTTP0002', 'H-7002', '19921399')}\n`;
    const response = await post(body, apiToken);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('hl7-v2');
    const acks = (await response.text()).split('\n').filter(Boolean);
    expect(acks.map((a) => segment(a, 'MSA')!.split('|').slice(0, 3).join('|'))).toEqual(['MSA|AA|HTTP0001', 'MSA|AE|HTTP0002']);
    expect(await sql(t, "select mrn from patient where mrn like 'H-700%'")).toEqual([{ mrn: 'H-7001' }]);
  });

  it('refuses a caller without a token or without the admin role', async () => {
    expect((await post(a04('HTTP0003', 'H-7003'))).status).toBe(401);
    expect((await post(a04('HTTP0003', 'H-7003'), clinician.token)).status).toBe(403);
    expect((await post('', admin.token)).status).toBe(400);
    expect(await sql(t, "select 1 from patient where mrn = 'H-7003'")).toHaveLength(0);
  });
});

describe('pams hl7 listen', () => {
  it('answers each MLLP message with its ACK, forwarding to the server', async () => {
    const listener = await startHl7Listener(t, admin, work);
    try {
      const socket = connect(listener.port, '127.0.0.1');
      await once(socket, 'connect');
      const decoder = new MllpDecoder();
      const acks: string[] = [];
      socket.on('data', (chunk: Buffer) => acks.push(...decoder.push(chunk)));
      // Two messages in one write, the second split across two writes.
      const bytes = Buffer.concat([mllpFrame(a04('MLLP0001', 'H-8001')), mllpFrame(a04('MLLP0002', 'H-8002', 'not-a-date'))]);
      socket.write(bytes.subarray(0, bytes.length - 20));
      setTimeout(() => socket.write(bytes.subarray(bytes.length - 20)), 50);
      await expect.poll(() => acks.length, { timeout: 10_000 }).toBe(2);
      socket.end();
      expect(acks.map((a) => segment(a, 'MSA')!.split('|').slice(0, 3).join('|'))).toEqual(['MSA|AA|MLLP0001', 'MSA|AE|MLLP0002']);
      expect(listener.output()).toMatch(/MLLP0002 ADT\^A04 AE PID\^1\^7/);
      expect(listener.output()).not.toContain('Walsh'); // no PHI in its log
    } finally {
      listener.stop();
    }
  });
});
