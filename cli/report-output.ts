import { stringify } from 'csv-stringify/sync';
import { printJson, printRows, type Column } from './output.ts';

export type ReportFormat = { json?: boolean; csv?: boolean };

/** A report as a table for people, CSV (header row, RFC 4180 quoting) for spreadsheets, or JSON. */
export function printReport<T>(rows: readonly T[], columns: Column<T>[], format: ReportFormat, raw: unknown): void {
  if (format.json) return printJson(raw);
  if (format.csv) {
    process.stdout.write(stringify([columns.map((c) => c.header), ...rows.map((r) => columns.map((c) => c.value(r) ?? ''))]));
    return;
  }
  printRows(rows, columns, false);
}
