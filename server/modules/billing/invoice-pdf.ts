import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import { inflateSync } from 'node:zlib';
import * as fontkit from 'fontkit';
import PDFDocument from 'pdfkit';
import type { InvoiceDocument, PracticeParty, ReceiptDocument } from './invoice-document.ts';
import { formatMoney, formatPercentPpm } from './money-format.ts';

/**
 * The invoice, credit note and receipt PDFs, drawn with pdfkit on A4.
 *
 * Text is set in Noto Sans from @fontsource/noto-sans, whose files are split by script (latin, latin-ext, greek,
 * cyrillic, devanagari, …) with each file's Unicode ranges listed in its unicode.json. pdfkit draws a string in
 * one font, so every string is cut into runs, each in the first file whose ranges hold its characters (a run
 * keeps its file while that file covers the next character, so a Devanagari cluster is shaped as one): names in
 * any of those scripts and the currency signs (₹ ₩ ₺ ₽ ₪ ₫ ₦ ₱ ₴ ₸ ₼ ₾ € £ ¥) are drawn, and pdfkit embeds only
 * the glyphs used. Chinese, Japanese, Korean, Arabic and Hebrew are not in those files (they would show as empty
 * boxes). Every page is laid out by hand, with text never wrapped by pdfkit, so nothing adds a page behind our
 * back: the lines table breaks between rows and repeats its header, and each page gets "Page i of N" (the
 * layout is run once to count the pages, then drawn, each page written out as it is left).
 */

type Weight = 400 | 700;
interface Face {
  name: string;
  file: string;
  ranges: [number, number][];
  /** The font, unpacked from its WOFF and parsed on first use, then shared by every document (parsing one costs milliseconds). */
  font?: fontkit.Font;
}

const require = createRequire(import.meta.url);
const FONT_PACKAGE = '@fontsource/noto-sans';
/** The order in which files are tried for a character; latin first, as it holds the space, digits and punctuation. */
const SUBSETS = ['latin', 'latin-ext', 'greek', 'greek-ext', 'cyrillic', 'cyrillic-ext', 'devanagari', 'vietnamese'];

let facesByWeight: Map<Weight, Face[]> | undefined;
function faces(weight: Weight): Face[] {
  if (!facesByWeight) {
    const unicode = require(`${FONT_PACKAGE}/unicode.json`) as Record<string, string>;
    // "U+0000-00FF,U+0131,…" → [[0x0, 0xff], [0x131, 0x131], …]
    const ranges = (spec: string) =>
      spec.split(',').map((part) => {
        const [from, to = from] = part.trim().slice(2).split('-') as [string, string?];
        return [Number.parseInt(from, 16), Number.parseInt(to, 16)] as [number, number];
      });
    facesByWeight = new Map(
      ([400, 700] as const).map((w) => [
        w,
        SUBSETS.map((subset) => ({
          name: `noto-${subset}-${w}`,
          file: require.resolve(`${FONT_PACKAGE}/files/noto-sans-${subset}-${w}-normal.woff`),
          ranges: ranges(unicode[subset]!),
        })),
      ]),
    );
  }
  return facesByWeight.get(weight)!;
}
/**
 * A WOFF 1 file as the TrueType (sfnt) file it wraps: each table inflated once, natively. Given the WOFF itself,
 * fontkit inflates a table (in JavaScript) every time it reads it, which made a one-page invoice cost 150 ms.
 */
