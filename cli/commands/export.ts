import { createWriteStream, mkdirSync, renameSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import type { Command } from 'commander';
import { fhirResourceTypes } from '../../shared/schemas/fhir.ts';
import { createCommand, remote, type GlobalOptions } from '../command.ts';
import { CliError } from '../exit-codes.ts';
import { printRows } from '../output.ts';
import { startProgress } from '../progress.ts';

type ExportFhirOptions = { out: string; since?: string };

/** A date (midnight UTC) or an ISO 8601 instant, as the instant the API takes. */
function sinceInstant(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const at = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(at.getTime())) throw new CliError(`--since: not a date or date-time: ${value}`);
  return at.toISOString();
}

async function write(out: WriteStream, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

/**
 * Bulk FHIR export through the API, one page (1000 resources) at a time: memory stays flat whatever
 * the practice's size. Each type goes to `<Type>.ndjson.part`, renamed when complete, so a file that
 * exists is whole. Types without resources get no file (as in FHIR Bulk Data).
 */
export const exportCommand = createCommand('export').description("export your practice's data");

exportCommand
  .command('fhir')
  .description('export every resource of your practice as FHIR R4 NDJSON, one file per resource type (admin)')
  .requiredOption('--out <dir>', 'folder to write Patient.ndjson, Observation.ndjson, … into (created if missing)')
  .option('--since <date>', 'only resources created or changed since this date or ISO 8601 instant')
  .action(async (opts: ExportFhirOptions, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    const since = sinceInstant(opts.since);
    mkdirSync(opts.out, { recursive: true });
    const files: { type: string; file: string | null; count: number }[] = [];
    for (const type of fhirResourceTypes) {
      const progress = startProgress(type, 'resources', null);
      const file = path.join(opts.out, `${type}.ndjson`);
      let out: WriteStream | null = null;
      let count = 0;
      let cursor: string | undefined;
      do {
        const page = await api.exports.fhir.query({ type, since, cursor, limit: 1000 });
        if (page.items.length) {
          out ??= createWriteStream(`${file}.part`);
          await write(out, page.items.map((r) => `${JSON.stringify(r)}\n`).join(''));
          count += page.items.length;
          progress.update(count, count);
        }
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      progress.stop();
      if (out) {
        out.end();
        await once(out, 'close');
        renameSync(`${file}.part`, file);
      }
      files.push({ type, file: out ? file : null, count });
    }
    const summary = { out: path.resolve(opts.out), since: since ?? null, files, total: files.reduce((n, f) => n + f.count, 0) };
    if (json) return printRows(files, [], true, summary);
    printRows(files, [{ header: 'type', value: (f) => f.type }, { header: 'resources', value: (f) => f.count }, { header: 'file', value: (f) => f.file ?? '(none)' }], false);
  });
