import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Statements PAMS runs on every message or import batch, as named prepared statements: `em.execute`
 * inlines the values into the text, so PostgreSQL parses and plans the statement each time, and the
 * set-based import statement (ten CTEs) took longer to plan (0.4-0.9 ms) than to run. Prepared once per
 * connection, it is planned once. Runs in the EntityManager's transaction when it has one, and its errors
 * are MikroORM's (UniqueConstraintViolationException, ...) and its logger sees it, as with `em.execute`.
 *
 * The text takes `?` placeholders, as `em.execute` does, and must be one of a few fixed texts (values go in
 * `params`, never into the text): each text is a statement on every connection. A text past the first
 * MAX_NAMED runs unnamed (parsed and planned each time), so a mistake costs speed, never memory.
 */
export async function executePrepared<T>(em: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  const executor = (em.getTransactionContext() ?? em.getConnection().getClient()) as unknown as QueryExecutor;
  // MikroORM's query hook sees it as it sees every statement (`onQuery`, which may also rewrite it).
  const { name, text } = statementOf(em.config.get('onQuery')(sql, params));
  const started = Date.now();
  const logged = (level?: 'error') => em.config.getLogger().logQuery({ query: text, params, took: Date.now() - started, level });
  try {
    // Kysely hands `sql` to pg's `client.query(config, values)`, where a config object names the statement.
    const result = await executor.executeQuery({ sql: name ? { name, text } : text, parameters: params, query: { kind: 'RawNode' }, queryId: { queryId: name ?? 'unnamed' } });
    logged();
    return result.rows as T[];
  } catch (e) {
    logged('error');
    throw em.getDriver().convertException(e as Error);
  }
}

/** What a Kysely instance or transaction (MikroORM's client) offers for a compiled query. */
type QueryExecutor = { executeQuery(query: { sql: unknown; parameters: unknown[]; query: { kind: 'RawNode' }; queryId: { queryId: string } }): Promise<{ rows: unknown[] }> };

const MAX_NAMED = 32;
const statements = new Map<string, { name: string | null; text: string }>();

function statementOf(sql: string) {
  let statement = statements.get(sql);
  if (!statement) {
    let n = 0;
    const text = sql.replace(/\?/g, () => `$${++n}`);
    const named = statements.size < MAX_NAMED;
    statement = { name: named ? `pams_${createHash('sha256').update(text).digest('hex').slice(0, 32)}` : null, text };
    if (named) statements.set(sql, statement);
  }
  return statement;
}