function woffToSfnt(woff: Buffer): Buffer {
  if (woff.toString('latin1', 0, 4) !== 'wOFF') throw new Error('not a WOFF file');
  const count = woff.readUInt16BE(12);
  const tables = Array.from({ length: count }, (_, i) => {
    const at = 44 + i * 20;
    const [offset, compressed, length] = [woff.readUInt32BE(at + 4), woff.readUInt32BE(at + 8), woff.readUInt32BE(at + 12)];
    const raw = woff.subarray(offset, offset + compressed);
    return { tag: woff.subarray(at, at + 4), checksum: woff.readUInt32BE(at + 16), data: compressed < length ? inflateSync(raw) : raw };
  });
  const log2 = Math.floor(Math.log2(count));
  const header = Buffer.alloc(12 + 16 * count);
  header.writeUInt32BE(woff.readUInt32BE(4), 0); // the wrapped font's own version (flavor)
  header.writeUInt16BE(count, 4);
  header.writeUInt16BE(2 ** log2 * 16, 6);
  header.writeUInt16BE(log2, 8);
  header.writeUInt16BE(count * 16 - 2 ** log2 * 16, 10);
  const parts: Buffer[] = [header];
  let offset = header.length;
  tables.forEach((table, i) => {
    const record = 12 + i * 16;
    table.tag.copy(header, record);
    header.writeUInt32BE(table.checksum, record + 4);
    header.writeUInt32BE(offset, record + 8);
    header.writeUInt32BE(table.data.length, record + 12);
    const padded = Buffer.alloc((table.data.length + 3) & ~3);
    table.data.copy(padded);
    parts.push(padded);
    offset += padded.length;
  });
  return Buffer.concat(parts);
}

const covers = (face: Face, cp: number) => face.ranges.some(([from, to]) => cp >= from && cp <= to);

// Noto Sans: ascender 1.069 em, descender 0.293 em.
const ASCENT = 1.069;
const LEADING = 1.36;

const INK = '#1f2933';
const MUTED = '#66707d';
const ACCENT = '#1d4e89';
const RULE = '#d5dbe3';
const FILL = '#eef2f7';

interface Style {
  size: number;
  weight?: Weight;
  color?: string;
}

interface Column {
  header: string;
  width: number;
  align: 'left' | 'right';
}
/** A table cell: its main text (wrapped when left-aligned, shrunk to fit when right-aligned) and an optional muted second line. */
interface Cell {
  text: string;
  sub?: string;
  bold?: boolean;
}

const PAGE = { width: 595.28, height: 841.89 };
const MARGIN = 48;
const LEFT = MARGIN;
const RIGHT = PAGE.width - MARGIN;
const CONTENT = RIGHT - LEFT;
const BOTTOM = PAGE.height - MARGIN - 18;
const TOTALS_WIDTH = 215;
/** The tax breakdown sits left of the totals. */
const BREAKDOWN_WIDTH = CONTENT - TOTALS_WIDTH - 24;
const CELL_X = 5;
const CELL_Y = 4.5;
const BODY = 8.5;
const SMALL = 7.5;

interface SheetOptions {
  info: { title: string; subject: string; author: string; createdAt: string; lang: string };
  /** The line atop every page after the first, left and right. */
  continuation: { left: string; right: string };
  /** The foot of every page, left of "Page i of N". */
  footer: string;
}

/**
 * One PDF being drawn: the text runs across font files, wrapping, tables and page breaks. A sheet with no
 * `pageCount` only measures (it draws nothing), to learn the N of "Page i of N"; the real one then writes each
 * page out as it is left, so memory does not grow with the pages (pdfkit's bufferPages would hold them all).
 */
class Sheet {
  readonly doc: PDFKit.PDFDocument;
  y = MARGIN;
  pages = 1;
  private readonly registered: Set<string>;
  private readonly options: SheetOptions;
  private readonly pageCount: number | null;

  /** A measuring sheet, or the drawing one on the same document (whose fonts and text measures it reuses). */
  constructor(options: SheetOptions, measured?: Sheet) {
    this.options = options;
    this.pageCount = measured ? measured.pages : null;
    this.registered = measured?.registered ?? new Set();
    this.doc = measured?.doc ?? Sheet.open(options);
  }

  private static open({ info }: SheetOptions): PDFKit.PDFDocument {
    const createdAt = new Date(info.createdAt);
    return new PDFDocument({
      size: 'A4',
      margin: MARGIN,
      lang: info.lang,
      displayTitle: true,
      // The title is the document's number: the metadata names no patient.
      info: { Title: info.title, Subject: info.subject, Author: info.author, Creator: 'PAMS', CreationDate: createdAt, ModDate: createdAt },
    });
  }

