import type { OperationOutcome } from '@medplum/fhirtypes';
import { renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { Command } from 'commander';
import { fhirResourceTypes } from '../../shared/schemas/fhir.ts';
import { createCommand, remote, type GlobalOptions } from '../command.ts';
import { CliError, ExitCode, exitCodeForHttpStatus } from '../exit-codes.ts';
import { instantOption } from '../instant-option.ts';
import { printRows } from '../output.ts';
import { createPrivateFile, ensurePrivateDir } from '../private-files.ts';
import { startProgress } from '../progress.ts';

type ExportFhirOptions = { out: string; since?: string };

/**
 * One resource type, streamed from `GET /fhir/$export` (the `exports.fhir` pages as NDJSON) into
 * `<Type>.ndjson.part` (mode 0600: it is PHI), renamed when the transfer completed: a file that exists is whole. Counts the
 * resources (lines) as they pass. Memory stays flat whatever the practice's size.
 */
async function exportType(server: { url: string; token: string | undefined }, type: string, since: string | undefined, file: string): Promise<number> {
  const query = new URLSearchParams({ _type: type, ...(since && { _since: since }) });
  let response: Response;
  try {
    response = await fetch(`${server.url}/fhir/$export?${query}`, { headers: { authorization: `Bearer ${server.token}` } });
  } catch (e) {
    throw new CliError(`Cannot reach ${server.url}: ${(e as Error).message}`, ExitCode.unreachable);
  }
  if (!response.ok || !response.body) {
    const outcome = (await response.json().catch(() => null)) as OperationOutcome | null;
    throw new CliError(outcome?.issue?.[0]?.diagnostics ?? `The server answered HTTP ${response.status}`, exitCodeForHttpStatus(response.status));
  }
  const progress = startProgress(type, 'resources', null);
  let count = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) count++;
      progress.update(count, count);
      done(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>), counter, createPrivateFile(`${file}.part`));
  } catch (e) {
    rmSync(`${file}.part`, { force: true });
    throw new CliError(`The ${type} export broke off: ${(e as Error).message}`, ExitCode.unreachable);
  } finally {
    progress.stop();
  }
  if (count) renameSync(`${file}.part`, file);
  else rmSync(`${file}.part`);
  return count;
}

/** Bulk FHIR export: one NDJSON file per resource type (FHIR Bulk Data layout). Types without resources get no file. */
export const exportCommand = createCommand('export').description("export your practice's data");

exportCommand
  .command('fhir')
  .description('export every resource of your practice as FHIR R4 NDJSON, one file per resource type (admin)')
  .requiredOption('--out <dir>', 'folder to write Patient.ndjson, Observation.ndjson, … into (created mode 0700 if missing; an existing one must be 0700)')
  .option('--since <date>', 'only resources created or changed since this date or ISO 8601 instant')
  .action(async (opts: ExportFhirOptions, cmd: Command) => {
    const { url, token, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    const since = instantOption('--since', opts.since);
    ensurePrivateDir(opts.out);
    const files: { type: string; file: string | null; count: number }[] = [];
    for (const type of fhirResourceTypes) {
      const file = path.join(opts.out, `${type}.ndjson`);
      const count = await exportType({ url, token }, type, since, file);
      files.push({ type, file: count ? file : null, count });
    }
    const summary = { out: path.resolve(opts.out), since: since ?? null, files, total: files.reduce((n, f) => n + f.count, 0) };
    if (json) return printRows(files, [], true, summary);
    printRows(
      files,
      [
        { header: 'type', value: (f) => f.type },
        { header: 'resources', value: (f) => f.count },
        { header: 'file', value: (f) => f.file ?? '(none)' },
      ],
      false,
    );
  });
