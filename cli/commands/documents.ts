import type { Command } from 'commander';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { RouterOutputs } from '../../shared/client.ts';
import { documentCategories, type DocumentCategory } from '../../shared/enums.ts';
import type { FileOutput } from '../../shared/schemas/files.ts';
import { createCommand, remote, type GlobalOptions } from '../command.ts';
import { CliError, exitCodeForHttpStatus } from '../exit-codes.ts';
import { printRecord, printRows, type Column } from '../output.ts';

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

/** Streams a local file to POST /files (never read whole), as the API's clients upload. */
async function uploadFile(url: string, token: string | undefined, path: string): Promise<FileOutput> {
  const size = (await stat(path).catch(() => null))?.size;
  if (size === undefined) throw new CliError(`No such file: ${path}`);
  const response = await fetch(`${url.replace(/\/$/, '')}/files`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(size), ...(token && { authorization: `Bearer ${token}` }) },
    body: Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>,
    duplex: 'half',
  } as RequestInit);
  const answer = (await response.json()) as FileOutput & { error?: string };
  if (response.status !== 201) throw new CliError(`Upload refused: ${answer.error ?? response.statusText}`, exitCodeForHttpStatus(response.status));
  return answer;
}

export const documentsCommand = createCommand('documents').description("a patient's documents (referral letters, results, consent forms)");

documentsCommand
  .command('add')
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