  private runs(text: string, weight: Weight): { face: Face; text: string }[] {
    const list = faces(weight);
    const out: { face: Face; text: string }[] = [];
    let current: Face | undefined;
    let buffer = '';
    for (const ch of text.normalize('NFC')) {
      const cp = ch.codePointAt(0)!;
      if (current && covers(current, cp)) {
        buffer += ch;
        continue;
      }
      const face = list.find((f) => covers(f, cp)) ?? current ?? list[0]!;
      if (face !== current && buffer) out.push({ face: current!, text: buffer }), (buffer = '');
      current = face;
      buffer += ch;
    }
    if (buffer) out.push({ face: current!, text: buffer });
    return out;
  }

  private use(face: Face, size: number) {
    if (!this.registered.has(face.name)) {
      face.font ??= fontkit.create(woffToSfnt(readFileSync(face.file))) as fontkit.Font;
      // pdfkit takes a parsed fontkit font as it is (its types list only files and bytes).
      this.doc.registerFont(face.name, face.font as unknown as Buffer);
      this.registered.add(face.name);
    }
    this.doc.font(face.name).fontSize(size);
  }

  width(text: string, style: Style): number {
    let w = 0;
    for (const run of this.runs(text, style.weight ?? 400)) this.use(run.face, style.size), (w += this.doc.widthOfString(run.text));
    return w;
  }

  /** One line of text whose box starts at `top`; with `width`, aligned in it, and shrunk (down to 5 pt) rather than overflowing. */
  text(text: string, x: number, top: number, style: Style & { width?: number; align?: 'left' | 'right' | 'center' }): number {
    const clean = text.replace(/\s+/g, ' ');
    let size = style.size;
    let w = this.width(clean, style);
    if (style.width && w > style.width) {
      size = Math.max(5, (size * style.width) / w);
      w = this.width(clean, { ...style, size });
    }
    let cx = x;
    if (style.width && style.align === 'right') cx = x + style.width - w;
    if (style.width && style.align === 'center') cx = x + (style.width - w) / 2;
    if (this.pageCount === null) return w;
    this.doc.fillColor(style.color ?? INK);
    for (const run of this.runs(clean, style.weight ?? 400)) {
      this.use(run.face, size);
      this.doc.text(run.text, cx, top + size * ASCENT, { lineBreak: false, baseline: 'alphabetic' });
      cx += this.doc.widthOfString(run.text);
    }
    return w;
  }

  /** `text` broken into lines no wider than `width`: at spaces, and inside a word (between graphemes) only when the word alone is wider. */
  wrap(text: string, width: number, style: Style): string[] {
    const lines: string[] = [];
    let line = '';
    for (const word of text.split(/\s+/).filter(Boolean)) {
      const candidate = line ? `${line} ${word}` : word;
      if (this.width(candidate, style) <= width) {
        line = candidate;
        continue;
      }
      if (line) lines.push(line);
      line = '';
      if (this.width(word, style) <= width) {
        line = word;
        continue;
      }
      for (const { segment } of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(word)) {
        if (line && this.width(line + segment, style) > width) lines.push(line), (line = '');
        line += segment;
      }
    }
    if (line) lines.push(line);
    return lines;
  }

  /** Wrapped lines drawn from `top`; returns the height used. */
  paragraph(text: string, x: number, top: number, width: number, style: Style): number {
    const lines = this.wrap(text, width, style);
    lines.forEach((line, i) => this.text(line, x, top + i * style.size * LEADING, style));
    return lines.length * style.size * LEADING;
  }

  rule(y: number, from = LEFT, to = RIGHT, color = RULE, width = 0.6) {
    if (this.pageCount === null) return;
    this.doc.moveTo(from, y).lineTo(to, y).lineWidth(width).strokeColor(color).stroke();
  }

  box(x: number, y: number, w: number, h: number, color: string) {
    if (this.pageCount === null) return;
    this.doc.rect(x, y, w, h).fill(color);
  }

