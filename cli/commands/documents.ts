import type { Command } from 'commander';
import { createReadStream, renameSync, rmSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { RouterOutputs } from '../../shared/client.ts';
import { documentCategories, type DocumentCategory } from '../../shared/enums.ts';
import type { FileOutput } from '../../shared/schemas/files.ts';
import { createCommand, remote, type GlobalOptions } from '../command.ts';
import { CliError, ExitCode, exitCodeForHttpStatus } from '../exit-codes.ts';
import { printRecord, printRows, type Column } from '../output.ts';
import { createPrivateFile } from '../private-files.ts';
import { startProgress } from '../progress.ts';

type DocumentRow = RouterOutputs['documents']['list']['items'][number];
const columns: Column<DocumentRow>[] = [
  { header: 'id', value: (d) => d.id },
  { header: 'title', value: (d) => d.title },
  { header: 'category', value: (d) => d.category },
  { header: 'type', value: (d) => d.file.mediaType },
  { header: 'bytes', value: (d) => d.file.size },
  { header: 'staff only', value: (d) => d.staffOnly },
  { header: 'created', value: (d) => d.createdAt },
  { header: 'deleted', value: (d) => d.deletedAt },
];

/** Counts the bytes passing into a progress bar of `total` bytes. */
function byteProgress(label: string, total: number | null) {
  const progress = startProgress(label, 'bytes', total);
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      progress.update(bytes, bytes);
      done(null, chunk);
    },
  });
  return { counter, stop: () => progress.stop() };
}

/** Streams a local file to POST /files, read a chunk at a time, with its progress on stderr. */
async function uploadFile(url: string, token: string | undefined, path: string): Promise<FileOutput> {
  const size = (await stat(path).catch(() => null))?.size;
  if (size === undefined) throw new CliError(`No such file: ${path}`);
  const { counter, stop } = byteProgress('upload', size);
  let response: Response;
  try {
    response = await fetch(`${url}/files`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(size), ...(token && { authorization: `Bearer ${token}` }) },
      body: Readable.toWeb(createReadStream(path).pipe(counter)) as ReadableStream<Uint8Array>,
      duplex: 'half',
    } as RequestInit);
  } catch (e) {
    throw new CliError(`Cannot reach ${url}: ${(e as Error).message}`, ExitCode.unreachable);
  } finally {
    stop();
  }
  const answer = (await response.json().catch(() => ({}))) as FileOutput & { error?: string };
  if (response.status !== 201) throw new CliError(`Upload refused: ${answer.error ?? `HTTP ${response.status}`}`, exitCodeForHttpStatus(response.status));
  return answer;
}

/**
 * Streams GET `path` into `out` (mode 0600: it is PHI) through `<out>.part`, renamed once whole: a file
 * that exists is the document, never a broken-off part of it (the server ends the transfer on bytes that
 * do not authenticate).
 */
async function downloadFile(url: string, token: string | undefined, path: string, out: string, size: number): Promise<void> {
  let response: Response;
  try {
    response = await fetch(`${url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  } catch (e) {
    throw new CliError(`Cannot reach ${url}: ${(e as Error).message}`, ExitCode.unreachable);
  }
  if (!response.ok || !response.body) {
    const answer = (await response.json().catch(() => ({}))) as { error?: string };
    throw new CliError(`Download refused: ${answer.error ?? `HTTP ${response.status}`}`, exitCodeForHttpStatus(response.status));
  }
  const { counter, stop } = byteProgress('download', size);
  try {
    await pipeline(Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>), counter, createPrivateFile(`${out}.part`));
  } catch (e) {
    rmSync(`${out}.part`, { force: true });
    throw new CliError(`The download broke off: ${(e as Error).message}`, ExitCode.unreachable);
  } finally {
    stop();
  }
  renameSync(`${out}.part`, out);
}

export const documentsCommand = createCommand('documents').description("a patient's documents (referral letters, results, consent forms)");

documentsCommand
  .command('upload')
  .description("add a file to a patient's documents, streamed (PDF or image; the type is read from the bytes)")
  .argument('<patientId>', "the patient's id")
  .argument('<file>', 'a PDF or an image (JPEG, PNG, WebP, GIF, TIFF)')
  .requiredOption('--title <title>', 'what it is, as people read it')
  .option('--category <category>', documentCategories.join(', '), 'other')
  .option('--staff-only', 'hidden from the patient and their guardians')
  .action(async (patientId: string, file: string, opts: { title: string; category: string; staffOnly?: boolean }, cmd: Command) => {
    const { api, url, token, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    if (!documentCategories.includes(opts.category as DocumentCategory)) throw new CliError(`--category must be one of ${documentCategories.join(', ')}`);
    const uploaded = await uploadFile(url, token, file);
    const document = await api.documents.create.mutate({ patientId, fileId: uploaded.id, title: opts.title, category: opts.category as DocumentCategory, staffOnly: opts.staffOnly });
    printRecord(json ? document : { id: document.id, title: document.title, type: document.file.mediaType, bytes: document.file.size, sha256: document.file.sha256 }, json);
  });

documentsCommand
  .command('list')
  .description("a patient's documents, newest first")
  .argument('<patientId>', "the patient's id")
  .option('--include-deleted', 'deleted documents too (staff)')
  .action(async (patientId: string, opts: { includeDeleted?: boolean }, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    const items: DocumentRow[] = [];
    let cursor: string | undefined;
    do {
      const page = await api.documents.list.query({ patientId, includeDeleted: opts.includeDeleted, cursor, limit: 100 });
      items.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    printRows(items, columns, json);
  });

documentsCommand
  .command('download')
  .description("a document's file, streamed into --out (mode 0600)")
  .argument('<documentId>', "the document's id")
  .requiredOption('--out <file>', 'where to write it (replaced if it exists)')
  .action(async (documentId: string, opts: { out: string }, cmd: Command) => {
    const { api, url, token, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    const document = await api.documents.byId.query({ id: documentId });
    await downloadFile(url, token, document.contentUrl, opts.out, document.file.size);
    printRecord({ id: document.id, title: document.title, out: opts.out, type: document.file.mediaType, bytes: document.file.size, sha256: document.file.sha256 }, json);
  });
