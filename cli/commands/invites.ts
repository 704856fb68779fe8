import { Option, type Command } from 'commander';
import { invitableRoles, inviteStatuses, type InviteStatus } from '../../shared/enums.ts';
import type { RouterOutputs } from '../../shared/client.ts';
import { createCommand, readSecret, remote, type GlobalOptions } from '../command.ts';
import { printRecord, printRows, type Column } from '../output.ts';

type InviteRow = RouterOutputs['invites']['list']['items'][number];
const columns: Column<InviteRow>[] = [
  { header: 'id', value: (i) => i.id },
  { header: 'email', value: (i) => i.email },
  { header: 'role', value: (i) => i.role },
  { header: 'status', value: (i) => i.status },
  { header: 'expires', value: (i) => i.expiresAt },
];

export const inviteCommand = createCommand('invite')
  .description('invite a clinician or an admin by email')
  .argument('<email>')
  .addOption(new Option('--role <role>', 'role of the new account').choices(invitableRoles).makeOptionMandatory())
  .action(async (email: string, opts: GlobalOptions & { role: (typeof invitableRoles)[number] }) => {
    const { api, json } = remote(opts);
    const invite = await api.invites.create.mutate({ email, role: opts.role });
    printRecord(json ? invite : { invited: invite.email, role: invite.role, id: invite.id, expires: invite.expiresAt }, json);
  });

export const invitesCommand = createCommand('invites').description('list, resend, revoke or accept invites');

invitesCommand
  .command('list')
  .addOption(new Option('--status <status>').choices(inviteStatuses))
  .option('--limit <n>', 'rows per page (1-100)', (v) => Number(v), 100)
  .option('--cursor <cursor>', 'continue from a previous page (nextCursor in --json output)')
  .action(async (opts: { status?: InviteStatus; limit: number; cursor?: string }, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    const page = await api.invites.list.query({ status: opts.status, limit: opts.limit, cursor: opts.cursor });
    printRows(page.items, columns, json, page);
  });

invitesCommand
  .command('resend')
  .argument('<id>')
  .action(async (id: string, _opts, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    const invite = await api.invites.resend.mutate({ id });
    printRecord(json ? invite : { resent: invite.email, expires: invite.expiresAt }, json);
  });

invitesCommand
  .command('revoke')
  .argument('<id>')
  .action(async (id: string, _opts, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    const invite = await api.invites.revoke.mutate({ id });
    printRecord(json ? invite : { revoked: invite.email }, json);
  });

invitesCommand
  .command('accept')
  .description('accept an invite (the token is in the invite mail) and set your name and password')
  .argument('<invite-token>')
  .requiredOption('--name <name>', 'your name')
  .option('--password-stdin', 'read the new password from standard input')
  .action(async (token: string, opts: { name: string; passwordStdin?: boolean }, cmd: Command) => {
    const { url, json } = cmd.optsWithGlobals<GlobalOptions>();
    const { api } = remote({ url, json }, { needsToken: false });
    const password = await readSecret(opts.passwordStdin, 'Choose a password (12+ characters):');
    const accepted = await api.invites.accept.mutate({ token, name: opts.name, password });
    printRecord({ accepted: true, userId: accepted.userId, next: 'log in with `pams login`' }, !!json);
  });
