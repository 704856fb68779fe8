import { Option, type Command } from 'commander';
import type { RouterOutputs } from '../../shared/client.ts';
import { manualPaymentMethods, paymentMethods } from '../../shared/schemas/billing.ts';
import { createCommand, remote, type GlobalOptions } from '../command.ts';
import { currencyOf, formatAmount, parseAmount } from '../money.ts';
import { printRecord, printRows, type Column } from '../output.ts';
import { writePdfFile } from '../pdf-file.ts';

type Payment = RouterOutputs['payments']['byId'];

/** 1250 in EUR as "12.50 EUR". */
const formatted = (minor: number, p: Pick<Payment, 'currency' | 'currencyDigits'>) => `${formatAmount(minor, p.currencyDigits)} ${p.currency}`;

const columns: Column<Payment>[] = [
  { header: 'id', value: (p) => p.id },
  { header: 'receipt', value: (p) => p.number },
  { header: 'received', value: (p) => p.receivedAt },
  { header: 'method', value: (p) => p.method },
  { header: 'amount', value: (p) => formatted(p.amount, p) },
  { header: 'credit', value: (p) => formatted(p.credit, p) },
  { header: 'refunded', value: (p) => formatted(p.refunded, p) },
];

const receipt = (p: Payment) => ({
  receipt: p.number,
  id: p.id,
  amount: formatted(p.amount, p),
  method: p.method,
  from: p.payer.name,
  allocated: p.allocations.map((a) => `${a.invoiceNumber} ${formatted(a.amount, p)}`).join(', ') || '(none)',
  credit: formatted(p.credit, p),
  refunded: formatted(p.refunded, p),
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
      const { digits } = await currencyOf(api);
      const amount = parseAmount(opts.amount, digits);
      let left = amount;
      const allocations = [];
      for (const spec of opts.invoice) {
        const [invoiceId = '', share] = spec.split('=');
        const invoiceAmount = share === undefined ? Math.min(left, (await api.invoices.byId.query({ id: invoiceId })).balance) : parseAmount(share, digits);
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
    const { digits } = await currencyOf(api);
    const payment = await api.payments.refund.mutate({ paymentId, amount: parseAmount(opts.amount, digits), reason: opts.reason, method: opts.method, externalId: opts.externalId });
    printRecord(json ? payment : receipt(payment), json);
  });

paymentsCommand
  .command('receipt')
  .description("a payment's receipt as a PDF, written to --out (mode 0600: it names the payer)")
  .argument('<paymentId>')
  .requiredOption('--out <file>', 'where to write it')
  .option('--force', 'replace the file if it exists')
  .action(async (paymentId: string, opts: { out: string; force?: boolean }, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    writePdfFile(opts, json, await api.payments.receipt.query({ id: paymentId }));
  });
