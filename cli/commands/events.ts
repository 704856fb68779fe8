import type { Command } from 'commander';
import type { NotificationKind, PracticeEventOutput } from '../../shared/schemas/notifications.ts';
import { createCommand, remote, type GlobalOptions } from '../command.ts';
import { CliError, ExitCode } from '../exit-codes.ts';

/** One line for people: when, what, about which row, and its ids (events carry no PHI). */
function line(e: PracticeEventOutput): string {
  const fields = Object.entries(e.data as Record<string, unknown>).map(([k, v]) => `${k}=${v}`);
  return [e.createdAt, e.kind, `${e.subject.type}/${e.subject.id}`, ...(e.patientId ? [`patient=${e.patientId}`] : []), ...fields, `recipients=${e.recipientIds.length}`].join('  ');
}

/**
 * `pams events tail`: the practice's events as they happen (notifications.practiceStream), one a line or one
 * JSON object a line. The subscription link reconnects by itself when the connection drops, resuming after
 * the last event it received; a refusal (not an admin, a revoked token) ends the command with its exit code,
 * SIGINT or SIGTERM with 0. Status lines go to stderr, so stdout holds only events.
 */
const tail = createCommand('tail')
  .description("print your practice's events as they happen, until Ctrl-C (admin)")
  .option('--kinds <kinds>', 'only these kinds, comma-separated, e.g. appointment.booked,sos.raised')
  .action(async (opts: { kinds?: string }, cmd: Command) => {
    const { api, url, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    const kinds = opts.kinds
      ?.split(',')
      .map((k) => k.trim())
      .filter(Boolean) as NotificationKind[] | undefined; // the server checks them: an unknown kind is BAD_REQUEST
    let connected = false;
    await new Promise<void>((resolve, reject) => {
      let sub: { unsubscribe: () => void } | undefined;
      const finish = (error?: unknown) => {
        process.off('SIGINT', stop).off('SIGTERM', stop);
        sub?.unsubscribe();
        if (error) reject(error);
        else resolve();
      };
      const stop = () => finish();
      sub = api.notifications.practiceStream.subscribe(kinds ? { kinds } : {}, {
        onStarted: () => {
          process.stderr.write(`${connected ? 'reconnected' : 'connected'} to ${url}: watching the practice's events (Ctrl-C to stop)\n`);
          connected = true;
        },
        onData: ({ data }) => process.stdout.write(`${json ? JSON.stringify(data) : line(data)}\n`),
        onConnectionStateChange: (state) => {
          if (state.state !== 'connecting' || !state.error) return;
          // Never reached: as any other command, exit; once connected, wait for the server to come back.
          if (!connected) return finish(new CliError(`Cannot reach the PAMS server: ${state.error.message}`, ExitCode.unreachable));
          process.stderr.write(`connection lost (${state.error.message}): reconnecting\n`);
        },
        onError: (error) => finish(error),
      });
      process.on('SIGINT', stop).on('SIGTERM', stop);
    });
  });

export const eventsCommand = createCommand('events').description("your practice's live events (admin)").addCommand(tail);
