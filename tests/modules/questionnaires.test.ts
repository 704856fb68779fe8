import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPractice, inviteUser, sql, type TestUser } from '../fixtures.ts';
import { startTestServer, type TestServer } from '../harness.ts';
import { rejection } from '../rejection.ts';

const fixtures = path.resolve(import.meta.dirname, '../fixtures');

/** A fixture file as `pams questions seed` sends it: its name and its documents. */
function seedFile(relative: string) {
  const text = readFileSync(path.join(fixtures, relative), 'utf8');
  const documents = relative.endsWith('.json') ? [JSON.parse(text)].flat() : YAML.parseAllDocuments(text).map((d) => d.toJS());
  return { name: path.basename(relative), documents };
}

const sampleFiles = () => ['01-wellbeing-bank.yaml', '02-wellbeing-check.yaml', '03-stress.yaml', '04-sleep-diary.json'].map((f) => seedFile(`questionnaires/${f}`));

const item = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  text: `Item ${id}?`,
  type: 'choice',
  options: [
    { value: 'no', label: 'No', score: 0 },
    { value: 'yes', label: 'Yes', score: 1 },
  ],
  ...extra,
});
const questionnaire = (key: string, extra: Record<string, unknown> = {}) => ({ key, title: `Questionnaire ${key}`, items: [item('a'), item('b')], ...extra });

/** Rows a seed could write for a practice, to show that nothing was. */
const practiceRows = (t: TestServer, practiceId: string) =>
  Promise.all([
    sql(
      t,
      'select q.key, q.latest_version, v.version, v.content_hash from questionnaire q join questionnaire_version v on v.questionnaire_id = q.id where q.practice_id = ? order by q.key, v.version',
      [practiceId],
    ),
    sql(t, 'select item_id, bank, content_hash from question_bank_item where practice_id = ? order by item_id', [practiceId]),
  ]);

let t: TestServer;
let adminA: TestUser;
let clinicianA: TestUser;
let adminB: TestUser;

beforeAll(async () => {
  t = await startTestServer();
  ({ admin: adminA } = await createPractice(t));
  clinicianA = await inviteUser(t, adminA);
  ({ admin: adminB } = await createPractice(t));
});
afterAll(() => t.close());

describe('built-in questionnaires', () => {
  it('lists PHQ-9 and GAD-7 for every practice and every role', async () => {
    for (const user of [adminA, clinicianA, adminB]) {
      const list = await t.client(user.token).questionnaires.list.query();
      expect(list).toEqual(
        expect.arrayContaining([expect.objectContaining({ key: 'phq-9', builtIn: true, latestVersion: 1 }), expect.objectContaining({ key: 'gad-7', builtIn: true, latestVersion: 1 })]),
      );
    }
    const phq9 = await t.client(adminB.token).questionnaires.byKey.query({ key: 'phq-9' });
    expect(phq9.definition.items).toHaveLength(10);
    expect(phq9.definition.totalCode).toMatchObject({ system: 'http://loinc.org', code: '44261-6' });
  });
});

