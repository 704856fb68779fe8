import type { TestServer } from './harness.ts';

/**
 * A fingerprint of every table's content (one md5 per table), to prove a refused call changed nothing.
 * The audit trail and the rate limiters' tables change on purpose and are left out, as are `exclude`d tables.
 */
export async function dataSnapshot(t: Pick<TestServer, 'em'>, exclude: string[] = []): Promise<string> {
  const skipped = ['audit_event', 'login_throttle', 'api_throttle', 'mikro_orm_migrations', ...exclude];
  const rows = await t
    .em()
    .getConnection()
    .execute<{ snapshot: string }[]>(
      `select string_agg(t.table_name || ':' || (xpath('/row/h/text()', query_to_xml(format('select md5(coalesce(string_agg(x::text, ''|'' order by x::text), '''')) as h from %I x', t.table_name), false, true, '')))[1]::text, ',' order by t.table_name) as snapshot
     from information_schema.tables t
     where t.table_schema = 'public' and t.table_type = 'BASE TABLE' and t.table_name <> all(?::text[]) and t.table_name not like 'agenda%'`,
      [`{${skipped.join(',')}}`], // a Postgres array literal: a JS array would be expanded into a list
    );
  return rows[0]!.snapshot;
}
