import { entityColumns } from '../../entity-columns.ts';
import { AuditEventSchema } from './audit-event.entity.ts';

const column = entityColumns<keyof typeof AuditEventSchema.meta.properties & string>(AuditEventSchema);

/** What an audit row says, each as SQL over the rows it audits (constants quoted, `'patient'`). */
export type AuditRowSql = { action: string; entityType: string; entityId: string; detail: string };

/**
 * A CTE `name` writing the audit rows of a hand-written statement, one per row of `from`: the statement
 * that writes PHI audits it itself, so its rows commit with the change, in the same round trip (as
 * `recordAudit` has them commit with the unit of work). `writer` is a relation of `from` with the writer's
 * columns, `practice_id`, `actor_id`, `request_id` and `ip` (the statement's `args`).
 */
export function auditCte(name: string, row: AuditRowSql, from: string, writer = 'args'): string {
  const values: Record<keyof typeof column, string> = {
    id: 'uuidv7()',
    at: 'now()',
    practiceId: `${writer}.practice_id`,
    actorId: `${writer}.actor_id`,
    action: row.action,
    entityType: row.entityType,
    entityId: row.entityId,
    requestId: `${writer}.request_id`,
    ip: `${writer}.ip`,
    detail: row.detail,
  };
  const keys = Object.keys(values) as (keyof typeof column)[];
  return `${name} as (
       insert into audit_event (${keys.map((k) => column[k]).join(', ')})
       select ${keys.map((k) => values[k]).join(', ')}
       from ${from})`;
}