  /** A new page, started below a one-line reminder of whose document it is. */
  newPage() {
    this.foot();
    if (this.pageCount !== null) this.doc.addPage();
    this.pages++;
    const { continuation } = this.options;
    this.text(continuation.left, LEFT, MARGIN, { size: SMALL, weight: 700, color: MUTED, width: CONTENT / 2 });
    this.text(continuation.right, LEFT + CONTENT / 2, MARGIN, { size: SMALL, color: MUTED, width: CONTENT / 2, align: 'right' });
    this.rule(MARGIN + 14);
    this.y = MARGIN + 24;
  }

  /** Room for `height` more on this page, or a new page. */
  ensure(height: number) {
    if (this.y + height > BOTTOM) this.newPage();
  }

  private cellLines(cell: Cell, column: Column, size: number): { text: string; style: Style }[] {
    const inner = column.width - 2 * CELL_X;
    const main: Style = { size, weight: cell.bold ? 700 : 400 };
    const sub: Style = { size: SMALL, color: MUTED };
    const mains = column.align === 'left' ? this.wrap(cell.text, inner, main) : [cell.text];
    const subs = cell.sub ? this.wrap(cell.sub, inner, sub) : [];
    return [...mains.map((text) => ({ text, style: main })), ...subs.map((text) => ({ text, style: sub }))];
  }

  /**
   * A table from `x`, its header on a tinted band, rows split by hairlines. A row never breaks across pages: the
   * next page repeats the header (and `onNewPage` may draw above it first).
   */
  table(columns: Column[], rows: Cell[][], x = LEFT, size = BODY) {
    const total = columns.reduce((w, c) => w + c.width, 0);
    const headerHeight = SMALL * LEADING + 2 * CELL_Y;
    const header = () => {
      this.box(x, this.y, total, headerHeight, FILL);
      let cx = x;
      for (const c of columns) {
        this.text(c.header, cx + CELL_X, this.y + CELL_Y, { size: SMALL, weight: 700, color: MUTED, width: c.width - 2 * CELL_X, align: c.align });
        cx += c.width;
      }
      this.y += headerHeight;
    };
    rows.forEach((row, r) => {
      const cells = row.map((cell, i) => this.cellLines(cell, columns[i]!, size));
      const height = Math.max(...cells.map((lines) => lines.reduce((h, l) => h + l.style.size * LEADING, 0))) + 2 * CELL_Y;
      if (r === 0) this.ensure(headerHeight + height), header();
      else if (this.y + height > BOTTOM) this.newPage(), header();
      let cx = x;
      cells.forEach((lines, i) => {
        const column = columns[i]!;
        let top = this.y + CELL_Y;
        for (const line of lines) {
          this.text(line.text, cx + CELL_X, top, { ...line.style, width: column.width - 2 * CELL_X, align: column.align });
          top += line.style.size * LEADING;
        }
        cx += column.width;
      });
      this.y += height;
      this.rule(this.y, x, x + total);
    });
  }

  /** The document's name and "Page i of N" at the foot of the current page, before it is left. */
  private foot() {
    if (this.pageCount === null) return;
    const y = PAGE.height - MARGIN + 2;
    this.rule(y - 6);
    this.text(this.options.footer, LEFT, y, { size: SMALL, color: MUTED, width: CONTENT * 0.7 });
    this.text(`Page ${this.pages} of ${this.pageCount}`, LEFT + CONTENT * 0.7, y, { size: SMALL, color: MUTED, width: CONTENT * 0.3, align: 'right' });
  }

  end(): Readable {
    this.foot();
    this.doc.end();
    return this.doc as unknown as Readable;
  }
}