describe('questionnaires.seed', () => {
  it('creates bank items and questionnaires at version 1, resolving refs to bank items of the same call', async () => {
    const { results, dryRun } = await t.client(adminA.token).questionnaires.seed.mutate({ files: sampleFiles() });
    expect(dryRun).toBe(false);
    expect(results).toEqual([
      { file: '01-wellbeing-bank.yaml', kind: 'bank-item', key: 'sleep-quality', action: 'created', version: null },
      { file: '01-wellbeing-bank.yaml', kind: 'bank-item', key: 'energy', action: 'created', version: null },
      { file: '01-wellbeing-bank.yaml', kind: 'bank-item', key: 'hours-slept', action: 'created', version: null },
      { file: '03-stress.yaml#1', kind: 'bank-item', key: 'stress-level', action: 'created', version: null },
      { file: '02-wellbeing-check.yaml', kind: 'questionnaire', key: 'wellbeing-check', action: 'created', version: 1 },
      { file: '03-stress.yaml#2', kind: 'questionnaire', key: 'stress-check', action: 'created', version: 1 },
      { file: '04-sleep-diary.json', kind: 'questionnaire', key: 'sleep-diary', action: 'created', version: 1 },
    ]);

    const a = t.client(adminA.token);
    const wellbeing = await a.questionnaires.byKey.query({ key: 'wellbeing-check' });
    expect(wellbeing).toMatchObject({ key: 'wellbeing-check', version: 1, latestVersion: 1, builtIn: false, title: 'Weekly wellbeing check' });
    // Refs are inlined: the version holds the bank item's whole definition.
    expect(wellbeing.definition.items.map((i) => i.id)).toEqual(['sleep-quality', 'energy', 'hours-slept', 'calm', 'hopeless', 'notes']);
    expect(wellbeing.definition.items[0]).toMatchObject({ text: 'How would you rate your sleep over the last week?', type: 'choice', required: true });
    expect(wellbeing.definition.scoring).toMatchObject({ reverse: ['calm'], subscales: [{ key: 'body' }, { key: 'mood' }], flags: [{ code: 'hopelessness', item: 'hopeless' }] });
    // A ref may rename the item and override `required`.
    const diary = await a.questionnaires.byKey.query({ key: 'sleep-diary' });
    expect(diary.definition.items[1]).toMatchObject({ id: 'last-night', text: 'How would you rate your sleep over the last week?', required: true });

    expect((await a.questionnaires.bank.query()).map((i) => `${i.bank}/${i.id}`)).toEqual(['stress/stress-level', 'wellbeing/energy', 'wellbeing/hours-slept', 'wellbeing/sleep-quality']);
  });

  it('changes nothing when the same content is seeded again', async () => {
    const before = await practiceRows(t, adminA.practiceId);
    const { results } = await t.client(adminA.token).questionnaires.seed.mutate({ files: sampleFiles() });
    expect(results.map((r) => r.action)).toEqual(Array(7).fill('unchanged'));
    expect(results.filter((r) => r.kind === 'questionnaire').map((r) => r.version)).toEqual([1, 1, 1]);
    expect(await practiceRows(t, adminA.practiceId)).toEqual(before);
  });

  it('makes changed content a new version and keeps the old one readable', async () => {
    const changed = seedFile('questionnaires/02-wellbeing-check.yaml');
    const doc = changed.documents[0] as { title: string; items: { id?: string; text?: string }[] };
    doc.title = 'Weekly wellbeing check (revised)';
    doc.items[4]!.text = 'How often have you felt without hope?';
    const { results } = await t.client(adminA.token).questionnaires.seed.mutate({ files: [changed] });
    expect(results).toEqual([{ file: '02-wellbeing-check.yaml', kind: 'questionnaire', key: 'wellbeing-check', action: 'new-version', version: 2 }]);

    const a = t.client(adminA.token);
    const latest = await a.questionnaires.byKey.query({ key: 'wellbeing-check' });
    expect(latest).toMatchObject({ version: 2, latestVersion: 2, title: 'Weekly wellbeing check (revised)' });
    expect(latest.definition.items[4]!.text).toBe('How often have you felt without hope?');
    const v1 = await a.questionnaires.byKey.query({ key: 'wellbeing-check', version: 1 });
    expect(v1).toMatchObject({ version: 1, latestVersion: 2 });
    expect(v1.definition.title).toBe('Weekly wellbeing check');
    expect(v1.definition.items[4]!.text).toBe('How often have you felt hopeless?');
    expect((await rejection(a.questionnaires.byKey.query({ key: 'wellbeing-check', version: 3 }))).code).toBe('NOT_FOUND');

    // Seeding the original file again is a change too: version 3, with version 1's content.
    const back = await a.questionnaires.seed.mutate({ files: [seedFile('questionnaires/02-wellbeing-check.yaml')] });
    expect(back.results[0]).toMatchObject({ action: 'new-version', version: 3 });
    expect((await a.questionnaires.byKey.query({ key: 'wellbeing-check' })).definition).toEqual(v1.definition);
  });

  it('updates a changed bank item in place (the questionnaires that used it keep their copy)', async () => {
    const bank = seedFile('questionnaires/01-wellbeing-bank.yaml');
    const doc = bank.documents[0] as { items: { id: string; text: string }[] };
    doc.items[1]!.text = 'How often have you felt exhausted?';
    const { results } = await t.client(adminA.token).questionnaires.seed.mutate({ files: [bank] });
    expect(results.map((r) => [r.key, r.action])).toEqual([
      ['sleep-quality', 'unchanged'],
      ['energy', 'updated'],
      ['hours-slept', 'unchanged'],
    ]);
    const wellbeing = await t.client(adminA.token).questionnaires.byKey.query({ key: 'wellbeing-check' });
    expect(wellbeing.definition.items[1]!.text).toBe('How often have you felt too tired to do the things you wanted to?');
    await t.client(adminA.token).questionnaires.seed.mutate({ files: [seedFile('questionnaires/01-wellbeing-bank.yaml')] });
  });

  it('writes nothing on a dry run, and reports what it would do', async () => {
    const { admin, practiceId } = await createPractice(t);
    const dry = await t.client(admin.token).questionnaires.seed.mutate({ files: sampleFiles(), dryRun: true });
    expect(dry.dryRun).toBe(true);
    expect(dry.results.map((r) => r.action)).toEqual(Array(7).fill('created'));
    expect(await practiceRows(t, practiceId)).toEqual([[], []]);
    expect((await t.client(admin.token).questionnaires.list.query()).map((q) => q.key)).toEqual(['gad-7', 'phq-9']);

    // On existing content: a would-be new version, and nothing written either.
    const before = await practiceRows(t, adminA.practiceId);
    const changed = seedFile('questionnaires/04-sleep-diary.json');
    (changed.documents[0] as { title: string }).title = 'Sleep diary, new';
    const dryChange = await t.client(adminA.token).questionnaires.seed.mutate({ files: [changed, seedFile('questionnaires/01-wellbeing-bank.yaml')], dryRun: true });
    expect(dryChange.results.map((r) => [r.key, r.action, r.version])).toEqual([
      ['sleep-quality', 'unchanged', null],
      ['energy', 'unchanged', null],
      ['hours-slept', 'unchanged', null],
      ['sleep-diary', 'new-version', 2],
    ]);
    expect(await practiceRows(t, adminA.practiceId)).toEqual(before);
    const audit = await sql(t, `select count(*)::int as n from audit_event where practice_id = ? and action = 'questionnaires.seeded'`, [practiceId]);
    expect(audit).toEqual([{ n: 0 }]);
  });

  it('refuses a call with an invalid document, naming the file and the path, and writes none of its documents', async () => {
    const before = await practiceRows(t, adminA.practiceId);
    const files = ['bad-option-type.yaml', 'missing-scoring-item.yaml', 'valid-but-not-loaded.yaml'].map((f) => seedFile(`questionnaires-invalid/${f}`));
    const error = await rejection(t.client(adminA.token).questionnaires.seed.mutate({ files: [seedFile('questionnaires/03-stress.yaml'), ...files] }));
    expect(error).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('nothing was loaded') });
    expect(error.fieldErrors).toEqual({
      'bad-option-type.yaml: items.0.options.1.score': [expect.stringContaining('expected number')],
      'missing-scoring-item.yaml: scoring.flags.0.item': ['no item "mod"'],
    });
    expect(await practiceRows(t, adminA.practiceId)).toEqual(before);
    expect((await t.client(adminA.token).questionnaires.list.query()).map((q) => q.key)).not.toContain('valid-neighbour');
  });

  it('names the path inside a multi-document file and inside a ref item', async () => {
    const error = await rejection(
      t.client(adminA.token).questionnaires.seed.mutate({
        files: [
          { name: 'multi.yaml', documents: [questionnaire('fine-one'), questionnaire('broken', { items: [item('a', { type: 'slider' })] })] },
          { name: 'refs.yaml', documents: [questionnaire('bad-ref', { items: [item('a'), { ref: 'Not A Key' }] })] },
          { name: 'values.yaml', documents: [questionnaire('bad-value', { items: [item('a', { options: [{ value: { x: 1 }, label: 'X', score: 0 }] })] })] },
          { name: 'empty.yaml', documents: [null] },
          { name: 'strings.yaml', documents: [questionnaire('strings', { items: ['How are you?'] })] },
        ],
      }),
    );
    expect(error.code).toBe('BAD_REQUEST');
    expect(Object.keys(error.fieldErrors!).sort()).toEqual(['empty.yaml', 'multi.yaml#2: items.0.type', 'refs.yaml: items.1.ref', 'strings.yaml: items.0', 'values.yaml: items.0.options.0.value']);
    expect(error.fieldErrors!['strings.yaml: items.0']).toEqual(['Invalid input: expected object']);
    expect(error.fieldErrors!['values.yaml: items.0.options.0.value']).toEqual(['Invalid input: expected string or number or boolean']);
  });

  it('reports refs to bank items that do not exist', async () => {
    const error = await rejection(
      t.client(adminA.token).questionnaires.seed.mutate({
        files: [{ name: 'uses-missing.yaml', documents: [questionnaire('uses-missing', { items: [item('a'), { ref: 'no-such-item' }, { ref: 'energy' }] })] }],
      }),
    );
    expect(error).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { 'uses-missing.yaml: items.1.ref': ['no question bank item "no-such-item"'] } });
  });

  it('refuses the same key twice in one call, naming both files', async () => {
    const error = await rejection(
      t.client(adminA.token).questionnaires.seed.mutate({
        files: [
          { name: 'one.yaml', documents: [questionnaire('twice'), { bank: 'b', items: [item('dup-item')] }] },
          { name: 'two.yaml', documents: [questionnaire('twice', { title: 'Other' }), { bank: 'b', items: [item('dup-item')] }] },
        ],
      }),
    );
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.fieldErrors).toEqual({
      'two.yaml#1: key': [expect.stringContaining('one.yaml#1')],
      'two.yaml#2: items.0.id': [expect.stringContaining('one.yaml#2')],
    });
  });

  it('does not let a practice seed a built-in key', async () => {
    const error = await rejection(t.client(adminA.token).questionnaires.seed.mutate({ files: [{ name: 'mine.yaml', documents: [questionnaire('phq-9')] }] }));
    expect(error).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { 'mine.yaml: key': ['"phq-9" is built in; choose another key'] } });
    const phq9 = await sql(t, `select practice_id, latest_version from questionnaire where key = 'phq-9'`);
    expect(phq9).toEqual([{ practice_id: null, latest_version: 1 }]);
  });

  it("keeps each practice's questionnaires and bank to itself", async () => {
    const b = t.client(adminB.token);
    expect((await b.questionnaires.list.query()).map((q) => q.key)).toEqual(['gad-7', 'phq-9']);
    expect(await b.questionnaires.bank.query()).toEqual([]);
    expect((await rejection(b.questionnaires.byKey.query({ key: 'wellbeing-check' }))).code).toBe('NOT_FOUND');
    // B's refs do not reach A's bank.
    const refs = await rejection(b.questionnaires.seed.mutate({ files: [seedFile('questionnaires/02-wellbeing-check.yaml')] }));
    expect(Object.keys(refs.fieldErrors!)).toEqual(['02-wellbeing-check.yaml: items.0.ref', '02-wellbeing-check.yaml: items.1.ref', '02-wellbeing-check.yaml: items.2.ref']);

    // The same key in B is B's own questionnaire, at its own version 1.
    const { results } = await b.questionnaires.seed.mutate({ files: sampleFiles() });
    expect(results.find((r) => r.key === 'wellbeing-check')).toMatchObject({ action: 'created', version: 1 });
    expect((await t.client(adminA.token).questionnaires.byKey.query({ key: 'wellbeing-check' })).latestVersion).toBe(3);
  });

  it('is for admins: clinicians get FORBIDDEN and nothing is written', async () => {
    const before = await practiceRows(t, adminA.practiceId);
    const error = await rejection(t.client(clinicianA.token).questionnaires.seed.mutate({ files: [{ name: 'c.yaml', documents: [questionnaire('by-clinician')] }] }));
    expect(error.code).toBe('FORBIDDEN');
    expect(await practiceRows(t, adminA.practiceId)).toEqual(before);
    // Clinicians can still read them.
    expect((await t.client(clinicianA.token).questionnaires.byKey.query({ key: 'stress-check' })).version).toBe(1);
  });
});
