import { input } from '@inquirer/prompts';
import { hostname } from 'node:os';
import { createPamsClient } from '../../shared/client.ts';
import { createCommand, readSecret, remote, type GlobalOptions } from '../command.ts';
import { forgetLogin, readLogin, writeLogin } from '../credentials.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import { printRecord } from '../output.ts';

type LoginOptions = GlobalOptions & { email: string; passwordStdin?: boolean; otp?: string; recoveryCode?: string };

/** Logs in with a password (and MFA), then swaps the session for an API token kept in the config dir. */
export const loginCommand = createCommand('login')
  .description('log in and store an API token for later commands')
  .requiredOption('--email <email>', 'your email')
  .option('--password-stdin', 'read the password from standard input')
  .option('--otp <code>', 'authentication app code, when MFA is on')
  .option('--recovery-code <code>', 'a recovery code instead of --otp')
  .action(async (opts: LoginOptions) => {
    const url = opts.url ?? process.env.PAMS_URL;
    if (!url) throw new CliError('Pass --url (or set PAMS_URL)');
    const password = await readSecret(opts.passwordStdin, `Password for ${opts.email}:`);
    let session = await createPamsClient({ url }).auth.login.mutate({ email: opts.email, password });
    if (session.mfaRequired) {
      const code = opts.otp ?? (opts.recoveryCode ? undefined : await promptOtp());
      const secondFactor = code ? { code } : { recoveryCode: opts.recoveryCode! };
      session = await createPamsClient({ url, token: session.token }).auth.verifyMfa.mutate(secondFactor);
    }
    const asSession = createPamsClient({ url, token: session.token });
    const { token, apiToken } = await asSession.tokens.create.mutate({ name: `pams cli on ${hostname()}`.slice(0, 100) });
    await asSession.auth.logout.mutate();
    const file = writeLogin({ url, token, email: opts.email, tokenId: apiToken.id });
    printRecord({ loggedIn: opts.email, url, tokenId: apiToken.id, storedIn: file }, !!opts.json);
  });

async function promptOtp(): Promise<string> {
  if (!process.stdin.isTTY) throw new CliError('MFA is on for this account: pass --otp or --recovery-code', ExitCode.auth);
  return input({ message: 'Authentication code:' });
}

export const logoutCommand = createCommand('logout')
  .description('revoke the stored API token and forget it')
  .action(async (opts: GlobalOptions) => {
    const stored = readLogin();
    if (!stored) throw new CliError('Not logged in', ExitCode.auth);
    const { api } = remote({ ...opts, url: stored.url, token: stored.token });
    await api.tokens.revoke.mutate({ id: stored.tokenId }).catch(() => undefined); // forget it locally either way
    forgetLogin();
    printRecord({ loggedOut: stored.email }, !!opts.json);
  });

export const whoamiCommand = createCommand('whoami')
  .description('show who the token acts as')
  .action(async (opts: GlobalOptions) => {
    const { api, url, json } = remote(opts);
    const { user, practice } = await api.auth.me.query();
    printRecord(json ? { url, user, practice } : { email: user.email, name: user.name, role: user.role, practice: practice.name, url }, json);
  });
