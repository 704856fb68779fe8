import { Command } from 'commander';
import { CliError, ExitCode } from '../exit-codes.ts';
import { readSecret } from '../command.ts';
import { printJson, printRecord, printRows } from '../output.ts';

const say = (line: string) => process.stdout.write(`${line}\n`);
/**
 * What `serve` and `worker` print for people (the address, demo logins, and without SMTP_URL the mail
 * itself, invite and reset links included) goes to stderr: their stdout is the JSON log alone, which a
 * log shipper may carry anywhere.
 */
const tellOperator = (line: string) => process.stderr.write(`${line}\n`);

/**
 * A local command's work on the database: with no cluster where it looked (run outside the server's
 * folder, or without its PAMS_DATA_DIR), it stops, naming the folder, instead of creating an empty one.
 */
export async function onLocalDatabase<T>(work: () => Promise<T>): Promise<T> {
  const { NoClusterError } = await import('../../server/errors.ts');
  try {
    return await work();
  } catch (e) {
    if (e instanceof NoClusterError) throw new CliError(e.message, ExitCode.unreachable);
    throw e;
  }
}

/** Commands that run PAMS itself or work on its database directly (no server, no token). */
export const serveCommand = new Command('serve')
  .description('run the HTTP server (embedded PostgreSQL when DATABASE_URL is unset)')
  .option('--migrate', 'apply pending migrations first')
  .option('--demo', 'seed demo data into an empty database and print the logins')
  .option('--jobs', 'also run the background jobs in this process (no separate `pams worker` needed)')
  .action(async (opts: { migrate?: boolean; demo?: boolean; jobs?: boolean }) => {
    const { withTracing } = await import('../../server/observability/with-tracing.ts');
    await withTracing('pams', async () => {
      const { serve } = await import('../../server/main.ts');
      await serve({ migrate: !!opts.migrate, demo: !!opts.demo, jobs: !!opts.jobs, print: tellOperator });
    });
  });

export const workerCommand = new Command('worker').description('run the background job worker (Agenda on PostgreSQL, or MongoDB with MONGODB_URL)').action(async () => {
  const { withTracing } = await import('../../server/observability/with-tracing.ts');
  await withTracing('pams-worker', async () => {
    const { runWorker } = await import('../../server/worker.ts');
    await onLocalDatabase(() => runWorker({ print: tellOperator }));
  });
});

export const migrateCommand = new Command('migrate')
  .description('apply pending database migrations')
  .option('--status', 'list applied and pending migrations instead')
  .option('--create <name>', '(developers) generate a migration from the entity changes')
  .option('--init', 'create the embedded PostgreSQL cluster in PAMS_DATA_DIR when there is none')
  .option('--json', 'print JSON for scripts')
  .action(async (opts: { status?: boolean; create?: string; init?: boolean; json?: boolean }) => {
    const { withRuntime } = await import('../../server/runtime.ts');
    await onLocalDatabase(() =>
      withRuntime(
        async ({ orm, db, config }) => {
          if (opts.create) {
            const created = await orm.migrator.create(undefined, false, false, opts.create);
            return created.diff.up.length ? say(`created migrations/${created.fileName}`) : say('no changes: nothing created');
          }
          if (opts.status) {
            const executed = (await orm.migrator.getExecuted()).map((m) => ({ name: m.name, status: 'applied', at: m.executed_at?.toISOString() ?? '' }));
            const pending = (await orm.migrator.getPending()).map((m) => ({ name: m.name, status: 'pending', at: '' }));
            const rows = [...executed, ...pending];
            return printRows(
              rows,
              [
                { header: 'migration', value: (r) => r.name },
                { header: 'status', value: (r) => r.status },
                { header: 'applied at', value: (r) => r.at },
              ],
              !!opts.json,
            );
          }
          const { migrateDatabase } = await import('../../server/orm.ts');
          const applied = await migrateDatabase(db.url, config.database);
          const { syncBuiltinQuestionnaires } = await import('../../server/modules/questionnaires/seed.service.ts');
          await syncBuiltinQuestionnaires(orm.em);
          if (opts.json) return printJson({ applied: applied.map((m) => m.name) });
          say(applied.length ? `applied ${applied.length} migration(s): ${applied.map((m) => m.name).join(', ')}` : 'database is up to date');
        },
        { createCluster: !!opts.init },
      ),
    );
  });

export const adminCommand = new Command('admin').description('local administration');
adminCommand
  .command('bootstrap')
  .description('create a new practice and its first admin')
  .requiredOption('--practice <name>', 'practice name')
  .requiredOption('--email <email>', 'admin email')
  .option('--name <name>', "admin's name", 'Administrator')
  .option('--time-zone <tz>', 'practice IANA time zone', 'UTC')
  .option('--password-stdin', 'read the password from standard input')
  .option('--json', 'print JSON for scripts')
  .action(async (opts: { practice: string; email: string; name: string; timeZone: string; passwordStdin?: boolean; json?: boolean }) => {
    const { bootstrapInput } = await import('../../shared/schemas/practices.ts');
    const password = await readSecret(opts.passwordStdin, 'Password for the new admin (12+ characters):');
    const parsed = bootstrapInput.safeParse({ practiceName: opts.practice, email: opts.email, name: opts.name, timeZone: opts.timeZone, password });
    if (!parsed.success) throw new CliError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));
    const { withRuntime } = await import('../../server/runtime.ts');
    const { bootstrapPractice } = await import('../../server/modules/practices/bootstrap.service.ts');
    const { AppError } = await import('../../server/errors.ts');
    await onLocalDatabase(() =>
      withRuntime(async ({ orm }) => {
        const pending = await orm.migrator.getPending();
        if (pending.length) throw new CliError('The database has pending migrations: run `pams migrate` first');
        try {
          const { practice, admin } = await bootstrapPractice(orm.em.fork(), parsed.data);
          printRecord({ practiceId: practice.id, practice: practice.name, adminId: admin.id, email: admin.email }, !!opts.json);
        } catch (e) {
          if (e instanceof AppError && e.code === 'CONFLICT') throw new CliError(e.message, ExitCode.notFoundOrConflict);
          throw e;
        }
      }),
    );
  });
