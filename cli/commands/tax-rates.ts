import type { Command } from 'commander';
import type { RouterOutputs } from '../../shared/client.ts';
import { createCommand, remote, type GlobalOptions } from '../command.ts';
import { CliError } from '../exit-codes.ts';
import { formatPercent, parsePercent } from '../money.ts';
import { printRecord, printRows, type Column } from '../output.ts';

type RateRow = RouterOutputs['taxRates']['list'][number];
const columns: Column<RateRow>[] = [
  { header: 'id', value: (r) => r.id },
  { header: 'name', value: (r) => r.name },
  { header: 'rate', value: (r) => formatPercent(r.ratePpm) },
  { header: 'components', value: (r) => r.components.map((c) => `${c.name} ${formatPercent(c.ratePpm)}`).join(' + ') },
  { header: 'active', value: (r) => (r.active ? 'yes' : 'no') },
];

export const taxRatesCommand = createCommand('tax-rates').description("your practice's tax rates (admin); a rate never changes once made");

taxRatesCommand
  .command('list')
  .option('--include-archived', 'also the archived rates')
  .action(async (opts: { includeArchived?: boolean }, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    printRows(await api.taxRates.list.query({ includeArchived: !!opts.includeArchived }), columns, json);
  });

/** `--component CGST=9%`, as given again and again. */
const collectComponent = (value: string, previous: { name: string; ratePpm: number }[] = []) => {
  const at = value.lastIndexOf('=');
  if (at <= 0) throw new CliError(`"${value}" is not NAME=RATE, e.g. CGST=9%`);
  return [...previous, { name: value.slice(0, at), ratePpm: parsePercent(value.slice(at + 1)) }];
};

taxRatesCommand
  .command('create')
  .description('add a tax rate (admin): one rate (--rate 23%), or its components (--component CGST=9% --component SGST=9%), or both')
  .argument('<name>', 'e.g. "VAT 23%" or "GST 18%"')
  .option('--rate <percent>', 'the rate, e.g. 23% or 8.875%; without it, the sum of the components')
  .option('--component <name=percent>', 'a component of the rate, e.g. CGST=9%; repeat for each', collectComponent)
  .action(async (name: string, opts: { rate?: string; component?: { name: string; ratePpm: number }[] }, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    if (opts.rate === undefined && !opts.component) throw new CliError("Give --rate, or the rate's --component parts");
    const ratePpm = opts.rate === undefined ? opts.component!.reduce((sum, c) => sum + c.ratePpm, 0) : parsePercent(opts.rate);
    const rate = await api.taxRates.create.mutate({ name, ratePpm, components: opts.component });
    printRecord(json ? rate : Object.fromEntries(columns.map((c) => [c.header, c.value(rate)])), json);
  });
