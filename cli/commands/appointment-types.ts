import type { Command } from 'commander';
import type { RouterOutputs } from '../../shared/client.ts';
import { createCommand, remote, type GlobalOptions } from '../command.ts';
import { printRecord, printRows, type Column } from '../output.ts';

type TypeRow = RouterOutputs['appointmentTypes']['list'][number];
const columns: Column<TypeRow>[] = [
  { header: 'id', value: (t) => t.id },
  { header: 'name', value: (t) => t.name },
  { header: 'minutes', value: (t) => t.durationMinutes },
  { header: 'active', value: (t) => (t.active ? 'yes' : 'no') },
];

export const appointmentTypesCommand = createCommand('appointment-types').description('the kinds of appointment your practice offers');

appointmentTypesCommand
  .command('list')
  .option('--include-inactive', 'also the retired types')
  .action(async (opts: { includeInactive?: boolean }, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    printRows(await api.appointmentTypes.list.query({ includeInactive: !!opts.includeInactive }), columns, json);
  });

appointmentTypesCommand
  .command('create')
  .description('add a type (admin)')
  .argument('<name>', 'e.g. "Initial consultation"')
  .requiredOption('--duration <minutes>', 'length in minutes (5-480)', (v) => Number(v))
  .action(async (name: string, opts: { duration: number }, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    printRecord(await api.appointmentTypes.create.mutate({ name, durationMinutes: opts.duration }), json);
  });
