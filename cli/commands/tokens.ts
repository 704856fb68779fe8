import type { Command } from 'commander';
import type { RouterOutputs } from '../../shared/client.ts';
import { createCommand, remote, type GlobalOptions } from '../command.ts';
import { printRecord, printRows, type Column } from '../output.ts';

type TokenRow = RouterOutputs['tokens']['list'][number];
const columns: Column<TokenRow>[] = [
  { header: 'id', value: (t) => t.id },
  { header: 'name', value: (t) => t.name },
  { header: 'created', value: (t) => t.createdAt },
  { header: 'last used', value: (t) => t.lastUsedAt },
  { header: 'expires', value: (t) => t.expiresAt },
  { header: 'revoked', value: (t) => t.revokedAt },
];

export const tokensCommand = createCommand('tokens').description('your API tokens for scripts');

tokensCommand.command('list').action(async (_opts, cmd: Command) => {
  const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
  printRows(await api.tokens.list.query(), columns, json);
});

tokensCommand
  .command('create')
  .argument('<name>', 'what the token is for')
  .option('--expires-in-days <n>', 'expiry in days (default: never)', (v) => Number(v))
  .action(async (name: string, opts: { expiresInDays?: number }, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    const { token, apiToken } = await api.tokens.create.mutate({ name, expiresInDays: opts.expiresInDays });
    if (!json) process.stderr.write('This token is shown once: store it now.\n');
    printRecord({ ...apiToken, token }, json);
  });

tokensCommand
  .command('revoke')
  .argument('<id>', 'token id')
  .action(async (id: string, _opts, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    const revoked = await api.tokens.revoke.mutate({ id });
    printRecord(json ? revoked : { revoked: revoked.id, name: revoked.name }, json);
  });
