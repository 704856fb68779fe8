import type { RouterOutputs } from '../../shared/client.ts';
import { createCommand, remote, type GlobalOptions } from '../command.ts';
import { instantOption } from '../instant-option.ts';
import { printRows, type Column } from '../output.ts';

type AuditRow = RouterOutputs['audit']['list']['items'][number];
const columns: Column<AuditRow>[] = [
  { header: 'at', value: (e) => e.at },
  { header: 'action', value: (e) => e.action },
  { header: 'actor', value: (e) => e.actorId },
  { header: 'entity', value: (e) => (e.entityType ? `${e.entityType} ${e.entityId ?? ''}` : '') },
  { header: 'ip', value: (e) => e.ip },
  { header: 'request', value: (e) => e.requestId },
];

type AuditOptions = GlobalOptions & { since?: string; until?: string; actor?: string; action?: string; limit: number; cursor?: string };

export const auditCommand = createCommand('audit')
  .description("read your practice's audit log, newest first")
  .option('--since <date>', 'from this date or ISO 8601 instant, e.g. 2026-11-01 or 2026-11-01T09:00:00Z')
  .option('--until <date>', 'before this date or instant')
  .option('--actor <user-id>', 'only this actor')
  .option('--action <action>', 'only this action, e.g. auth.login')
  .option('--limit <n>', 'rows (1-100)', (v) => Number(v), 50)
  .option('--cursor <cursor>', 'continue from a previous page (see nextCursor with --json)')
  .action(async (opts: AuditOptions) => {
    const { api, json } = remote(opts);
    const page = await api.audit.list.query({
      since: instantOption('--since', opts.since),
      until: instantOption('--until', opts.until),
      actorId: opts.actor,
      action: opts.action,
      limit: opts.limit,
      cursor: opts.cursor,
    });
    printRows(page.items, columns, json, page);
  });
