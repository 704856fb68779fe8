import { existsSync } from 'node:fs';
import type { PdfFileOutput } from '../shared/schemas/billing.ts';
import { CliError } from './exit-codes.ts';
import { printJson } from './output.ts';
import { writePrivateFile } from './private-files.ts';

type Target = { out: string; force?: boolean };

/** An existing file is replaced only with --force (checked before asking the server, and again when writing). */
export function refuseToReplace({ out, force }: Target): void {
  if (!force && existsSync(out)) throw new CliError(`${out} exists: pass --force to replace it`);
}

/** A PDF from the API (an invoice, a credit note, a receipt) written to --out, mode 0600; prints the path, or `{ path, bytes }` with --json. */
export function writePdfFile(target: Target, json: boolean, pdf: PdfFileOutput): void {
  refuseToReplace(target);
  const bytes = Buffer.from(pdf.contentBase64, 'base64');
  writePrivateFile(target.out, bytes);
  if (json) printJson({ path: target.out, bytes: bytes.length });
  else process.stdout.write(`${target.out}\n`);
}
