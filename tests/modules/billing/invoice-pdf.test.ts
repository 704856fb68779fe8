import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import type { InvoiceDocument } from '../../../server/modules/billing/invoice-document.ts';
import { renderInvoicePdf, renderReceiptPdf } from '../../../server/modules/billing/invoice-pdf.ts';
import { creditNote, gstInvoice, longInvoice, practice, receipt } from './invoice-samples.ts';

/**
 * The PDFs read back the way a person or a script would: the text through poppler's pdftotext (Debian's
 * poppler-utils, which .ci/run installs), page 1 drawn to PNG by pdftoppm. Without poppler these skip, and say so.
 */
const poppler = (() => {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    execFileSync('pdftoppm', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!poppler) console.warn("No pdftotext/pdftoppm found (install Debian's `poppler-utils`): the invoice PDF tests are skipped.");

const dir = mkdtempSync(path.join(tmpdir(), 'pams-invoice-pdf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bytes = async (stream: Readable) => Buffer.concat(await stream.toArray());
let count = 0;
/** The PDF written to a file, and its text as pdftotext lays it out (pages split by form feeds). */
async function render(stream: Readable) {
  const pdf = await bytes(stream);
  const file = path.join(dir, `doc-${++count}.pdf`);
  writeFileSync(file, pdf);
  const text = execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  const info = execFileSync('pdfinfo', ['-enc', 'UTF-8', file], { encoding: 'utf8' });
  return { pdf, file, text, info, pages: text.split('\f').filter((p) => p.trim()) };
}
/** The layout line holding `needle`, its runs of spaces made one (a table row reads as one line). */
function lineWith(text: string, needle: string): string {
  const line = text
    .split('\n')
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .find((l) => l.includes(needle));
  expect(line, `no line holds ${JSON.stringify(needle)}`).toBeDefined();
  return line!;
}

describe.skipIf(!poppler)('the invoice PDF', () => {
  it('shows the practice, number, parties, every line, the GST split into CGST and SGST, and the totals exactly', async () => {
    const { text, info, pages } = await render(renderInvoicePdf(gstInvoice));
    expect(pages).toHaveLength(1);
    expect(text).toContain('INVOICE');
    expect(text).toContain('INV-2026-000123');
    expect(text).toContain('Sanjeevani Physiotherapy & Rehab');
    expect(text).toContain('GSTIN 29ABCDE1234F1Z5');
    expect(text).toContain('billing@sanjeevani.example');
    expect(lineWith(text, 'Issued')).toContain('Mar 12, 2026');
    expect(lineWith(text, 'Due')).toContain('Mar 26, 2026');
    expect(text).toContain('On behalf of José Núñez');
    expect(lineWith(text, 'Date of birth')).toContain('Jul 4, 1961');

    expect(lineWith(text, 'Physiotherapy session, 45 minutes')).toContain('3 ₹1,500.00 -₹500.00 ₹4,000.00 ₹720.00 ₹4,720.00');
    expect(text).toContain('(knee rehabilitation)');
    expect(lineWith(text, 'Hinged knee brace, size M')).toContain('1 ₹2,499.00 – ₹2,499.00 ₹299.88 ₹2,798.88');
    expect(lineWith(text, 'Consultation, Dr. Élodie Marchand')).toContain('1 ₹800.00 – ₹800.00 ₹0.00 ₹800.00');
    expect(lineWith(text, 'HSN 9021')).toContain('GST 12%');

    const breakdown = text.split('\n').filter((l) => /[CS]GST \d/.test(l));
    expect(breakdown.map((l) => l.replace(/\s+/g, ' ').match(/GST \d+% [CS]GST \d+% ₹[\d,.]+ ₹[\d,.]+/)?.[0])).toEqual([
      'GST 18% CGST 9% ₹4,000.00 ₹360.00',
      'GST 18% SGST 9% ₹4,000.00 ₹360.00',
      'GST 12% CGST 6% ₹2,499.00 ₹149.94',
      'GST 12% SGST 6% ₹2,499.00 ₹149.94',
    ]);

    expect(lineWith(text, 'Subtotal')).toMatch(/Subtotal ₹7,299\.00$/);
    expect(lineWith(text, 'Tax ₹')).toMatch(/Tax ₹1,019\.88$/);
    expect(lineWith(text, 'Total ₹')).toMatch(/Total ₹8,318\.88$/);
    expect(lineWith(text, 'Amount paid')).toMatch(/Amount paid ₹3,000\.00$/);
    expect(lineWith(text, 'Balance due')).toMatch(/Balance due ₹5,318\.88$/);
    expect(text).toContain('quoting the invoice number.');
    expect(lineWith(text, 'Page 1 of 1')).toContain('Sanjeevani Physiotherapy & Rehab Clinic · Invoice INV-2026-000123');

    // The metadata names the document, and no patient.
    expect(info).toMatch(/^Title:\s+INV-2026-000123$/m);
    expect(info).toMatch(/^Subject:\s+Invoice$/m);
    expect(info).toMatch(/^CreationDate:.*2026/m);
    expect(info).not.toMatch(/Núñez|Ananya|José/);
  });

  it('draws names in Latin with accents, Greek, Cyrillic and Devanagari, and the rupee sign, as text that reads back', async () => {
    const names: InvoiceDocument = {
      ...gstInvoice,
      practice: { ...practice, name: 'Κλινική Ωμέγα · Клиника Омега' },
      billTo: { name: 'Françoise Łukasiewicz-Øster', addressLines: ['Straße 5, Zürich'] },
      patient: { name: 'अनन्या राव' },
      notes: 'Ελληνικά, русский, हिन्दी: ₹ € £ ¥ ₩ ₺ ₽ ₪ ₫',
    };
    const { text } = await render(renderInvoicePdf(names));
    for (const s of ['Κλινική Ωμέγα · Клиника Омега', 'Françoise Łukasiewicz-Øster', 'Straße 5, Zürich', 'अनन्या राव', 'Ελληνικά, русский', '₹ € £ ¥ ₩ ₺ ₽ ₪ ₫']) expect(text).toContain(s);
  });

  it('titles a credit note, names the invoice it credits, and shows its negative amounts', async () => {
    const { text, info } = await render(renderInvoicePdf(creditNote));
    expect(text).toContain('CREDIT NOTE');
    expect(text).toContain('CN-2026-000007');
    expect(lineWith(text, 'Credits invoice')).toContain('INV-2026-000123');
    expect(text).toContain('CREDIT TO');
    expect(lineWith(text, 'Physiotherapy session')).toContain('1 -₹1,500.00 – -₹1,500.00 -₹270.00 -₹1,770.00');
    expect(lineWith(text, 'CGST 9%')).toContain('-₹1,500.00 -₹135.00');
    expect(lineWith(text, 'SGST 9%')).toContain('-₹1,500.00 -₹135.00');
    expect(lineWith(text, 'Total credit')).toMatch(/Total credit -₹1,770\.00$/);
    expect(text).not.toContain('Balance due');
    expect(info).toMatch(/^Title:\s+CN-2026-000007$/m);
    expect(info).toMatch(/^Subject:\s+Credit note$/m);
  });

  it('repeats the table header on a second page and numbers the pages "Page i of 2"', async () => {
    const { text, pages } = await render(renderInvoicePdf(longInvoice(30)));
    expect(pages).toHaveLength(2);
    pages.forEach((page, i) => {
      expect(page).toMatch(/Description\s+Qty\s+Unit price\s+Discount\s+Net\s+Tax\s+Total/);
      expect(page).toContain(`Page ${i + 1} of 2`);
    });
    expect(pages[1]).toContain('Invoice INV-2026-000030 (continued)');
    // Every row once, in order, none cut in two by the page break.
    const rows = [...text.matchAll(/Session (\d+) of 30, physiotherapy\s+(\d+)/g)];
    expect(rows.map((m) => Number(m[1]))).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(rows.every((m) => m[1] === m[2])).toBe(true);
    expect(lineWith(pages[1]!, 'Session 30 of 30')).toContain('₹30,000.00 ₹5,400.00 ₹35,400.00');
    expect(lineWith(pages[1]!, 'Balance due')).toMatch(/Balance due ₹548,700\.00$/);
  });

  it('renders 1,000 lines on many pages, in bounded time and size', async () => {
    const invoice = longInvoice(1000);
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    const pdf = await bytes(renderInvoicePdf(invoice));
    const ms = performance.now() - started;
    const heapAfter = process.memoryUsage().heapUsed;
    const file = path.join(dir, 'thousand.pdf');
    writeFileSync(file, pdf);
    const pageCount = Number(execFileSync('pdfinfo', [file], { encoding: 'utf8' }).match(/^Pages:\s+(\d+)/m)![1]);
    console.log(`1,000 lines: ${pageCount} pages, ${(pdf.length / 1024).toFixed(0)} KiB, ${ms.toFixed(0)} ms, heap +${((heapAfter - heapBefore) / 2 ** 20).toFixed(0)} MiB`);
    expect(pageCount).toBeGreaterThan(30);
    expect(pdf.length).toBeLessThan(2 * 2 ** 20);
    expect(ms).toBeLessThan(15_000);
    const last = execFileSync('pdftotext', ['-layout', '-f', String(pageCount), '-l', String(pageCount), file, '-'], { encoding: 'utf8' });
    expect(last).toContain(`Page ${pageCount} of ${pageCount}`);
    expect(last).toContain('Balance due');
  });

  it('is the same bytes for the same document (the dates come from the document, not the clock)', async () => {
    expect((await bytes(renderInvoicePdf(gstInvoice))).equals(await bytes(renderInvoicePdf(gstInvoice)))).toBe(true);
  });

  it('refuses a bad currency or an amount that is not an integer of minor units, before any byte is written', () => {
    expect(() => renderInvoicePdf({ ...gstInvoice, currency: 'RUPEES' })).toThrow(RangeError);
    expect(() => renderInvoicePdf({ ...gstInvoice, total: 8318.88 })).toThrow(RangeError);
  });

  it('fits an amount too wide for its column by shrinking it, every digit kept', async () => {
    const huge = { ...gstInvoice.lines[0]!, total: Number.MAX_SAFE_INTEGER };
    const { text } = await render(renderInvoicePdf({ ...gstInvoice, lines: [huge] }));
    expect(text).toContain('₹90,071,992,547,409.91');
  });

  it('draws page 1 as an A4 page with ink on it (UPDATE_INVOICE_EXAMPLE=1 keeps it as the README’s example)', async () => {
    const { file } = await render(renderInvoicePdf(gstInvoice));
    const prefix = path.join(dir, 'page');
    execFileSync('pdftoppm', ['-png', '-r', '100', '-f', '1', '-l', '1', '-singlefile', file, prefix]);
    const png = readFileSync(`${prefix}.png`);
    expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
    const meta = await sharp(png).metadata();
    // A4 is 595.28 × 841.89 pt: at 100 dpi, 826.8 × 1169.3 pixels, which pdftoppm rounds up.
    expect([meta.width, meta.height]).toEqual([827, 1170]);
    const { channels } = await sharp(png).stats();
    const gray = channels[0]!;
    expect(gray.min).toBeLessThan(80); // dark text is drawn
    expect(gray.mean).toBeGreaterThan(200); // on a mostly white page
    expect(gray.mean).toBeLessThan(252);
    if (process.env.UPDATE_INVOICE_EXAMPLE === '1') {
      const example = path.resolve('tests/fixtures/billing/invoice-example.png');
      mkdirSync(path.dirname(example), { recursive: true });
      copyFileSync(`${prefix}.png`, example);
      console.log(`invoice example: ${example}`);
    }
  });
});

describe.skipIf(!poppler)('the receipt PDF', () => {
  it('shows the payment, its method and reference, the payer, and what it paid', async () => {
    const { text, info, pages } = await render(renderReceiptPdf(receipt));
    expect(pages).toHaveLength(1);
    expect(text).toContain('RECEIPT');
    expect(text).toContain('RCT-2026-000051');
    expect(text).toContain('Sanjeevani Physiotherapy & Rehab');
    expect(lineWith(text, 'Paid')).toContain('Mar 14, 2026');
    expect(lineWith(text, 'Method')).toContain('UPI');
    expect(lineWith(text, 'Reference')).toContain('406512345678');
    expect(text).toContain('अनन्या राव (Ananya Rao)');
    expect(lineWith(text, 'Amount received')).toMatch(/Amount received ₹6,000\.00$/);
    expect(lineWith(text, 'Invoice INV-2026-000123')).toMatch(/₹5,318\.88$/);
    expect(lineWith(text, 'Left on account as credit')).toMatch(/₹681\.12$/);
    expect(text).toContain('Page 1 of 1');
    expect(info).toMatch(/^Title:\s+RCT-2026-000051$/m);
    expect(info).not.toMatch(/Ananya|अनन्या/);
  });
});
