import { pino, type Logger } from 'pino';
import type { Config } from './config.ts';

export type { Logger };

/** The one root logger. Redaction is a safety net: code never logs PHI, tokens or secrets on purpose. */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level: config.logLevel,
      base: undefined,
      redact: {
        paths: ['password', '*.password', 'token', '*.token', 'authorization', '*.authorization', 'cookie', '*.cookie', 'secret', '*.secret'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
