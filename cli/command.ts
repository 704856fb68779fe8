import { password as promptPassword } from '@inquirer/prompts';
import { Command } from 'commander';
import { EventSource } from 'eventsource';
import { createPamsClient, type PamsClient } from '../shared/client.ts';
import { readLogin, sameServer } from './credentials.ts';
import { CliError, ExitCode } from './exit-codes.ts';

export type GlobalOptions = { url?: string; token?: string; json?: boolean };

/** A command with the options every remote command shares. */
export function createCommand(name: string): Command {
  return new Command(name)
    .option('--url <url>', 'PAMS server URL (default: PAMS_URL, then the stored login)')
    .option('--token <token>', 'API token (default: PAMS_TOKEN, then the stored login)')
    .option('--json', 'print JSON for scripts');
}

/** The typed client for a remote command: flags, then PAMS_URL/PAMS_TOKEN, then `pams login`'s stored token. */
export function remote(opts: GlobalOptions, { needsToken = true } = {}): { api: PamsClient; url: string; token: string | undefined; json: boolean } {
  const stored = readLogin();
  const url = opts.url ?? process.env.PAMS_URL ?? stored?.url;
  const token = opts.token ?? process.env.PAMS_TOKEN ?? (stored && url && sameServer(url, stored.url) ? stored.token : undefined);
  // No server at all is, for a command that needs a token, not being logged in (after `pams logout`, say).
  if (!url && needsToken) throw new CliError('Not logged in: run `pams login`, or pass --url and --token (PAMS_URL, PAMS_TOKEN)', ExitCode.auth);
  if (!url) throw new CliError('No server: pass --url, set PAMS_URL, or run `pams login`', ExitCode.usage);
  if (needsToken && !token) throw new CliError('Not logged in: run `pams login`, or set PAMS_TOKEN', ExitCode.auth);
  // Node has no EventSource of its own: the package's opens subscriptions (`pams events tail`), sending the token.
  return { api: createPamsClient({ url, token, EventSource }), url, token, json: !!opts.json };
}

/** A secret from stdin (`--password-stdin`, for scripts) or a hidden prompt on a terminal. */
export async function readSecret(fromStdin: boolean | undefined, message: string): Promise<string> {
  if (fromStdin) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    const value = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
    if (!value) throw new CliError('Nothing on standard input');
    return value;
  }
  if (!process.stdin.isTTY) throw new CliError('No terminal to prompt on: pass --password-stdin');
  return promptPassword({ message, mask: '*' });
}
