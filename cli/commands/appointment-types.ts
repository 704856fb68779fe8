import type { Command } from 'commander';
import type { RouterOutputs } from '../../shared/client.ts';
import { createCommand, remote, type GlobalOptions } from '../command.ts';
import { CliError } from '../exit-codes.ts';
import { printRecord, printRows, type Column } from '../output.ts';

type TypeRow = RouterOutputs['appointmentTypes']['list'][number];
const columns: Column<TypeRow>[] = [
  { header: 'id', value: (t) => t.id },
  { header: 'name', value: (t) => t.name },
  { header: 'minutes', value: (t) => t.durationMinutes },
  { header: 'active', value: (t) => (t.active ? 'yes' : 'no') },
  { header: 'patients book', value: (t) => (t.bookableByPatients ? 'yes' : 'no') },
  { header: 'service', value: (t) => t.serviceId ?? '' },
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
  .option('--bookable-by-patients', 'patients may book it themselves, with a clinician on their care team')
  .option('--service <id>', 'the service a completed visit of this type is charged as (see `pams services list`)')
  .action(async (name: string, opts: { duration: number; bookableByPatients?: boolean; service?: string }, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    printRecord(await api.appointmentTypes.create.mutate({ name, durationMinutes: opts.duration, bookableByPatients: !!opts.bookableByPatients, serviceId: opts.service ?? null }), json);
  });

type UpdateOptions = { name?: string; duration?: number; bookableByPatients?: boolean; service?: string };

appointmentTypesCommand
  .command('update')
  .description('change a type (admin); only the values given change, and visits already booked keep their length')
  .argument('<id>', 'the type, as `list` shows it')
  .option('--name <name>', 'a new name')
  .option('--duration <minutes>', 'length in minutes (5-480)', (v) => Number(v))
  .option('--bookable-by-patients', 'patients may book it themselves')
  .option('--no-bookable-by-patients', 'only staff book it')
  .option('--service <id>', 'the service a completed visit is charged as ("" for none)')
  .action(async (id: string, opts: UpdateOptions, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    const changes = { name: opts.name, durationMinutes: opts.duration, bookableByPatients: opts.bookableByPatients, serviceId: opts.service === undefined ? undefined : opts.service || null };
    if (Object.values(changes).every((v) => v === undefined)) throw new CliError('Nothing to update: pass at least one change (see `pams appointment-types update --help`)');
    printRecord(await api.appointmentTypes.update.mutate({ id, ...changes }), json);
  });
