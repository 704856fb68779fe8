import { Option, type Command } from 'commander';
import { userRoles, userStatuses, type UserRole, type UserStatus } from '../../shared/enums.ts';
import type { RouterOutputs } from '../../shared/client.ts';
import { createCommand, remote, type GlobalOptions } from '../command.ts';
import { printRecord, printRows, type Column } from '../output.ts';

type UserRow = RouterOutputs['users']['list']['items'][number];
const columns: Column<UserRow>[] = [
  { header: 'id', value: (u) => u.id },
  { header: 'email', value: (u) => u.email },
  { header: 'name', value: (u) => u.name },
  { header: 'role', value: (u) => u.role },
  { header: 'status', value: (u) => u.status },
  { header: 'mfa', value: (u) => (u.mfaEnabled ? 'on' : 'off') },
];

export const usersCommand = createCommand('users').description("list, deactivate or reactivate your practice's users");

usersCommand
  .command('list')
  .addOption(new Option('--role <role>').choices(userRoles))
  .addOption(new Option('--status <status>').choices(userStatuses))
  .option('--limit <n>', 'rows per page (1-100)', (v) => Number(v), 100)
  .option('--cursor <cursor>', 'continue from a previous page (nextCursor in --json output)')
  .action(async (opts: { role?: UserRole; status?: UserStatus; limit: number; cursor?: string }, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    const page = await api.users.list.query({ role: opts.role, status: opts.status, limit: opts.limit, cursor: opts.cursor });
    printRows(page.items, columns, json, page);
  });

for (const action of ['deactivate', 'reactivate'] as const) {
  usersCommand
    .command(action)
    .argument('<id>', 'user id')
    .action(async (id: string, _opts, cmd: Command) => {
      const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
      const user = await api.users[action].mutate({ id });
      printRecord(json ? user : { email: user.email, status: user.status }, json);
    });
}
