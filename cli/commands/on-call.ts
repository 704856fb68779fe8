import type { Command } from 'commander';
import type { OnCallShift } from '../../shared/schemas/sos.ts';
import type { RouterOutputs } from '../../shared/client.ts';
import { createCommand, remote, type GlobalOptions } from '../command.ts';
import { CliError } from '../exit-codes.ts';
import { printJson, printRows, type Column } from '../output.ts';

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** `mon 09:00-17:00 <clinician-id>` (or weekday 1-7): one shift, as `--shift` takes it; the server checks the times and the clinician. */
function parseShift(value: string, shifts: OnCallShift[] = []): OnCallShift[] {
  const match = /^(\w+)\s+(\d{1,2}:\d{2})-(\d{1,2}:\d{2})\s+(\S+)$/.exec(value.trim());
  const weekday = match && (WEEKDAYS.indexOf(match[1]!.slice(0, 3).toLowerCase()) + 1 || Number(match[1]));
  if (!match || !Number.isInteger(weekday) || weekday! < 1 || weekday! > 7) {
    throw new CliError(`--shift "${value}": expected "<weekday> <HH:MM>-<HH:MM> <clinician-id>", e.g. "mon 09:00-17:00 0193…", the weekday mon-sun or 1-7`);
  }
  const pad = (time: string) => time.padStart(5, '0');
  return [...shifts, { weekday: weekday!, start: pad(match[2]!), end: pad(match[3]!), clinicianId: match[4]! }];
}

type Roster = RouterOutputs['onCall']['list'];
type ShiftRow = Roster['shifts'][number] & { now: boolean };
const columns: Column<ShiftRow>[] = [
  { header: 'weekday', value: (s) => WEEKDAYS[s.weekday - 1]! },
  { header: 'start', value: (s) => s.start },
  { header: 'end', value: (s) => s.end },
  { header: 'clinician', value: (s) => s.clinicianId },
  { header: 'on call now', value: (s) => (s.now ? 'yes' : '') },
];

function printRoster(roster: Roster, json: boolean) {
  if (json) return printJson(roster);
  const now = new Set(roster.onCallNow);
  printRows(
    roster.shifts.map((s) => ({ ...s, now: now.has(s.clinicianId) })),
    columns,
    false,
  );
  console.log(`Times are in ${roster.timeZone}. ${roster.onCallNow.length ? `On call now: ${roster.onCallNow.join(', ')}.` : "No one is on call now: an SOS goes to the patient's care team."}`);
}

export const onCallCommand = createCommand('on-call').description('the weekly on-call roster: who receives SOS requests first');

onCallCommand
  .command('list')
  .description('the roster, and who is on call now')
  .action(async (_opts: unknown, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    printRoster(await api.onCall.list.query(), json);
  });

onCallCommand
  .command('set')
  .description("replace the whole roster (admin); a night shift is two, split at midnight: 'mon 18:00-24:00 ID' and 'tue 00:00-08:00 ID'")
  .option('--shift <shift>', 'a shift, "<weekday> <HH:MM>-<HH:MM> <clinician-id>" in the practice\'s time zone; repeat for each', parseShift)
  .option('--clear', "no one on call: every SOS goes to the patient's care team")
  .action(async (opts: { shift?: OnCallShift[]; clear?: boolean }, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    if (!opts.shift && !opts.clear) throw new CliError('Pass the roster as --shift options (one each), or --clear to empty it');
    if (opts.shift && opts.clear) throw new CliError('--clear empties the roster: pass it without --shift');
    printRoster(await api.onCall.set.mutate({ shifts: opts.shift ?? [] }), json);
  });
