import type { Command } from 'commander';
import type { RouterOutputs } from '../../shared/client.ts';
import { createCommand, remote, type GlobalOptions } from '../command.ts';
import { CliError } from '../exit-codes.ts';
import { currencyOf, formatAmount, parseAmount } from '../money.ts';
import { printRecord, printRows, type Column } from '../output.ts';

type ServiceRow = RouterOutputs['services']['list'][number];
const columns = (digits: number): Column<ServiceRow>[] => [
  { header: 'id', value: (s) => s.id },
  { header: 'code', value: (s) => s.code },
  { header: 'name', value: (s) => s.name },
  { header: 'price', value: (s) => formatAmount(s.price, digits) },
  { header: 'tax', value: (s) => s.taxRateName ?? 'exempt' },
  { header: 'active', value: (s) => (s.active ? 'yes' : 'no') },
];

export const servicesCommand = createCommand('services').description("your practice's price list: what is charged, at what price and tax (admins keep it)");

servicesCommand
  .command('list')
  .option('--include-archived', 'also the archived services')
  .action(async (opts: { includeArchived?: boolean }, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    const services = await api.services.list.query({ includeArchived: !!opts.includeArchived });
    printRows(services, columns(json ? 0 : (await currencyOf(api)).digits), json);
  });

servicesCommand
  .command('create')
  .description('add a service (admin)')
  .argument('<code>', 'a short code, e.g. CONS')
  .argument('<name>', 'e.g. "Consultation"')
  .requiredOption('--price <amount>', "in the practice's currency, e.g. 80.00 (with or without tax, as the practice's pricesIncludeTax says)")
  .option('--tax-rate <id>', 'the tax rate that applies (see `pams tax-rates list`); without it the service is exempt')
  .action(async (code: string, name: string, opts: { price: string; taxRate?: string }, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    const price = parseAmount(opts.price, (await currencyOf(api)).digits);
    printRecord(await api.services.create.mutate({ code, name, price, taxRateId: opts.taxRate ?? null }), json);
  });

type UpdateOptions = { code?: string; name?: string; price?: string; taxRate?: string };

servicesCommand
  .command('update')
  .description('change a service (admin); only the values given change, and what was charged keeps its price')
  .argument('<id>', 'the service, as `list` shows it')
  .option('--code <code>', 'a new code')
  .option('--name <name>', 'a new name')
  .option('--price <amount>', "a new price in the practice's currency, e.g. 80.00")
  .option('--tax-rate <id>', 'the tax rate that applies ("" makes it exempt)')
  .action(async (id: string, opts: UpdateOptions, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    const changes = {
      code: opts.code,
      name: opts.name,
      price: opts.price === undefined ? undefined : parseAmount(opts.price, (await currencyOf(api)).digits),
      taxRateId: opts.taxRate === undefined ? undefined : opts.taxRate || null,
    };
    if (Object.values(changes).every((v) => v === undefined)) throw new CliError('Nothing to update: pass at least one change (see `pams services update --help`)');
    printRecord(await api.services.update.mutate({ id, ...changes }), json);
  });

servicesCommand
  .command('archive')
  .description('stop charging a service (admin); what was charged stays')
  .argument('<id>', 'the service')
  .action(async (id: string, _opts, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    printRecord(await api.services.archive.mutate({ id }), json);
  });
