import { InvalidArgumentError, Option, type Command } from 'commander';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import type { RouterOutputs } from '../../shared/client.ts';
import { createCommand, remote, type GlobalOptions } from '../command.ts';
import { CliError } from '../exit-codes.ts';
import { printJson, printRecord, printRows, type Column } from '../output.ts';

type SeedRow = RouterOutputs['questionnaires']['seed']['results'][number];
const seedColumns: Column<SeedRow>[] = [
  { header: 'file', value: (r) => r.file },
  { header: 'kind', value: (r) => r.kind },
  { header: 'key', value: (r) => r.key },
  { header: 'action', value: (r) => r.action },
  { header: 'version', value: (r) => r.version },
];

type QuestionnaireRow = RouterOutputs['questionnaires']['list'][number];
const listColumns: Column<QuestionnaireRow>[] = [
  { header: 'key', value: (q) => q.key },
  { header: 'title', value: (q) => q.title },
  { header: 'version', value: (q) => q.latestVersion },
  { header: 'built in', value: (q) => (q.builtIn ? 'yes' : '') },
];

type Item = RouterOutputs['questionnaires']['byKey']['definition']['items'][number];
const clip = (s: string, n = 70) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const itemColumns: Column<Item>[] = [
  { header: 'id', value: (i) => i.id },
  { header: 'type', value: (i) => i.type },
  { header: 'required', value: (i) => (i.required ? 'yes' : 'no') },
  { header: 'text', value: (i) => clip(i.text) },
  {
    header: 'answers (score)',
    value: (i) => i.options?.map((o) => `${o.value} (${o.score})`).join(', ') ?? (i.type === 'number' ? `${i.min ?? ''}–${i.max ?? ''}` : ''),
  },
];

const extensions = new Set(['.json', '.yaml', '.yml']);

/** The files named: a file as is, a folder's .json/.yaml/.yml files (not its subfolders), sorted by name. */
async function seedFiles(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const p of paths) {
    const info = await stat(p).catch(() => null);
    if (!info) throw new CliError(`No such file or folder: ${p}`);
    if (!info.isDirectory()) {
      files.push(p);
      continue;
    }
    const entries = await readdir(p, { withFileTypes: true });
    const found = entries.filter((e) => e.isFile() && extensions.has(path.extname(e.name).toLowerCase())).map((e) => path.join(p, e.name));
    if (!found.length) throw new CliError(`No .json, .yaml or .yml files in ${p}`);
    files.push(...found.sort());
  }
  return files;
}

/** The documents of one file, or the reasons it does not parse, each with its line where the parser knows it. */
function parseDocuments(file: string, text: string): { documents: unknown[]; problems: string[] } {
  if (path.extname(file).toLowerCase() === '.json') {
    try {
      const value: unknown = JSON.parse(text);
      return { documents: Array.isArray(value) ? value : [value], problems: [] };
    } catch (error) {
      const message = (error as Error).message.replace(/\s*\n\s*/g, ' ');
      const at = /position (\d+)/.exec(message);
      const line = at ? text.slice(0, Number(at[1])).split('\n').length : null;
      return { documents: [], problems: [line ? `${file}: line ${line}: ${message}` : `${file}: ${message}`] };
    }
  }
  const parsed = YAML.parseAllDocuments(text);
  const problems = parsed.flatMap((doc) =>
    doc.errors.map((e) => {
      const message = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:$/, '');
      return e.linePos ? `${file}: line ${e.linePos[0].line}, column ${e.linePos[0].col}: ${message}` : `${file}: ${message}`;
    }),
  );
  // A trailing `---` leaves an empty document: there is nothing in it to load.
  const documents = parsed.map((doc) => doc.toJS() as unknown).filter((value) => value !== null && value !== undefined);
  return { documents, problems };
}

export const questionsCommand = createCommand('questions').description('questionnaires and question banks: seed from files, list, show, export');

questionsCommand
  .command('seed')
  .description('load questionnaires and question banks from .json/.yaml files (a folder: each such file in it); all or nothing')
  .argument('<paths...>', 'files or folders')
  .option('--dry-run', 'report what would change, and change nothing')
  .action(async (paths: string[], opts: { dryRun?: boolean }, cmd: Command) => {
    const files = [];
    const problems = [];
    for (const file of await seedFiles(paths)) {
      const parsed = parseDocuments(file, await readFile(file, 'utf8'));
      files.push({ name: file, documents: parsed.documents });
      problems.push(...parsed.problems);
    }
    if (problems.length) throw new CliError(`Cannot parse ${problems.length === 1 ? 'a file' : 'some files'}: nothing was loaded\n${problems.map((p) => `  ${p}`).join('\n')}`);
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    const result = await api.questionnaires.seed.mutate({ files, dryRun: !!opts.dryRun });
    printRows(result.results, seedColumns, json, result);
    if (!json && result.dryRun) process.stdout.write('dry run: nothing was written\n');
  });

