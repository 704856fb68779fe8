import type { Server } from 'node:http';
import type { Logger } from './logger.ts';

/**
 * Resolves with the first SIGINT or SIGTERM. Listen first thing, before the database opens: a signal
 * during start-up then shuts down cleanly once started, instead of killing the process and leaving the
 * embedded PostgreSQL behind. A second signal while shutting down exits at once (code 1): an operator
 * who presses Ctrl-C twice means it.
 */
export function shutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const first = (signal: NodeJS.Signals) => {
      process.off('SIGINT', first).off('SIGTERM', first);
      process.once('SIGINT', forced).once('SIGTERM', forced);
      resolve(signal);
    };
    const forced = (signal: NodeJS.Signals) => {
      process.stderr.write(`${signal} again: exiting without a clean shutdown\n`);
      process.exit(1);
    };
    process.on('SIGINT', first).on('SIGTERM', first);
  });
}

/**
 * Stops accepting connections and lets requests in flight finish, for up to `timeoutMs`; then cuts off
 * whatever is still open. Keep-alive connections are closed as soon as they fall idle.
 */
export async function closeHttpServer(server: Server, timeoutMs: number, log: Logger): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  const idle = setInterval(() => server.closeIdleConnections(), 100);
  server.closeIdleConnections();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  if ((await Promise.race([closed, deadline])) === 'timeout') {
    log.warn({ timeoutMs }, 'requests still running at the shutdown deadline: closing their connections');
    server.closeAllConnections();
    await closed;
  }
  clearTimeout(timer);
  clearInterval(idle);
}
