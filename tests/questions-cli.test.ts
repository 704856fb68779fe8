import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPractice, inviteUser, type TestUser } from './fixtures.ts';
import { startTestServer, type TestServer } from './harness.ts';
import { REPO, runCli, runCliAs } from './run-cli.ts';

const samples = 'tests/fixtures/questionnaires';
const invalid = 'tests/fixtures/questionnaires-invalid';

let t: TestServer;
let adminA: TestUser;
let adminB: TestUser;
let clinicianA: TestUser;
let work: string;

/** `pams …` from the repository root, as `user` (the token and URL from the environment, as scripts pass them). */
const pams = (user: TestUser, ...args: string[]) => runCliAs(t, user, work, args);

beforeAll(async () => {
  t = await startTestServer();
  ({ admin: adminA } = await createPractice(t));
  ({ admin: adminB } = await createPractice(t));
  clinicianA = await inviteUser(t, adminA);
  work = await mkdtemp(path.join(tmpdir(), 'pams-questions-cli-'));
});
afterAll(() => t.close());

describe('pams questions seed', () => {
  it('loads a folder and prints what it did as a table', async () => {
    const result = await pams(adminA, 'questions', 'seed', samples);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/file.*kind.*key.*action.*version/);
    const rows = result.stdout.split('\n').filter((l) => l.includes('created'));
    expect(rows).toHaveLength(7);
    expect(result.stdout).toMatch(/02-wellbeing-check\.yaml\s*│\s*questionnaire\s*│\s*wellbeing-check\s*│\s*created\s*│\s*1/);
    expect(result.stdout).toMatch(/03-stress\.yaml#2\s*│\s*questionnaire\s*│\s*stress-check/);
    expect(result.stdout).toMatch(/04-sleep-diary\.json\s*│\s*questionnaire\s*│\s*sleep-diary/);
  });

  it('changes nothing when seeded again', async () => {
    const result = await pams(adminA, 'questions', 'seed', samples, '--json');
    expect(result.code).toBe(0);
    const { dryRun, results } = result.json() as { dryRun: boolean; results: { action: string; file: string }[] };
    expect(dryRun).toBe(false);
    expect(results).toHaveLength(7);
    expect(results.every((r) => r.action === 'unchanged')).toBe(true);
    expect(results[0]!.file).toBe(`${samples}/01-wellbeing-bank.yaml`);
  });

  it('reports a new version on --dry-run and writes nothing', async () => {
    const file = path.join(work, 'wellbeing-check.yaml');
    const text = await readFile(path.join(REPO, samples, '02-wellbeing-check.yaml'), 'utf8');
    await writeFile(file, text.replace('title: Weekly wellbeing check', 'title: Weekly wellbeing check, revised'));
    const dry = await pams(adminA, 'questions', 'seed', file, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/wellbeing-check\s*│\s*new-version\s*│\s*2/);
    expect(dry.stdout).toContain('dry run: nothing was written');
    const list = await pams(adminA, 'questions', 'list', '--json');
    expect(list.json()).toContainEqual(expect.objectContaining({ key: 'wellbeing-check', latestVersion: 1 }));
  });

  it('refuses an invalid folder: exit 1, each error naming the file and the path, nothing loaded', async () => {
    const result = await pams(adminA, 'questions', 'seed', invalid);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('nothing was loaded (BAD_REQUEST)');
    expect(result.stderr).toContain(`${invalid}/bad-option-type.yaml: items.0.options.1.score: Invalid input: expected number`);
    expect(result.stderr).toContain(`${invalid}/missing-scoring-item.yaml: scoring.flags.0.item: no item "mod"`);

    const json = await pams(adminA, 'questions', 'seed', invalid, '--json');
    expect(json.code).toBe(1);
    expect(Object.keys(json.json().fieldErrors).sort()).toEqual([`${invalid}/bad-option-type.yaml: items.0.options.1.score`, `${invalid}/missing-scoring-item.yaml: scoring.flags.0.item`]);
    const list = await pams(adminA, 'questions', 'list', '--json');
    expect(list.json().map((q: { key: string }) => q.key)).not.toContain('valid-neighbour');
  });

  it('names the file and the line of a YAML or JSON syntax error, and calls no server', async () => {
    const yamlFile = path.join(work, 'broken.yaml');
    await writeFile(yamlFile, 'key: broken\ntitle: Broken\nitems:\n  - id: [a, b\n    text: nope\n');
    const jsonFile = path.join(work, 'broken.json');
    await writeFile(jsonFile, '{\n  "key": "broken",\n  "title": "Broken"\n  "items": []\n}\n');
    // An unreachable server: had the CLI called it, the exit code would be 4.
    const result = await runCli(['questions', 'seed', yamlFile, jsonFile, '--url', 'http://127.0.0.1:9', '--token', 'pat_x.y'], { cwd: REPO, env: { PAMS_CONFIG_DIR: work } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`${yamlFile}: line 5, column \\d+: `));
    expect(result.stderr).toMatch(new RegExp(`${jsonFile}: line 4: `));
    expect(result.stderr).toContain('nothing was loaded');
  });

  it('takes a JSON file holding an array of documents', async () => {
    const file = path.join(work, 'two.json');
    const q = (key: string) => ({ key, title: key, items: [{ id: 'ok', text: 'OK?', type: 'boolean' }] });
    await writeFile(file, JSON.stringify([q('array-one'), q('array-two')]));
    const result = await pams(adminA, 'questions', 'seed', file, '--json');
    expect(result.code).toBe(0);
    expect(result.json().results.map((r: { file: string; key: string; action: string }) => [path.basename(r.file), r.key, r.action])).toEqual([
      ['two.json#1', 'array-one', 'created'],
      ['two.json#2', 'array-two', 'created'],
    ]);
  });

  it('uses the exit codes scripts branch on', async () => {
    expect((await pams(adminA, 'questions', 'seed', 'tests/fixtures/no-such-folder')).code).toBe(1);
    const forbidden = await pams(clinicianA, 'questions', 'seed', samples);
    expect(forbidden.code).toBe(2);
    expect(forbidden.stderr).toContain('FORBIDDEN');
    expect((await pams(adminA, 'questions', 'show', 'no-such-questionnaire')).code).toBe(3);
    const badVersion = await pams(adminA, 'questions', 'show', 'phq-9', '--version', 'latest');
    expect(badVersion.code).toBe(1);
    expect(badVersion.stderr).toContain('must be a version number');
  });
});

