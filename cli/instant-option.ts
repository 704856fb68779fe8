import { CliError } from './exit-codes.ts';

/** A date (midnight UTC) or an ISO 8601 instant given to `flag`, as the instant the API takes. */
export function instantOption(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const at = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(at.getTime())) throw new CliError(`${flag}: not a date or date-time: ${value}`);
  return at.toISOString();
}
