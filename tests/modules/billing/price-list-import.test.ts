import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataSnapshot } from '../../data-snapshot.ts';
import { createPractice, inviteUser, sql, type TestUser } from '../../fixtures.ts';
import { startTestServer, type TestServer } from '../../harness.ts';
import { rejection } from '../../rejection.ts';
import { runCliAs } from '../../run-cli.ts';

/** A price list imported from CSV through the staged imports (`--type services`): over the CLI and the API. */

let t: TestServer;
let admin: TestUser;
let work: string;
let rates: { standard: { id: string }; reduced: { id: string } };

const pams = (user: TestUser, ...args: string[]) => runCliAs(t, user, work, args);
const csv = async (name: string, lines: string[]) => {
  const file = path.join(work, name);
  await writeFile(file, `${lines.join('\r\n')}\r\n`);
  return file;
};
const priceList = (practiceId: string) =>
  sql(t, 'select s.code, s.name, s.price, r.name as tax_rate, s.active from service s left join tax_rate r on r.id = s.tax_rate_id where s.practice_id = ? order by s.code', [practiceId]);

beforeAll(async () => {
  t = await startTestServer();
  ({ admin } = await createPractice(t));
  work = await mkdtemp(path.join(tmpdir(), 'pams-price-list-'));
  const api = t.client(admin.token);
  rates = { standard: await api.taxRates.create.mutate({ name: 'VAT 23%', ratePpm: 230_000 }), reduced: await api.taxRates.create.mutate({ name: 'VAT 13.5%', ratePpm: 135_000 }) };
  await api.services.create.mutate({ code: 'CONS', name: 'Consultation', price: 8000, taxRateId: rates.standard.id });
});
afterAll(() => t.close());

describe('pams import csv --type services', () => {
  it('refuses a file with bad rows, each with its line and field, and writes nothing', async () => {
    const file = await csv('bad.csv', [
      'code,name,price,taxRate,active',
      'CONS,Consultation,80.505,VAT 23%,yes',
      'PHYSIO,Physiotherapy,60,GST 18%,',
      'BAD CODE,,60,,',
      'LETTER,Letter,25,,maybe',
      'PHYSIO2,Physio,60,,',
      'PHYSIO2,Physio again,61,,',
    ]);
    const before = await dataSnapshot(t);
    const result = await pams(admin, 'import', 'csv', file, '--type', 'services');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('line 2, price: "80.505" is not an amount with at most 2 decimals, e.g. 80.00');
    expect(result.stderr).toContain('line 3, taxRate: no tax rate is named GST 18%');
    expect(result.stderr).toContain('line 4, code: must be letters, digits, . _ or -');
    expect(result.stderr).toContain('line 4, name: is required');
    expect(result.stderr).toContain('line 5, active: must be yes or no');
    expect(result.stderr).toContain('line 7, code: is the same service as line 6');
    expect(result.stderr).toContain('5 of 6 rows are invalid: nothing was written');
    expect(await dataSnapshot(t)).toBe(before);
  });

  it('updates the services whose code exists (a price change), creates the new, exactly in minor units; again, it changes nothing', async () => {
    const file = await csv('prices.csv', [
      'Code,Name,Price,Tax rate,Active',
      'CONS,Consultation,85.50,vat 23%,',
      'PHYSIO,"Physiotherapy, 45 minutes",60,VAT 13.5%,yes',
      `LETTER,Letter,0.10,${''},`,
      `OLD,Retired item,1234567.89,${rates.reduced.id},no`,
    ]);
    const dry = await pams(admin, 'import', 'csv', file, '--type', 'services', '--dry-run', '--json');
    expect(dry.json()).toMatchObject({ dryRun: true, created: 3, updated: 1, unchanged: 0 });
    const result = await pams(admin, 'import', 'csv', file, '--type', 'services', '--json');
    expect(result.code).toBe(0);
    expect(result.json()).toMatchObject({ created: 3, updated: 1, unchanged: 0, skipped: 0 });
    expect(await priceList(admin.practiceId)).toEqual([
      { code: 'CONS', name: 'Consultation', price: 8550, tax_rate: 'VAT 23%', active: true },
      { code: 'LETTER', name: 'Letter', price: 10, tax_rate: null, active: true },
      { code: 'OLD', name: 'Retired item', price: 123_456_789, tax_rate: 'VAT 13.5%', active: false },
      { code: 'PHYSIO', name: 'Physiotherapy, 45 minutes', price: 6000, tax_rate: 'VAT 13.5%', active: true },
    ]);
    const audits = await sql(
      t,
      "select action, count(*)::int as n from audit_event where practice_id = ? and entity_type = 'service' and detail->>'importId' is not null group by action order by action",
      [admin.practiceId],
    );
    expect(audits).toEqual([
      { action: 'service.created', n: 3 },
      { action: 'service.updated', n: 1 },
    ]);
    // A charge made after the import is at the new price.
    const listed = await t.client(admin.token).services.list.query();
    expect(listed.find((s) => s.code === 'CONS')).toMatchObject({ price: 8550, taxRateName: 'VAT 23%' });

    const before = await dataSnapshot(t);
    expect((await pams(admin, 'import', 'csv', file, '--type', 'services', '--json')).json()).toMatchObject({ created: 0, updated: 0, unchanged: 4 });
    expect(await dataSnapshot(t)).toBe(before);
  });
});

describe('imports API, type services', () => {
  it("reads prices in the practice's currency (JPY has no decimals), tax rates by id, and is for admins", async () => {
    const { admin: other } = await createPractice(t);
    const api = t.client(other.token);
    await api.practices.update.mutate({ currency: 'JPY' });
    const jct = await api.taxRates.create.mutate({ name: 'JCT 10%', ratePpm: 100_000 });
    const { id } = await api.imports.begin.mutate({ type: 'services' });
    const added = await api.imports.add.mutate({
      importId: id,
      rows: [
        { line: 2, values: { code: 'V', name: 'Visit', price: '5500', taxRate: jct.id } },
        { line: 3, values: { code: 'W', name: 'Walk-in', price: '55.5' } },
        { line: 4, values: { code: 'X', name: 'Other practice rate', price: '1', taxRate: rates.standard.id } },
        { line: 5, values: { code: 'Y', name: 'Y', colour: 'red' } },
      ],
    });
    expect(added).toMatchObject({ accepted: 1, invalid: 3 });
    expect(added.errors).toEqual([
      { line: 3, field: 'price', message: '"55.5" is not an amount with at most 0 decimals, e.g. 80' },
      { line: 4, field: 'taxRate', message: `no tax rate is named ${rates.standard.id} (leave it empty for none: exempt)` },
      { line: 5, field: 'colour', message: 'is not a field of services' },
      { line: 5, field: 'price', message: 'is required' },
    ]);
    expect(await rejection(api.imports.commit.mutate({ importId: id }))).toMatchObject({ code: 'BAD_REQUEST', reason: 'import-invalid-rows' });
    expect(await priceList(other.practiceId)).toEqual([]);
    await api.imports.cancel.mutate({ importId: id });

    const clinician = await inviteUser(t, other);
    expect((await rejection(t.client(clinician.token).imports.begin.mutate({ type: 'services' }))).code).toBe('FORBIDDEN');
  });
});