describe('pams questions list, show and export', () => {
  it('lists the built-in and the practice questionnaires', async () => {
    const table = await pams(adminA, 'questions', 'list');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/key.*title.*version.*built in/);
    expect(table.stdout).toMatch(/phq-9\s*│\s*Patient Health Questionnaire \(PHQ-9\)\s*│\s*1\s*│\s*yes/);
    expect(table.stdout).toMatch(/wellbeing-check\s*│\s*Weekly wellbeing check\s*│\s*1\s*│\s*│/);
    const other = await pams(adminB, 'questions', 'list', '--json');
    expect(other.json().map((q: { key: string }) => q.key)).toEqual(['gad-7', 'phq-9']);
  });

  it('shows a version: title, version and items', async () => {
    const shown = await pams(adminA, 'questions', 'show', 'wellbeing-check');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^title\s+Weekly wellbeing check$/m);
    expect(shown.stdout).toMatch(/^version\s+1 of 1$/m);
    expect(shown.stdout).toMatch(/calm\s*│\s*choice\s*│\s*yes\s*│\s*How often have you felt calm and relaxed\?\s*│\s*never \(0\), sometimes \(1\), often \(2\), always \(3\)/);
    expect(shown.stdout).toMatch(/hours-slept\s*│\s*number\s*│\s*no/);

    const phq9 = await pams(adminA, 'questions', 'show', 'phq-9', '--version', '1', '--json');
    expect(phq9.json()).toMatchObject({ key: 'phq-9', version: 1, builtIn: true });
    expect(phq9.json().definition.items).toHaveLength(10);
  });

  it('exports a definition that seeds the same content into another practice', async () => {
    const exported = await pams(adminA, 'questions', 'export', 'wellbeing-check');
    expect(exported.code).toBe(0);
    // Written as people write one: key and title first, one option a line.
    expect(exported.stdout).toMatch(/^# wellbeing-check version 1, exported from PAMS.*\n\nkey: wellbeing-check\ntitle: Weekly wellbeing check\n/);
    expect(exported.stdout).toContain('      - { value: never, label: Never, score: 0 }\n');
    const file = path.join(work, 'wellbeing-check.export.yaml');
    await writeFile(file, exported.stdout);

    // B has no wellbeing bank: the export carries the bank items inline.
    const seeded = await pams(adminB, 'questions', 'seed', file, '--json');
    expect(seeded.stderr).toBe('');
    expect(seeded.json().results).toEqual([{ file, kind: 'questionnaire', key: 'wellbeing-check', action: 'created', version: 1 }]);
    const inA = await t.client(adminA.token).questionnaires.byKey.query({ key: 'wellbeing-check' });
    const inB = await t.client(adminB.token).questionnaires.byKey.query({ key: 'wellbeing-check' });
    expect(inB.definition).toEqual(inA.definition);
    expect(YAML.parse(exported.stdout)).toEqual(inA.definition);

    // Seeding the export back where it came from changes nothing.
    expect((await pams(adminA, 'questions', 'seed', file, '--json')).json().results[0].action).toBe('unchanged');

    // JSON too, and a chosen version.
    const json = await pams(adminA, 'questions', 'export', 'sleep-diary', '--version', '1', '--format', 'json');
    expect(json.code).toBe(0);
    const jsonFile = path.join(work, 'sleep-diary.export.json');
    await writeFile(jsonFile, json.stdout);
    expect((await pams(adminB, 'questions', 'seed', jsonFile, '--json')).json().results).toEqual([{ file: jsonFile, kind: 'questionnaire', key: 'sleep-diary', action: 'created', version: 1 }]);
    expect((await t.client(adminB.token).questionnaires.byKey.query({ key: 'sleep-diary' })).definition).toEqual(
      (await t.client(adminA.token).questionnaires.byKey.query({ key: 'sleep-diary' })).definition,
    );
  });

  it('exports JSON with --json', async () => {
    const exported = await pams(adminA, 'questions', 'export', 'stress-check', '--json');
    expect(exported.json()).toMatchObject({
      key: 'stress-check',
      items: [
        { id: 'stress-level', type: 'choice' },
        { id: 'struggling-to-cope', type: 'boolean' },
      ],
    });
  });
});
