import { tracingOptions } from './tracing-config.ts';

/**
 * Runs a long-lived process (`pams serve`, `pams worker`) traced when OTEL_EXPORTER_OTLP_ENDPOINT is
 * set. The SDK is imported only then, and before `run` imports the server (and with it `pg` and
 * `node:http`), so the instrumentations see them load; unset, not one OpenTelemetry SDK module is loaded.
 * Once `run` has shut down, the spans still buffered are flushed.
 */
export async function withTracing<T>(defaultServiceName: string, run: () => Promise<T>, env: Record<string, string | undefined> = process.env): Promise<T> {
  const options = tracingOptions(env, defaultServiceName);
  if (!options) return run();
  const { startTracing } = await import('./tracing.ts');
  const stop = await startTracing(options);
  try {
    return await run();
  } finally {
    await stop();
  }
}
