import { trace } from '@opentelemetry/api';
import { pino, type Logger } from 'pino';
import type { Config } from './config.ts';

export type { Logger };

const noSpan = {};

/** The ids of the span a line is logged in (the request's, a procedure's), so a log line leads to its trace. */
function spanIds(): { traceId?: string; spanId?: string } {
  const span = trace.getActiveSpan();
  if (!span) return noSpan;
  const { traceId, spanId } = span.spanContext();
  return { traceId, spanId };
}

/**
 * The one root logger. Redaction is a safety net: code never logs PHI, tokens or secrets on purpose.
 * With tracing on, every line carries `traceId` and `spanId`; off, no mixin runs at all.
 */
export function createLogger(config: Pick<Config, 'logLevel' | 'tracing'>, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level: config.logLevel,
      base: undefined,
      ...(config.tracing && { mixin: spanIds }),
      redact: {
        paths: ['password', '*.password', 'token', '*.token', 'authorization', '*.authorization', 'cookie', '*.cookie', 'secret', '*.secret'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
