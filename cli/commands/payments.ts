import { Option, type Command } from 'commander';
import type { RouterOutputs } from '../../shared/client.ts';
import { manualPaymentMethods, paymentMethods } from '../../shared/schemas/billing.ts';
import { createCommand, remote, type GlobalOptions } from '../command.ts';
import { CliError } from '../exit-codes.ts';
import { printRecord, printRows, type Column } from '../output.ts';

type Payment = RouterOutputs['payments']['byId'];

/** How many decimals the currency's minor unit has (EUR 2, JPY 0), as the runtime's ICU data says. */
const digitsOf = (currency: string) => new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;

/** "12.50" in EUR as 1250: decimal text to integer minor units, by string (no floating point); more decimals than the currency has are refused. */
function toMinorUnits(text: string, currency: string, what = '--amount'): number {
  const digits = digitsOf(currency);
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match || (match[2] ?? '').length > digits)
    throw new CliError(`${what} must be an amount in ${currency} with at most ${digits} decimals, e.g. ${digits ? `12.${'5'.padEnd(digits, '0')}` : '1250'}`);
  const minor = Number(`${match[1]}${(match[2] ?? '').padEnd(digits, '0')}`);
  if (!Number.isSafeInteger(minor)) throw new CliError(`${what} is too large`);
  return minor;
}

/** 1250 in EUR as "12.50". */
const formatted = (minor: number, currency: string) => {
  const digits = digitsOf(currency);
  const text = String(Math.abs(minor)).padStart(digits + 1, '0');
  return `${minor < 0 ? '-' : ''}${digits ? `${text.slice(0, -digits)}.${text.slice(-digits)}` : text} ${currency}`;
};

const columns: Column<Payment>[] = [
  { header: 'id', value: (p) => p.id },
  { header: 'receipt', value: (p) => p.number },
  { header: 'received', value: (p) => p.receivedAt },
  { header: 'method', value: (p) => p.method },
  { header: 'amount', value: (p) => formatted(p.amount, p.currency) },
  { header: 'credit', value: (p) => formatted(p.credit, p.currency) },
  { header: 'refunded', value: (p) => formatted(p.refunded, p.currency) },
];

const receipt = (p: Payment) => ({
  receipt: p.number,
  id: p.id,
  amount: formatted(p.amount, p.currency),
  method: p.method,
  from: p.payer.name,
  allocated: p.allocations.map((a) => `${a.invoiceNumber} ${formatted(a.amount, p.currency)}`).join(', ') || '(none)',
  credit: formatted(p.credit, p.currency),
  refunded: formatted(p.refunded, p.currency),
});

const collect = (value: string, previous: string[]) => [...previous, value];

export const paymentsCommand = createCommand('payments').description('record, list and refund payments (admins)');

paymentsCommand
  .command('record')
  .description('record a payment for a patient, allocated to invoices (--invoice <id>, or <id>=<amount>); the rest is their credit')
  .argument('<patientId>')
  .requiredOption('--amount <amount>', "in the practice's currency, e.g. 12.50")
  .addOption(new Option('--method <method>').choices(manualPaymentMethods).makeOptionMandatory())
  .option('--invoice <id[=amount]>', 'allocate to this invoice: the amount, or else as much of its balance as is left (repeatable)', collect, [])
  .option('--reference <text>', "the card slip's, transfer's or insurer's reference")
  .option('--external-id <key>', 'idempotency key: a retry with the same key records nothing new')
  .option('--received-at <instant>', 'ISO 8601, e.g. 2027-03-01T09:30:00Z (default: now)')
  .action(
    async (
      patientId: string,
      opts: { amount: string; method: (typeof manualPaymentMethods)[number]; invoice: string[]; reference?: string; externalId?: string; receivedAt?: string },
      cmd: Command,
    ) => {
      const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
      const { currency } = await api.practices.current.query();
      const amount = toMinorUnits(opts.amount, currency);
      let left = amount;
      const allocations = [];
      for (const spec of opts.invoice) {
        const [invoiceId = '', share] = spec.split('=');
        const invoiceAmount = share === undefined ? Math.min(left, (await api.invoices.byId.query({ id: invoiceId })).balance) : toMinorUnits(share, currency, '--invoice');
        // An invoice with nothing left to pay (or a retry's, paid by the first attempt) takes nothing.
        if (invoiceAmount === 0) continue;
        allocations.push({ invoiceId, amount: invoiceAmount });
        left -= invoiceAmount;
      }
      const payment = await api.payments.record.mutate({
        patientId,
        amount,
        method: opts.method,
        allocations,
        reference: opts.reference ?? null,
        externalId: opts.externalId,
        receivedAt: opts.receivedAt,
      });
      printRecord(json ? payment : receipt(payment), json);
    },
  );

paymentsCommand
  .command('list')
  .option('--patient <id>')
  .addOption(new Option('--method <method>').choices(paymentMethods))
  .option('--from <instant>', 'received at or after (ISO 8601)')
  .option('--to <instant>', 'received before (ISO 8601)')
  .option('--limit <n>', 'rows per page (1-100)', (v) => Number(v), 100)
  .option('--cursor <cursor>', 'continue from a previous page (nextCursor in --json output)')
  .action(async (opts: { patient?: string; method?: (typeof paymentMethods)[number]; from?: string; to?: string; limit: number; cursor?: string }, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    const page = await api.payments.list.query({ patientId: opts.patient, method: opts.method, from: opts.from, to: opts.to, limit: opts.limit, cursor: opts.cursor });
    printRows(page.items, columns, json, page);
  });

paymentsCommand
  .command('refund')
  .description('refund (part of) a payment: from its credit first, then off the invoices it settled')
  .argument('<paymentId>')
  .requiredOption('--amount <amount>', "in the practice's currency, e.g. 12.50")
  .requiredOption('--reason <text>')
  .addOption(new Option('--method <method>', "how it went back (default: the payment's method)").choices(paymentMethods))
  .option('--external-id <key>', 'idempotency key: a retry with the same key records nothing new')
  .action(async (paymentId: string, opts: { amount: string; reason: string; method?: (typeof paymentMethods)[number]; externalId?: string }, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    const { currency } = await api.practices.current.query();
    const payment = await api.payments.refund.mutate({ paymentId, amount: toMinorUnits(opts.amount, currency), reason: opts.reason, method: opts.method, externalId: opts.externalId });
    printRecord(json ? payment : receipt(payment), json);
  });
