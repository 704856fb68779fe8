import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { register } from 'node:module';
import { redactingExporter } from './span-redaction.ts';
import type { TracingOptions } from './tracing-config.ts';

/** How long the last spans may take to reach the collector on shutdown: with it down the SDK would wait ~8.5 s before giving up. */
const FLUSH_TIMEOUT_MS = 2_000;

/** Probes and scrapes, every few seconds: spans of their own would drown the requests'. */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** The SDK's complaints (an export that failed, a collector that is away) on stderr: stdout carries the JSON log alone. */
const stderrDiag: DiagLogger = {
  error: (message, ...args) => process.stderr.write(`tracing: ${message} ${args.map(String).join(' ')}\n`),
  warn: (message, ...args) => process.stderr.write(`tracing: ${message} ${args.map(String).join(' ')}\n`),
  info: () => {},
  debug: () => {},
  verbose: () => {},
};

/**
 * Starts the OpenTelemetry SDK: HTTP server spans, PostgreSQL spans (the ORM's pool and the side pool
 * alike), sent as OTLP/HTTP JSON to OTEL_EXPORTER_OTLP_ENDPOINT. Must run before anything imports `pg`
 * or `node:http`. Returns the function that flushes and stops it, bounded by FLUSH_TIMEOUT_MS.
 *
 * `pg` is CommonJS and its ESM entry `require`s the files the instrumentation patches, so
 * require-in-the-middle sees it as it is. `node:http` imported from ESM (Hono's node server) never goes
 * through `require`: without import-in-the-middle's loader hook no request would get a span. The hook is
 * limited to `http`, so the rest of the module graph loads as before.
 */
export async function startTracing({ serviceName }: TracingOptions): Promise<() => Promise<void>> {
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, { data: { include: ['node:http', 'http'] } });
  diag.setLogger(stderrDiag, DiagLogLevel.WARN);
  const sdk = new NodeSDK({
    serviceName,
    traceExporter: await redactingExporter(new OTLPTraceExporter()),
    // Traces only: metrics are prom-client's, and logs go to stdout.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.has(req.url?.split('?')[0] ?? '') }),
      // Statement values never leave the process (enhancedDatabaseReporting stays off); see span-redaction.ts.
      new PgInstrumentation(),
    ],
  });
  sdk.start();
  return async () => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, FLUSH_TIMEOUT_MS)));
    await Promise.race([sdk.shutdown().catch((e: unknown) => stderrDiag.warn(`shutdown failed: ${e}`)), deadline]);
    clearTimeout(timer);
  };
}