/** Lays the document out once to count its pages, then draws it; drawn at once (so it throws here), read at leisure. */
function renderPdf(options: SheetOptions, draw: (sheet: Sheet) => void): Readable {
  const measure = new Sheet(options);
  draw(measure);
  const sheet = new Sheet(options, measure);
  draw(sheet);
  return sheet.end();
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();
function dateFormat(locale: string, timeZone: string): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}`;
  let format = dateFormats.get(key);
  if (!format) dateFormats.set(key, (format = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone })));
  return format;
}
const formatInstant = (iso: string, locale: string, timeZone: string) => dateFormat(locale, timeZone).format(new Date(iso));
/** A calendar date `YYYY-MM-DD`, shown as that day whatever the zone. */
const formatDate = (date: string, locale: string) => dateFormat(locale, 'UTC').format(new Date(`${date}T00:00:00Z`));

/** The practice on the left, the title, number and dates on the right; then the parties. Leaves `sheet.y` below them. */
function drawHeader(sheet: Sheet, practice: PracticeParty, title: string, number: string, facts: [string, string][]) {
  const top = MARGIN;
  const leftWidth = CONTENT * 0.56;
  let y = top;
  y += sheet.paragraph(practice.name, LEFT, y, leftWidth, { size: 15, weight: 700, color: ACCENT }) + 3;
  const contact = [...practice.addressLines, [practice.phone, practice.email].filter(Boolean).join('  ·  ')].filter(Boolean);
  for (const line of contact) y += sheet.paragraph(line, LEFT, y, leftWidth, { size: BODY, color: MUTED });
  if (practice.taxId) {
    const label = `${practice.taxId.label} `;
    const w = sheet.text(label, LEFT, y + 2, { size: BODY, weight: 700, color: INK });
    sheet.text(practice.taxId.value, LEFT + w, y + 2, { size: BODY, color: INK });
    y += BODY * LEADING + 2;
  }

  const rightX = LEFT + CONTENT * 0.6;
  const rightWidth = RIGHT - rightX;
  let ry = top - 2;
  sheet.text(title.toUpperCase(), rightX, ry, { size: 20, weight: 700, color: ACCENT, width: rightWidth, align: 'right' });
  ry += 20 * LEADING;
  sheet.text(number, rightX, ry, { size: 11, weight: 700, width: rightWidth, align: 'right' });
  ry += 11 * LEADING + 6;
  for (const [label, value] of facts) {
    sheet.text(label, rightX, ry, { size: BODY, color: MUTED, width: rightWidth * 0.45 });
    sheet.text(value, rightX + rightWidth * 0.45, ry, { size: BODY, width: rightWidth * 0.55, align: 'right' });
    ry += BODY * LEADING + 1;
  }
  sheet.y = Math.max(y, ry) + 14;
  sheet.rule(sheet.y, LEFT, RIGHT, RULE, 0.8);
  sheet.y += 14;
}

/** Side-by-side blocks under small capital labels ("BILL TO", "PATIENT"): a bold name, then muted lines. */
function drawParties(sheet: Sheet, blocks: { label: string; name: string; lines: string[] }[]) {
  const width = CONTENT / blocks.length - 12;
  const top = sheet.y;
  let bottom = top;
  blocks.forEach((block, i) => {
    const x = LEFT + i * (width + 24);
    let y = top;
    sheet.text(block.label.toUpperCase(), x, y, { size: SMALL, weight: 700, color: ACCENT });
    y += SMALL * LEADING + 2;
    y += sheet.paragraph(block.name, x, y, width, { size: 10, weight: 700 });
    for (const line of block.lines) y += sheet.paragraph(line, x, y, width, { size: BODY, color: MUTED });
    bottom = Math.max(bottom, y);
  });
  sheet.y = bottom + 18;
}

function drawNotes(sheet: Sheet, notes: string | undefined) {
  if (!notes?.trim()) return;
  sheet.y += 10;
  sheet.ensure(SMALL * LEADING + BODY * LEADING * 2);
  sheet.text('NOTES', LEFT, sheet.y, { size: SMALL, weight: 700, color: ACCENT });
  sheet.y += SMALL * LEADING + 2;
  for (const paragraph of notes.split(/\r?\n/)) {
    for (const line of sheet.wrap(paragraph, CONTENT, { size: BODY })) {
      sheet.ensure(BODY * LEADING);
      sheet.text(line, LEFT, sheet.y, { size: BODY, color: INK });
      sheet.y += BODY * LEADING;
    }
  }
}

/** Label and amount rows, right-aligned in a block at the right; `strong` rows are bold, `band` ones on a tint. */
function drawTotals(sheet: Sheet, top: number, rows: { label: string; value: string; strong?: boolean; band?: boolean; ruleAbove?: boolean }[]): number {
  const width = TOTALS_WIDTH;
  const x = RIGHT - width;
  let y = top;
  for (const row of rows) {
    const size = row.strong ? 10 : BODY;
    const height = size * LEADING + 6;
    if (row.band) sheet.box(x, y, width, height, FILL);
    if (row.ruleAbove) sheet.rule(y, x, RIGHT, INK, 0.8);
    const style = { size, weight: (row.strong ? 700 : 400) as Weight, color: row.strong ? INK : MUTED };
    sheet.text(row.label, x + CELL_X, y + 3, { ...style, width: width * 0.5 });
    sheet.text(row.value, x + width * 0.5, y + 3, { ...style, color: INK, width: width * 0.5 - CELL_X, align: 'right' });
    y += height;
  }
  return y - top;
}

const totalsHeight = (rows: { strong?: boolean }[]) => rows.reduce((h, r) => h + (r.strong ? 10 : BODY) * LEADING + 6, 0);

/** An invoice or a credit note as a PDF stream; drawn at once (it throws here on a bad currency or amount), read at leisure. */
export function renderInvoicePdf(invoice: InvoiceDocument): Readable {
  const locale = invoice.locale ?? 'en';
  const money = (minor: number) => formatMoney(minor, invoice.currency, locale);
  const credit = invoice.kind === 'credit-note';
  const title = credit ? 'Credit note' : 'Invoice';
  const options: SheetOptions = {
    info: { title: invoice.number, subject: title, author: invoice.practice.name, createdAt: invoice.issuedAt, lang: locale },
    continuation: { left: invoice.practice.name, right: `${title} ${invoice.number} (continued)` },
    footer: `${invoice.practice.name}  ·  ${title} ${invoice.number}`,
  };
  return renderPdf(options, (sheet) => {
    const facts: [string, string][] = [['Issued', formatInstant(invoice.issuedAt, locale, invoice.practice.timeZone)]];
    if (invoice.dueAt) facts.push(['Due', formatDate(invoice.dueAt, locale)]);
    if (invoice.relatedNumber) facts.push([credit ? 'Credits invoice' : 'Related', invoice.relatedNumber]);
    facts.push(['Currency', invoice.currency.toUpperCase()]);
    drawHeader(sheet, invoice.practice, title, invoice.number, facts);

    const billTo = [...(invoice.billTo.onBehalfOf ? [`On behalf of ${invoice.billTo.onBehalfOf}`] : []), ...invoice.billTo.addressLines];
    const patient = invoice.patient.dateOfBirth ? [`Date of birth ${formatDate(invoice.patient.dateOfBirth, locale)}`] : [];
    drawParties(sheet, [
      { label: credit ? 'Credit to' : 'Bill to', name: invoice.billTo.name, lines: billTo },
      { label: 'Patient', name: invoice.patient.name, lines: patient },
    ]);

    sheet.table(
      [
        { header: 'Description', width: 165, align: 'left' },
        { header: 'Qty', width: 30, align: 'right' },
        { header: 'Unit price', width: 62, align: 'right' },
        { header: 'Discount', width: 56, align: 'right' },
        { header: 'Net', width: 62, align: 'right' },
        { header: 'Tax', width: 60, align: 'right' },
        { header: 'Total', width: CONTENT - 435, align: 'right' },
      ],
      invoice.lines.map((line) => [
        { text: line.description, sub: line.serviceCode },
        { text: String(line.quantity) },
        { text: money(line.unitPrice) },
        { text: line.discount === 0 ? '–' : money(-line.discount) },
        { text: money(line.net) },
        { text: money(line.tax), sub: line.taxRateName },
        { text: money(line.total), bold: true },
      ]),
    );

    const totals = credit
      ? [
          { label: 'Subtotal', value: money(invoice.subtotal) },
          { label: 'Tax', value: money(invoice.taxTotal) },
          { label: 'Total credit', value: money(invoice.total), strong: true, ruleAbove: true, band: true },
        ]
      : [
          { label: 'Subtotal', value: money(invoice.subtotal) },
          { label: 'Tax', value: money(invoice.taxTotal) },
          { label: 'Total', value: money(invoice.total), strong: true, ruleAbove: true },
          { label: 'Amount paid', value: money(invoice.amountPaid) },
          { label: 'Balance due', value: money(invoice.balance), strong: true, band: true },
        ];
    const breakdownRowHeight = BODY * LEADING + 2 * CELL_Y;
    const breakdownHeight = invoice.taxBreakdown.length ? 14 + (invoice.taxBreakdown.length + 1) * breakdownRowHeight : 0;
    sheet.y += 14;
    sheet.ensure(Math.max(breakdownHeight, totalsHeight(totals)));
    const top = sheet.y;
    const totalsUsed = drawTotals(sheet, top, totals);
    if (invoice.taxBreakdown.length) {
      sheet.text('TAX BREAKDOWN', LEFT, top, { size: SMALL, weight: 700, color: ACCENT });
      sheet.y = top + 14;
      sheet.table(
        [
          { header: 'Rate', width: 76, align: 'left' },
          { header: 'Component', width: 70, align: 'left' },
          { header: 'Taxable', width: 60, align: 'right' },
          { header: 'Tax', width: BREAKDOWN_WIDTH - 206, align: 'right' },
        ],
        invoice.taxBreakdown.map((row) => [{ text: row.rateName }, { text: `${row.component} ${formatPercentPpm(row.ratePpm, locale)}` }, { text: money(row.taxable) }, { text: money(row.tax) }]),
      );
    }
    sheet.y = Math.max(sheet.y, top + totalsUsed);
    drawNotes(sheet, invoice.notes);
  });
}

/** A receipt for one payment as a PDF stream: what was received, how, and which invoices it paid. */
export function renderReceiptPdf(receipt: ReceiptDocument): Readable {
  const locale = receipt.locale ?? 'en';
  const money = (minor: number) => formatMoney(minor, receipt.currency, locale);
  const options: SheetOptions = {
    info: { title: receipt.number, subject: 'Receipt', author: receipt.practice.name, createdAt: receipt.paidAt, lang: locale },
    continuation: { left: receipt.practice.name, right: `Receipt ${receipt.number} (continued)` },
    footer: `${receipt.practice.name}  ·  Receipt ${receipt.number}`,
  };
  return renderPdf(options, (sheet) => {
    const facts: [string, string][] = [
      ['Paid', formatInstant(receipt.paidAt, locale, receipt.practice.timeZone)],
      ['Method', receipt.method],
    ];
    if (receipt.reference) facts.push(['Reference', receipt.reference]);
    drawHeader(sheet, receipt.practice, 'Receipt', receipt.number, facts);
    drawParties(sheet, [{ label: 'Received from', name: receipt.payer.name, lines: receipt.payer.addressLines }]);

    const band = 16 * LEADING + 16;
    sheet.box(LEFT, sheet.y, CONTENT, band, FILL);
    sheet.text('Amount received', LEFT + 12, sheet.y + 8 + (16 - 10) * LEADING * 0.6, { size: 10, color: MUTED });
    sheet.text(money(receipt.amount), LEFT + CONTENT / 2, sheet.y + 8, { size: 16, weight: 700, width: CONTENT / 2 - 12, align: 'right' });
    sheet.y += band + 18;

    const rows: Cell[][] = receipt.allocations.map((a) => [{ text: `Invoice ${a.invoiceNumber}` }, { text: money(a.amount) }]);
    if (receipt.credit) rows.push([{ text: 'Left on account as credit' }, { text: money(receipt.credit) }]);
    if (rows.length) {
      sheet.text('APPLIED TO', LEFT, sheet.y, { size: SMALL, weight: 700, color: ACCENT });
      sheet.y += 14;
      sheet.table(
        [
          { header: 'Item', width: CONTENT - 140, align: 'left' },
          { header: 'Amount', width: 140, align: 'right' },
        ],
        rows,
      );
    }
    drawNotes(sheet, receipt.notes);
  });
}
