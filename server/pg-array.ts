/**
 * A PostgreSQL array literal, for `= any(?::text[])` and the like: MikroORM's `execute` expands a JS
 * array parameter into a list, so arrays are passed as one literal. Every value is quoted and escaped.
 */
export function pgArray(values: readonly (string | number)[]): string {
  return `{${values.map((v) => `"${String(v).replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}
