import type { Command } from 'commander';
import type { RouterOutputs } from '../../shared/client.ts';
import { jobStates } from '../../shared/schemas/jobs.ts';
import { createCommand, remote, type GlobalOptions } from '../command.ts';
import { CliError } from '../exit-codes.ts';
import { printRecord, printRows, type Column } from '../output.ts';

type JobRow = RouterOutputs['jobs']['list'][number];
const columns: Column<JobRow>[] = [
  { header: 'id', value: (j) => j.id },
  { header: 'name', value: (j) => j.name },
  { header: 'state', value: (j) => j.state },
  { header: 'next run', value: (j) => j.nextRunAt },
  { header: 'failures', value: (j) => j.failCount },
  { header: 'reason', value: (j) => j.failReason },
];

export const jobsCommand = createCommand('jobs').description("your practice's background jobs (admins)");

jobsCommand
  .command('list')
  .option('--state <state>', `only jobs in this state (${jobStates.join(', ')})`)
  .option('--limit <n>', 'at most this many', (v) => Number(v), 50)
  .action(async (opts: { state?: string; limit: number }, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    if (opts.state && !(jobStates as readonly string[]).includes(opts.state)) throw new CliError(`--state must be one of ${jobStates.join(', ')}`);
    printRows(await api.jobs.list.query({ state: opts.state as JobRow['state'] as never, limit: opts.limit }), columns, json);
  });

jobsCommand
  .command('retry')
  .argument('<id>', 'job id')
  .description('run a job again now (a failed extraction starts again from its first attempt)')
  .action(async (id: string, _opts, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    const job = await api.jobs.retry.mutate({ id });
    printRecord(json ? job : { retried: job.id, name: job.name }, json);
  });

jobsCommand
  .command('cancel')
  .argument('<id>', 'job id')
  .description('remove a job that has not run yet')
  .action(async (id: string, _opts, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    const job = await api.jobs.cancel.mutate({ id });
    printRecord(json ? job : { cancelled: job.id, name: job.name }, json);
  });