questionsCommand
  .command('list')
  .description("the practice's questionnaires and the built-in ones")
  .action(async (_opts, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    printRows(await api.questionnaires.list.query(), listColumns, json);
  });

const versionOption = () =>
  new Option('--version <n>', 'this version (default: the latest)').argParser((v) => {
    if (!/^[1-9]\d*$/.test(v)) throw new InvalidArgumentError('must be a version number: 1, 2, …');
    return Number(v);
  });

type Definition = RouterOutputs['questionnaires']['byKey']['definition'];
type Entries = Record<string, unknown>;

/** `keys` first, in that order, then the rest: the stored definition's key order is the database's. */
const inOrder = <T extends object>(value: T, keys: string[]): T =>
  Object.fromEntries([...keys.filter((k) => k in value).map((k) => [k, (value as Entries)[k]]), ...Object.entries(value).filter(([k]) => !keys.includes(k))]) as T;

/** The definition in the order people write one: key and title first, items, then scoring. */
function authoringOrder(def: Definition): Definition {
  const { scoring } = def;
  return inOrder(
    {
      ...def,
      items: def.items.map((item) =>
        inOrder({ ...item, ...(item.options && { options: item.options.map((o) => inOrder(o, ['value', 'label', 'score'])) }) }, ['id', 'text', 'type', 'required', 'min', 'max', 'options']),
      ),
      scoring: inOrder(
        {
          ...scoring,
          subscales: scoring.subscales.map((s) => inOrder(s, ['key', 'label', 'items'])),
          bands: scoring.bands.map((b) => inOrder(b, ['min', 'max', 'code', 'label'])),
          flags: scoring.flags.map((f) => inOrder(f, ['code', 'label', 'item', 'op', 'value'])),
        },
        ['totalItems', 'reverse', 'subscales', 'bands', 'flags'],
      ),
    },
    ['key', 'title', 'description', 'totalCode', 'items', 'scoring'],
  );
}

/** YAML as the sample files are written: options, subscales, bands and flags one line each. */
function toYaml(def: Definition, comment: string): string {
  const doc = new YAML.Document(def);
  doc.commentBefore = comment;
  YAML.visit(doc, {
    Pair(_, pair) {
      if (!YAML.isScalar(pair.key) || !YAML.isSeq(pair.value)) return;
      const key = String(pair.key.value);
      if (key === 'totalItems' || key === 'reverse') pair.value.flow = true;
      if (['options', 'subscales', 'bands', 'flags'].includes(key)) for (const entry of pair.value.items) if (YAML.isMap(entry)) entry.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0 });
}

questionsCommand
  .command('show')
  .description('a questionnaire version: its title and items')
  .argument('<key>')
  .addOption(versionOption())
  .action(async (key: string, opts: { version?: number }, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    const q = await api.questionnaires.byKey.query({ key, version: opts.version });
    if (json) return printJson(q);
    printRecord({ key: q.key, title: q.title, version: `${q.version} of ${q.latestVersion}`, 'built in': q.builtIn ? 'yes' : 'no', created: q.createdAt }, false);
    process.stdout.write('\n');
    printRows(q.definition.items, itemColumns, false);
  });

questionsCommand
  .command('export')
  .description('print a questionnaire version as a file `pams questions seed` loads (bank items inlined)')
  .argument('<key>')
  .addOption(versionOption())
  .addOption(new Option('--format <format>', 'yaml or json (default: yaml; json with --json)').choices(['yaml', 'json']))
  .action(async (key: string, opts: { version?: number; format?: 'yaml' | 'json' }, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    const q = await api.questionnaires.byKey.query({ key, version: opts.version });
    const definition = authoringOrder(q.definition);
    if ((opts.format ?? (json ? 'json' : 'yaml')) === 'json') return printJson(definition);
    process.stdout.write(toYaml(definition, ` ${q.key} version ${q.version}, exported from PAMS; load it with \`pams questions seed FILE\``));
  });
