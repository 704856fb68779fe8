import { InvalidArgumentError, Option, type Command } from 'commander';
import { createServer, type Socket } from 'node:net';
import { MllpDecoder, mllpFrame } from '../../shared/hl7-framing.ts';
import { HL7_MAX_BATCH_MESSAGES } from '../../shared/schemas/hl7.ts';
import { createCommand, remote, type GlobalOptions } from '../command.ts';

export const hl7Command = createCommand('hl7').description('HL7 v2 interfaces');

const milliseconds = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a number of milliseconds');
  return n;
};

const port = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number');
  return n;
};

/** Bytes of messages one call carries at most (unless one message alone is larger): far below HL7_BODY_LIMIT_MB, also when the client batches the calls of several connections. */
const BATCH_BYTES = 256 * 1024;

/** Takes the first waiting messages for one call: at least one, at most HL7_MAX_BATCH_MESSAGES and BATCH_BYTES. */
function nextBatch(waiting: string[]): string[] {
  let n = 1;
  let bytes = Buffer.byteLength(waiting[0]!);
  while (n < waiting.length && n < HL7_MAX_BATCH_MESSAGES && (bytes += Buffer.byteLength(waiting[n]!)) <= BATCH_BYTES) n++;
  return waiting.splice(0, n);
}

/**
 * An MLLP listener for interface engines. It forwards the messages to the server's `hl7.receiveBatch` (with
 * this command's API token), so the rules are those of `pams import hl7` and POST /hl7/v2, and answers
 * each with its ACK. Messages of one connection are applied in order: one call at a time, carrying the
 * messages that arrived while the last one was under way. When the server cannot be reached (or
 * its database is away: a 503), the connection is closed without an ACK, so the engine sends the message
 * again later. On SIGINT/SIGTERM it stops accepting, lets each connection's messages in flight get their
 * ACK (up to --shutdown-timeout), then closes; a second signal exits at once.
 */
hl7Command
  .command('listen')
  .description('listen for HL7 v2 messages over MLLP and answer each with its ACK (forwarded to the PAMS server)')
  .addOption(new Option('--port <port>', 'TCP port').default(2575).argParser(port))
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .addOption(new Option('--shutdown-timeout <ms>', 'on SIGINT/SIGTERM, how long messages in flight may take to be answered').default(10_000).argParser(milliseconds))
  .action(async (opts: { port: number; host: string; shutdownTimeout: number }, cmd: Command) => {
    const { api, url } = remote(cmd.optsWithGlobals<GlobalOptions>());
    const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
    const inFlight = new Map<Socket, Promise<void>>();
    const serve = (socket: Socket) => {
      const decoder = new MllpDecoder();
      const waiting: string[] = [];
      let pumping: Promise<void> | null = null;
      // One call at a time per connection, so its messages are applied in order; what arrived meanwhile goes in the next call.
      const pump = async () => {
        while (waiting.length && !socket.destroyed) {
          const messages = nextBatch(waiting);
          try {
            const { results, stopped } = await api.hl7.receiveBatch.mutate({ messages });
            for (const result of results) {
              // Control id, type and code only: the message itself is PHI.
              log(`${result.controlId ?? '-'} ${result.messageType ?? '-'} ${result.ackCode}${result.errorLocation ? ` ${result.errorLocation}` : ''}`);
              if (!socket.destroyed) socket.write(mllpFrame(result.ack));
            }
            if (stopped) throw new Error(stopped);
          } catch (e) {
            log(`no ACK sent, connection closed: ${(e as Error).message.split('\n')[0]}`);
            waiting.length = 0; // applied later, in order, when the engine sends them again
            socket.destroy();
          }
        }
        pumping = null;
      };
      socket.on('data', (chunk) => {
        waiting.push(...decoder.push(chunk));
        if (waiting.length && !pumping) inFlight.set(socket, (pumping = pump()));
      });
      socket.on('error', () => socket.destroy());
    };
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket.once('close', () => (sockets.delete(socket), inFlight.delete(socket))));
      serve(socket);
    });
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(opts.port, opts.host, resolve));
    const address = server.address();
    log(`listening for MLLP on ${opts.host}:${typeof address === 'object' && address ? address.port : opts.port}, forwarding to ${url}`);
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      const first = (s: NodeJS.Signals) => {
        process
          .off('SIGINT', first)
          .off('SIGTERM', first)
          .once('SIGINT', () => process.exit(1))
          .once('SIGTERM', () => process.exit(1));
        resolve(s);
      };
      process.on('SIGINT', first).on('SIGTERM', first);
    });
    log(`${signal}: shutting down`);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled(inFlight.values()), new Promise((resolve) => (timer = setTimeout(resolve, opts.shutdownTimeout)))]);
    clearTimeout(timer);
    for (const socket of sockets) socket.end(() => socket.destroy()); // once the last ACK is flushed
    await closed;
    log('stopped');
  });
