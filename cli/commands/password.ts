import type { Command } from 'commander';
import { createCommand, readSecret, remote, type GlobalOptions } from '../command.ts';
import { printRecord } from '../output.ts';

export const passwordCommand = createCommand('password').description('forgotten passwords');

passwordCommand
  .command('forgot')
  .description('mail yourself a reset link')
  .requiredOption('--email <email>')
  .action(async (opts: { email: string }, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals(), { needsToken: false });
    await api.auth.requestPasswordReset.mutate({ email: opts.email });
    printRecord({ sent: 'if that email has an account, a reset link is on its way' }, json);
  });

passwordCommand
  .command('reset')
  .description('set a new password with the token from the reset mail')
  .argument('<reset-token>')
  .option('--password-stdin', 'read the new password from standard input')
  .action(async (token: string, opts: { passwordStdin?: boolean }, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>(), { needsToken: false });
    const newPassword = await readSecret(opts.passwordStdin, 'New password (12+ characters):');
    await api.auth.resetPassword.mutate({ token, newPassword });
    printRecord({ reset: true, next: 'log in with `pams login`' }, json);
  });
