import { PostgresNotificationChannel } from '@agendajs/postgres-backend';
import type pg from 'pg';
import { reconnectDelayMs } from './database.ts';
import type { Logger } from './logger.ts';

/**
 * Agenda's LISTEN/NOTIFY channel on PostgreSQL, made to live through a database restart or failover.
 * The library's channel emits 'error' on itself with no listener (which ends the process), retries every
 * 100 ms without backing off (its connect() resets the attempt count), and keeps a connection checked
 * out of the pool when LISTEN fails after the connect succeeded. Here the loss and the recovery are logged
 * once each, retries back off up to 5 s and go on for as long as it takes, and such a connection is given
 * back. NOTIFYs sent while disconnected are lost: Agenda's polling (processEvery) finds those jobs.
 */
export class ListenChannel extends PostgresNotificationChannel {
  #failures = 0;
  #closed = false;

  constructor(pool: pg.Pool, log: Logger) {
    super({ pool, reconnect: { enabled: true } });
    let previous = this.state as string;
    this.on('error', (err: Error) => log.debug({ err: { name: err.name, code: (err as { code?: string }).code } }, 'job notification channel error'));
    this.on('stateChange', (state: string) => {
      if (state === 'reconnecting' && previous === 'connected') log.warn('job notifications: connection lost, reconnecting (jobs are still found by polling)');
      if (state === 'connected' && previous === 'reconnecting') log.info({ attempts: this.#failures }, 'job notifications: reconnected');
      if (state === 'connected') this.#failures = 0;
      previous = state;
    });
  }

  override async connect(): Promise<void> {
    this.#closed = false;
    await super.connect();
  }

  override async disconnect(): Promise<void> {
    this.#closed = true;
    await super.disconnect();
  }

  protected override scheduleReconnect(): void {
    // The LISTEN connection of a failed connect() (the library's field) goes back to the pool, destroyed.
    const self = this as unknown as { listenClient?: pg.PoolClient };
    self.listenClient?.release(true);
    self.listenClient = undefined;
    if (this.#closed) return;
    clearTimeout(this.reconnectTimeout);
    const delay = reconnectDelayMs(this.#failures++);
    this.setState('reconnecting');
    this.reconnectTimeout = setTimeout(() => {
      this.connect().catch(() => {}); // reported through 'error' by connect() itself, and retried
    }, delay);
  }
}
