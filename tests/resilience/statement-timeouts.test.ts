import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPractice, type TestUser } from '../fixtures.ts';
import { startTestServer, type TestServer } from '../harness.ts';
import { rejection } from '../rejection.ts';

/**
 * Every connection of the app carries PostgreSQL's statement, lock and idle-transaction limits
 * (DB_*_TIMEOUT_MS), so a call stuck behind someone's lock answers a typed 503 quickly instead of
 * hanging, and holds nothing that stalls the calls after it.
 */
async function holdPracticeLock(t: TestServer, practiceId: string) {
  const client = new pg.Client({ connectionString: t.dbUrl });
  await client.connect();
  await client.query('begin');
  await client.query('select id from practice where id = $1 for update', [practiceId]);
  return { release: async () => (await client.query('rollback'), await client.end()) };
}

describe('lock_timeout', () => {
  let t: TestServer;
  let admin: TestUser;
  beforeAll(async () => {
    t = await startTestServer({ DB_LOCK_TIMEOUT_MS: '300', DB_STATEMENT_TIMEOUT_MS: '20000', DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '15000' });
    ({ admin } = await createPractice(t));
  });
  afterAll(() => t.close());

  it('applies the configured limits to the app connections', async () => {
    const [row] = await t
      .em()
      .getConnection()
      .execute<{ statement_timeout: string; lock_timeout: string; idle: string }[]>(
        `select current_setting('statement_timeout') as statement_timeout, current_setting('lock_timeout') as lock_timeout, current_setting('idle_in_transaction_session_timeout') as idle`,
      );
    expect(row).toEqual({ statement_timeout: '20s', lock_timeout: '300ms', idle: '15s' });
  });

  it('answers a lock wait past the limit with a typed 503, and the others go on', async () => {
    const lock = await holdPracticeLock(t, admin.practiceId);
    try {
      const api = t.client(admin.token);
      expect(await rejection(api.practices.update.mutate({ name: 'Waits for the lock' }))).toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
        httpStatus: 503,
        reason: 'database-timeout',
        requestId: expect.any(String),
      });
      // Calls that do not need the lock are not stalled by it, nor by the call that gave up.
      expect(await api.practices.current.query()).toMatchObject({ id: admin.practiceId });
      expect(await api.auth.me.query()).toMatchObject({ user: { id: admin.id } });
    } finally {
      await lock.release();
    }
    expect(await t.client(admin.token).practices.update.mutate({ name: 'After the lock' })).toMatchObject({ name: 'After the lock' });
  });
});

describe('statement_timeout', () => {
  let t: TestServer;
  let admin: TestUser;
  beforeAll(async () => {
    // No lock limit: the statement limit alone bounds the wait (a lock wait counts as statement time).
    t = await startTestServer({ DB_LOCK_TIMEOUT_MS: '0', DB_STATEMENT_TIMEOUT_MS: '400' });
    ({ admin } = await createPractice(t));
  });
  afterAll(() => t.close());

  it('cancels a statement that runs past the limit with a typed 503', async () => {
    const lock = await holdPracticeLock(t, admin.practiceId);
    try {
      expect(await rejection(t.client(admin.token).practices.update.mutate({ name: 'Runs too long' }))).toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
        httpStatus: 503,
        reason: 'database-timeout',
        requestId: expect.any(String),
      });
    } finally {
      await lock.release();
    }
    expect(t.logLines.join('')).not.toMatch(/unexpected error/);
  });
});
