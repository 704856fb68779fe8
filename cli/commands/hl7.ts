import { InvalidArgumentError, Option, type Command } from 'commander';
import { createServer, type Socket } from 'node:net';
import { MllpDecoder, mllpFrame } from '../../shared/hl7-framing.ts';
import { createCommand, remote, type GlobalOptions } from '../command.ts';

export const hl7Command = createCommand('hl7').description('HL7 v2 interfaces');

const port = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number');
  return n;
};

/**
 * An MLLP listener for interface engines. It forwards each message to the server's `hl7.receive` (with
 * this command's API token), so the rules are those of `pams import hl7` and POST /hl7/v2, and answers
 * with the ACK. Messages of one connection are applied in order. When the server cannot be reached, the
 * connection is closed without an ACK, so the engine sends the message again later.
 */
hl7Command
  .command('listen')
  .description('listen for HL7 v2 messages over MLLP and answer each with its ACK (forwarded to the PAMS server)')
  .addOption(new Option('--port <port>', 'TCP port').default(2575).argParser(port))
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .action(async (opts: { port: number; host: string }, cmd: Command) => {
    const { api, url } = remote(cmd.optsWithGlobals<GlobalOptions>());
    const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
    const serve = (socket: Socket) => {
      const decoder = new MllpDecoder();
      let queue = Promise.resolve();
      socket.on('data', (chunk) => {
        for (const message of decoder.push(chunk)) {
          queue = queue.then(async () => {
            try {
              const result = await api.hl7.receive.mutate({ message });
              // Control id, type and code only: the message itself is PHI.
              log(`${result.controlId ?? '-'} ${result.messageType ?? '-'} ${result.ackCode}${result.errorLocation ? ` ${result.errorLocation}` : ''}`);
              if (!socket.destroyed) socket.write(mllpFrame(result.ack));
            } catch (e) {
              log(`no ACK sent, connection closed: ${(e as Error).message.split('\n')[0]}`);
              socket.destroy();
            }
          });
        }
      });
      socket.on('error', () => socket.destroy());
    };
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket.once('close', () => sockets.delete(socket)));
      serve(socket);
    });
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(opts.port, opts.host, resolve));
    const address = server.address();
    log(`listening for MLLP on ${opts.host}:${typeof address === 'object' && address ? address.port : opts.port}, forwarding to ${url}`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        server.close(() => resolve());
        for (const socket of sockets) socket.end();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  });
