import { createWriteStream, mkdirSync, renameSync, rmSync, statSync, writeFileSync, type WriteStream } from 'node:fs';
import { CliError, ExitCode } from './exit-codes.ts';

/**
 * What the CLI writes to disk holds PHI (FHIR exports) or a credential (the stored login): such files are
 * mode 0600, in a folder of mode 0700, through these functions only.
 */

/**
 * Creates `dir` (and missing parents) with mode 0700. A folder that exists already and is open to other
 * users is refused, not tightened: it may be shared on purpose, and changing that is the owner's call.
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const mode = statSync(dir).mode & 0o777;
  if (mode & 0o077) {
    throw new CliError(`${dir} is open to other users (mode ${mode.toString(8)}): run chmod 700 on it, or name a new folder`, ExitCode.usage);
  }
}

/**
 * A new file of mode 0600. An existing file of that name is removed first rather than reopened, since
 * reopening keeps its old mode and would follow a symlink planted in its place.
 */
export function createPrivateFile(file: string): WriteStream {
  rmSync(file, { force: true });
  return createWriteStream(file, { flags: 'wx', mode: 0o600 });
}

/** Replaces `file` with `content` whole: written to a new 0600 file beside it, then renamed over it. */
export function writePrivateFile(file: string, content: string | Uint8Array): void {
  const part = `${file}.part`;
  rmSync(part, { force: true });
  writeFileSync(part, content, { flag: 'wx', mode: 0o600 });
  renameSync(part, file);
}
