import Table from 'cli-table3';

export type Column<T> = { header: string; value: (row: T) => string | number | boolean | null | undefined };

/** Every command prints through here: a table (or key/value lines) for people, JSON with --json. */
export function printRows<T>(rows: readonly T[], columns: Column<T>[], json: boolean, raw: unknown = rows): void {
  if (json) return printJson(raw);
  if (rows.length === 0) return void process.stdout.write('(none)\n');
  const table = new Table({ head: columns.map((c) => c.header), style: { head: [], border: [] } });
  for (const row of rows) table.push(columns.map((c) => String(c.value(row) ?? '')));
  process.stdout.write(`${table.toString()}\n`);
}

export function printRecord(record: Record<string, unknown>, json: boolean): void {
  if (json) return printJson(record);
  const width = Math.max(...Object.keys(record).map((k) => k.length));
  for (const [k, v] of Object.entries(record)) process.stdout.write(`${k.padEnd(width)}  ${v ?? ''}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
