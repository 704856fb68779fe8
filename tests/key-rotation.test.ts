import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../server/config.ts';
import { decryptString } from '../server/encryption.ts';
import { decryptText, unwrapDataKey } from '../server/envelope.ts';
import { extracted, patientWithPortal, startCareLoop } from './care-loop-setup.ts';
import { pdfOf, uploaded } from './file-samples.ts';
import { enableMfa, sql } from './fixtures.ts';
import { TEST_ENCRYPTION_KEY } from './harness.ts';
import { runCli } from './run-cli.ts';
import { startWorker } from './workers.ts';

/**
 * Every ciphertext in the database is covered by `pams keys rotate`. A ciphertext is recognised by what
 * it is, not by a list: the two forms server/encryption.ts and server/envelope.ts store (`keyId:iv:ct:tag`
 * under a key of PAMS_ENCRYPTION_KEYS, `iv.ct.tag` under a wrapped data key or a key) found in any column
 * of any table. After writing one of each kind and rotating, each must open with the newest key alone:
 * directly (it was re-wrapped), or through the data key of its note, message or SOS request (`underDataKey`, content that rotation
 * need not touch; a file's bytes are not in the database at all). A new encrypted column that rotation misses fails here, whatever its name.
 */
const NEW_KEY = `rotated:${Buffer.alloc(32, 11).toString('base64')}`;

/**
 * Columns sealed under a row's data key, which rotation re-wraps and leaves the content alone: the row
 * holding the wrapped key (a note, a message or the SOS request itself) and the AAD.
 */
const underDataKey: Record<string, (row: Record<string, string>) => { keyRow: string; aad: string }> = {
  'note.body_ciphertext': (row) => ({ keyRow: row.id!, aad: row.id! }),
  'step.provenance_ciphertext': (row) => ({ keyRow: row.note_id!, aad: row.id! }),
  'sos_request.detail_ciphertext': (row) => ({ keyRow: row.id!, aad: row.id! }),
  'sos_request.outcome_note_ciphertext': (row) => ({ keyRow: row.id!, aad: `${row.id!}:outcome` }),
  'message.body_ciphertext': (row) => ({ keyRow: row.id!, aad: row.id! }),
};

/** Names that say a property holds ciphertext: each must hold some in this test, so that the scan sees it. */
const cipherName = /ciphertext|^wrapped|secret$|encrypted/i;

const b64 = '[A-Za-z0-9+/]';
const sealedPattern = `([A-Za-z0-9_-]+:)?${b64}{16}[:.]${b64}*=*[:.]${b64}{22}==`;

let world: Awaited<ReturnType<typeof startCareLoop>>;
beforeAll(async () => {
  world = await startCareLoop();
  const { t, clinician } = world;
  const worker = await startWorker(t);
  const { patient, portal } = await patientWithPortal(t, clinician);
  const note = await t.client(clinician.token).notes.create.mutate({ patientId: patient.id, body: '- Walk every day\n- Book a blood test' });
  expect((await extracted(t, clinician.token, note.id)).extraction).toMatchObject({ state: 'done' });
  await t.client(clinician.token).notes.addendum.mutate({ id: note.id, body: 'Addendum: walk after lunch.' });
  await enableMfa(t, clinician.token);
  await uploaded(t, clinician.token, pdfOf());
  await t.client(clinician.token).conversations.create.mutate({ patientId: patient.id, kind: 'care-team', firstMessage: { body: 'Your results are in' } });
  const sos = await t.client(portal.token).sos.raise.mutate({ patientId: patient.id, text: 'Short of breath', callbackPhone: '+353871234567' });
  await t.client(clinician.token).sos.acknowledge.mutate({ id: sos.id });
  await t.client(clinician.token).sos.resolve.mutate({ id: sos.id, outcome: 'advised', note: 'Advised rest' });
  await worker.stop();
});
afterAll(() => world.close());

type Found = { table: string; column: string; row: Record<string, string>; value: string };

/** Every value in the database that has the form of a ciphertext, with its row. */
async function ciphertexts(): Promise<Found[]> {
  const columns = await sql<{ table_name: string; column_name: string }>(
    world.t,
    `select c.table_name, c.column_name from information_schema.columns c join information_schema.tables t using (table_schema, table_name)
     where c.table_schema = 'public' and t.table_type = 'BASE TABLE' and c.table_name not like 'agenda%' and c.table_name <> 'mikro_orm_migrations'
     order by 1, 2`,
  );
  const found: Found[] = [];
  for (const { table_name: table, column_name: column } of columns) {
    const rows = await sql<{ row: Record<string, string>; value: string }>(world.t, `select to_jsonb(x) as row, m[1] as value from "${table}" x, regexp_matches(x."${column}"::text, ?, 'g') m`, [
      `(${sealedPattern})`,
    ]);
    found.push(...rows.map(({ row, value }) => ({ table, column, row, value })));
  }
  return found;
}

describe('key rotation covers every ciphertext', () => {
  it('after `pams keys rotate`, the newest key alone opens every ciphertext in the database', async () => {
    const { t } = world;
    const before = await ciphertexts();
    const properties = [...t.orm.getMetadata().getAll().values()].flatMap((meta) =>
      Object.values(meta.properties)
        .filter((p) => cipherName.test(p.name))
        .map((p) => `${meta.tableName}.${p.fieldNames[0]}`),
    );
    expect(
      properties.filter((name) => !before.some((f) => `${f.table}.${f.column}` === name)),
      'columns named as ciphertext that hold none here: write one in the set-up',
    ).toEqual([]);

    const rotated = await runCli(['keys', 'rotate', '--json'], { env: { DATABASE_URL: t.dbUrl, PAMS_ENCRYPTION_KEYS: `${NEW_KEY},${TEST_ENCRYPTION_KEY}` } });
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.json()).toMatchObject({ keyId: 'rotated', remaining: 0 });

    const onlyNew = loadConfig({ PAMS_ENCRYPTION_KEYS: NEW_KEY }).encryptionKeys;
    const keyRows = new Map(
      (
        await sql<{ id: string; kek_id: string; wrapped_key: string }>(
          t,
          'select id, kek_id, wrapped_key from note union all select id, kek_id, wrapped_key from sos_request union all select id, kek_id, wrapped_key from message',
        )
      ).map((n) => [n.id, n]),
    );
    const opens = ({ table, column, row, value }: Found): boolean => {
      try {
        if (value.includes(':')) return decryptString(onlyNew, value) !== undefined;
        const viaKey = underDataKey[`${table}.${column}`];
        if (!viaKey) return decryptText(onlyNew[0]!.key, value, row.id!) !== undefined;
        const { keyRow, aad } = viaKey(row);
        const holder = keyRows.get(keyRow)!;
        return decryptText(unwrapDataKey(onlyNew, { kekId: holder.kek_id, wrappedKey: holder.wrapped_key }, holder.id), value, aad) !== undefined;
      } catch {
        return false;
      }
    };
    const after = await ciphertexts();
    expect(new Set(after.map((f) => `${f.table}.${f.column}`))).toEqual(new Set(before.map((f) => `${f.table}.${f.column}`)));
    expect([...new Set(after.filter((f) => !opens(f)).map((f) => `${f.table}.${f.column}`))], 'ciphertext the newest key alone cannot open after rotation').toEqual([]);
  });
});
