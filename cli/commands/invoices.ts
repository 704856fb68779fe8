import { Option, type Command } from 'commander';
import { invoiceStatuses, type InvoiceStatus } from '../../shared/schemas/billing.ts';
import type { RouterOutputs } from '../../shared/client.ts';
import { createCommand, remote, type GlobalOptions } from '../command.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import { formatAmount } from '../money.ts';
import { printRecord, printRows, type Column } from '../output.ts';
import { refuseToReplace, writePdfFile } from '../pdf-file.ts';
import { uuid } from '../../shared/schemas/common.ts';

type Invoice = RouterOutputs['invoices']['byId'];

const money = (i: Invoice, amount: number) => `${formatAmount(amount, i.currencyDigits)} ${i.currency}`;

const columns: Column<Invoice>[] = [
  { header: 'id', value: (i) => i.id },
  { header: 'number', value: (i) => i.number ?? '(draft)' },
  { header: 'status', value: (i) => i.status },
  { header: 'patient', value: (i) => i.patientId },
  { header: 'issued', value: (i) => i.issuedAt?.slice(0, 10) },
  { header: 'total', value: (i) => money(i, i.total) },
  { header: 'balance', value: (i) => money(i, i.balance) },
];

const lineColumns = (i: Invoice): Column<Invoice['lines'][number]>[] => [
  { header: 'line', value: (l) => l.id },
  { header: 'code', value: (l) => l.serviceCode },
  { header: 'service', value: (l) => l.serviceName },
  { header: 'qty', value: (l) => l.quantity },
  { header: 'unit price', value: (l) => formatAmount(l.unitPrice, i.currencyDigits) },
  { header: 'discount', value: (l) => formatAmount(l.discount, i.currencyDigits) },
  { header: 'tax rate', value: (l) => l.taxRateName ?? 'exempt' },
  { header: 'net', value: (l) => formatAmount(l.net, i.currencyDigits) },
  { header: 'tax', value: (l) => formatAmount(l.tax, i.currencyDigits) },
  { header: 'total', value: (l) => formatAmount(l.total, i.currencyDigits) },
];

/** An invoice for people: its header, its lines, its tax by component; the whole DTO with --json. */
function printInvoice(i: Invoice, json: boolean): void {
  if (json) return printRecord(i, true);
  printRecord(
    {
      id: i.id,
      number: i.number ?? '(draft)',
      status: i.status,
      patient: i.patientId,
      billTo: [i.billTo.kind, i.billTo.name].filter(Boolean).join(': '),
      issued: i.issuedAt,
      due: i.dueAt,
      subtotal: money(i, i.subtotal),
      tax: [money(i, i.tax), ...i.taxSummary.map((c) => `${c.name} ${formatAmount(c.tax, i.currencyDigits)}`)].join('  '),
      total: money(i, i.total),
      paid: money(i, i.amountPaid),
      balance: money(i, i.balance),
      ...(i.status === 'void' && { voided: `${i.voidedAt} (${i.voidReason})`, creditNote: i.creditNote ? `${i.creditNote.number} ${money(i, i.creditNote.total)}` : '(a discarded draft)' }),
    },
    false,
  );
  printRows(i.lines, lineColumns(i), false);
}

export const invoicesCommand = createCommand('invoices').description('bill patients (admin): draft from their uninvoiced charges, issue with the next number, void with a credit note');

type ListOptions = { patient?: string; status?: InvoiceStatus; limit: number; cursor?: string };

invoicesCommand
  .command('list')
  .description('invoices, newest first')
  .option('--patient <id>', "one patient's")
  .addOption(new Option('--status <status>', 'only these').choices(invoiceStatuses))
  .option('--limit <n>', 'rows per page (1-100)', (v) => Number(v), 25)
  .option('--cursor <cursor>', 'continue from a previous page (nextCursor in --json output)')
  .action(async (opts: ListOptions, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    const page = await api.invoices.list.query({ patientId: opts.patient, status: opts.status, limit: opts.limit, cursor: opts.cursor });
    printRows(page.items, columns, json, page);
  });

invoicesCommand
  .command('show')
  .description('one invoice, with its lines and tax')
  .argument('<id>', 'the invoice')
  .action(async (id: string, _opts, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    printInvoice(await api.invoices.byId.query({ id }), json);
  });

type DraftOptions = { empty?: boolean; billToGuardian?: string; billToOrganisation?: string };

invoicesCommand
  .command('draft')
  .description('a draft for a patient, with all their uninvoiced charges as its lines')
  .argument('<patientId>', 'the patient')
  .option('--empty', 'without the charges, to build by hand')
  .option('--bill-to-guardian <patientId>', "address it to a guardian of the patient (the guardian's own patient record)")
  .option('--bill-to-organisation <id>', 'address it to an organisation (an insurer, an employer)')
  .action(async (patientId: string, opts: DraftOptions, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    if (opts.billToGuardian && opts.billToOrganisation) throw new CliError('Address it to a guardian or an organisation, not both');
    const billTo = opts.billToGuardian
      ? { kind: 'guardian' as const, guardianPatientId: opts.billToGuardian }
      : opts.billToOrganisation
        ? { kind: 'organisation' as const, organisationId: opts.billToOrganisation }
        : { kind: 'patient' as const };
    printInvoice(await api.invoices.createDraft.mutate({ patientId, billTo, fromCharges: !opts.empty }), json);
  });

invoicesCommand
  .command('issue')
  .description('issue a draft: it takes the next invoice number and can no longer change')
  .argument('<id>', 'the draft')
  .action(async (id: string, _opts, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    printInvoice(await api.invoices.issue.mutate({ id }), json);
  });

invoicesCommand
  .command('void')
  .description('void an issued invoice with a credit note, or discard a draft; its charges can be billed again')
  .argument('<id>', 'the invoice')
  .requiredOption('--reason <text>', 'why (kept on the invoice and its credit note)')
  .action(async (id: string, opts: { reason: string }, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    printInvoice(await api.invoices.void.mutate({ id, reason: opts.reason }), json);
  });

type PdfOptions = { out: string; force?: boolean; creditNote?: boolean };

invoicesCommand
  .command('pdf')
  .description('the PDF of an issued invoice (or of its credit note), written to --out (mode 0600: it names the patient)')
  .argument('<id|number>', "the invoice's id, or its number (e.g. INV-2026-000123)")
  .requiredOption('--out <file>', 'where to write it')
  .option('--force', 'replace the file if it exists')
  .option('--credit-note', 'the credit note that voided the invoice')
  .action(async (ref: string, opts: PdfOptions, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    refuseToReplace(opts);
    const id = uuid.safeParse(ref).success ? ref : (await api.invoices.list.query({ number: ref, limit: 1 })).items[0]?.id;
    if (!id) throw new CliError(`No invoice numbered ${ref}`, ExitCode.notFoundOrConflict);
    writePdfFile(opts, json, await api.invoices.pdf.query({ id, document: opts.creditNote ? 'credit-note' : 'invoice' }));
  });
