import { InvalidArgumentError, Option, type Command } from 'commander';
import { CsvError, parse } from 'csv-parse';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { splitHl7Messages } from '../../shared/hl7-framing.ts';
import type { PamsClient, RouterOutputs } from '../../shared/client.ts';
import { importTypes, mapColumns, type ImportRowError, type ImportType } from '../../shared/schemas/imports.ts';
import { createCommand, remote, type GlobalOptions } from '../command.ts';
import { CliError } from '../exit-codes.ts';
import { printJson, printRecord, printRows } from '../output.ts';
import { startProgress } from '../progress.ts';

export const importCommand = createCommand('import').description('import patients and clinical records from CSV files, and HL7 v2 messages');

/** `--map "Patient No=mrn,DOB=birthDate"`: column headings to field names. */
function parseMap(value: string): Record<string, string> {
  const map: Record<string, string> = {};
  for (const pair of value.split(',').filter((p) => p.trim())) {
    const at = pair.lastIndexOf('=');
    if (at <= 0 || at === pair.length - 1) throw new InvalidArgumentError(`"${pair}" is not column=field`);
    map[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return map;
}

type CsvOptions = { type: ImportType; dryRun?: boolean; map?: Record<string, string>; skipInvalid?: boolean; batchSize: number };
type Batch = { line: number; values: Record<string, string> }[];

const describeRowError = (e: ImportRowError) => `line ${e.line}, ${e.field === '_' ? 'row' : e.field}: ${e.message}`;

importCommand
  .command('csv')
  .description('import a CSV file (UTF-8, with or without BOM; a header row first) in batches; all or nothing unless --skip-invalid')
  .argument('<file>')
  .addOption(new Option('--type <type>', 'what the rows are').choices(importTypes).makeOptionMandatory())
  .option('--dry-run', 'validate every row and report what would change; write nothing')
  .option('--map <col=field,...>', 'which field a column fills, where its heading is not the field name', parseMap)
  .option('--skip-invalid', 'write the valid rows and report the invalid ones (default: one invalid row, nothing written)')
  .addOption(
    new Option('--batch-size <n>', 'rows per API call').default(1000).argParser((v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 2000) throw new InvalidArgumentError('must be a whole number from 1 to 2000');
      return n;
    }),
  )
  .action(async (file: string, opts: CsvOptions, cmd: Command) => {
    const size = (await stat(file).catch(() => null))?.size;
    if (size === undefined) throw new CliError(`No such file: ${file}`);
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    // Errors are printed as they come; only --json keeps them, for its one JSON document at the end.
    const errors: ImportRowError[] = [];
    let invalid = 0;
    const report = (batchErrors: ImportRowError[]) => {
      invalid += new Set(batchErrors.map((e) => e.line)).size; // a line's errors come in one batch
      if (json) errors.push(...batchErrors);
      else for (const e of batchErrors) process.stderr.write(`${describeRowError(e)}\n`);
    };

    const input = createReadStream(file);
    const rows = input.pipe(parse({ bom: true, info: true, raw: true, skip_empty_lines: true, relax_column_count: true }));
    let fields: (string | null)[] | null = null;
    let importId: string | null = null;
    let rowCount = 0;
    const progress = startProgress(`import ${opts.type}`, 'rows', size);
    try {
      let batch: Batch = [];
      const send = async () => {
        if (!batch.length) return;
        const result = await api.imports.add.mutate({ importId: importId!, rows: batch });
        report(result.errors);
        batch = [];
      };
      for await (const { record, info, raw } of rows as AsyncIterable<{ record: string[]; info: { lines: number }; raw: string }>) {
        // A record spanning lines (a quoted newline) is reported at its first line.
        const line = info.lines - (raw.replace(/\r?\n$/, '').match(/\n/g)?.length ?? 0);
        if (!fields) {
          fields = headerFields(opts, record, json);
          importId = (await api.imports.begin.mutate({ type: opts.type, skipInvalid: !!opts.skipInvalid })).id;
          continue;
        }
        rowCount++;
        if (record.length !== fields.length) {
          report([{ line, field: '_', message: `has ${record.length} columns, the header has ${fields.length}` }]);
        } else {
          const values: Record<string, string> = {};
          record.forEach((value, i) => fields![i] && (values[fields![i]!] = value));
          batch.push({ line, values });
        }
        if (batch.length >= opts.batchSize) await send();
        progress.update(input.bytesRead, rowCount);
      }
      await send();
      progress.update(size, rowCount);
      progress.stop();
      if (!importId) throw new CliError(`${file} is empty: it needs a header row`);
      await finish(api, importId, opts, { rows: rowCount, invalid, errors }, json);
    } catch (e) {
      progress.stop();
      if (importId) await api.imports.cancel.mutate({ importId }).catch(() => {});
      if (e instanceof CsvError) throw new CliError(`${file}: line ${(e as CsvError & { lines?: number }).lines ?? '?'}: ${e.message}: nothing was imported`);
      throw e;
    }
  });

/** The field of each column, from the header row; stops before any import begins if the mapping is wrong. */
function headerFields(opts: CsvOptions, header: string[], json: boolean) {
  const mapping = mapColumns(opts.type, header, opts.map);
  if (mapping.problems.length) throw new CliError(`The columns do not fit ${opts.type}:\n${mapping.problems.map((p) => `  ${p}`).join('\n')}`);
  if (mapping.ignored.length && !json) process.stderr.write(`ignoring columns: ${mapping.ignored.join(', ')}\n`);
  return mapping.fields;
}

async function finish(api: PamsClient, importId: string, opts: CsvOptions, { rows, invalid, errors }: { rows: number; invalid: number; errors: ImportRowError[] }, json: boolean) {
  if (invalid && !opts.skipInvalid && !opts.dryRun) {
    await api.imports.cancel.mutate({ importId });
    if (json) printJson({ importId, type: opts.type, rows, invalid, written: false, errors });
    throw new CliError(json ? '' : `${invalid} of ${rows} rows are invalid: nothing was written (fix them, or pass --skip-invalid to write the valid rows)`);
  }
  const result = await api.imports.commit.mutate({ importId, dryRun: !!opts.dryRun });
  // Rows refused here (a wrong number of columns) never reached the server: count them as skipped too.
  if (json) printJson({ ...result, skipped: invalid, rows, invalid, errors });
  else {
    printRecord({ rows, created: result.created, updated: result.updated, unchanged: result.unchanged, invalid }, false);
    if (result.dryRun) process.stdout.write(`dry run: nothing was written${invalid && !opts.skipInvalid ? ` (and with ${invalid} invalid rows, nothing would be without --skip-invalid)` : ''}\n`);
  }
  if (invalid && (opts.dryRun || !opts.skipInvalid)) throw new CliError(json ? '' : `${invalid} of ${rows} rows are invalid`);
}

type Hl7Row = RouterOutputs['hl7']['receive'];

importCommand
  .command('hl7')
  .description('apply the HL7 v2 messages of a file (ADT A01/A04/A08/A28/A31, ORU^R01), one ACK each; exit 1 if any is not accepted')
  .argument('<file>')
  .option('--acks', 'print the ACK messages themselves')
  .action(async (file: string, opts: { acks?: boolean }, cmd: Command) => {
    const text = await readFile(file, 'utf8').catch(() => null);
    if (text === null) throw new CliError(`No such file: ${file}`);
    const messages = splitHl7Messages(text);
    if (!messages.length) throw new CliError(`${file} holds no HL7 message`);
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    const results: Hl7Row[] = [];
    const progress = startProgress('import hl7', 'messages', messages.length);
    for (const message of messages) {
      results.push(await api.hl7.receive.mutate({ message }));
      progress.update(results.length, results.length);
    }
    progress.stop();
    const refused = results.filter((r) => r.ackCode !== 'AA').length;
    if (json) printJson(results);
    else if (opts.acks) process.stdout.write(results.map((r) => r.ack.replace(/\r/g, '\n')).join('\n'));
    else
      printRows(
        results,
        [
          { header: 'control id', value: (r) => r.controlId },
          { header: 'type', value: (r) => r.messageType },
          { header: 'ack', value: (r) => r.ackCode },
          { header: 'where', value: (r) => r.errorLocation },
          { header: 'detail', value: (r) => r.text },
        ],
        false,
      );
    if (refused) throw new CliError(json ? '' : `${refused} of ${results.length} messages were not accepted`);
  });
