import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../harness.ts';
import { startWorker } from '../workers.ts';

/**
 * Workers starting together (a deployment starts several at once) each create Agenda's tables and
 * functions as they connect: done at the same moment, PostgreSQL refuses one ("tuple concurrently
 * updated"), and Agenda's constructor left that rejection unhandled, ending the process.
 */
let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

describe('workers starting at the same time', () => {
  it('all start and process jobs, none fails creating the queue tables', async () => {
    for (let round = 0; round < 3; round++) {
      const workers = await Promise.all(Array.from({ length: 6 }, (_, i) => startWorker(t, { name: `start-${round}-${i}` })));
      expect(workers).toHaveLength(6);
      await Promise.all(workers.map((w) => w.stop()));
    }
  });
});
