import { z } from 'zod';
import { ConfigError } from '../config-error.ts';

/**
 * The OpenTelemetry SDK's own variables that turn tracing on and name the service. The SDK reads the
 * rest of its OTEL_* variables itself (headers, sampler, batch sizes); these two decide whether it is
 * loaded at all, before the configuration proper is parsed (config.ts reads them through here too).
 */
const tracingEnvSchema = z.object({
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
});

export type TracingOptions = { serviceName: string };

/** Tracing's settings when OTEL_EXPORTER_OTLP_ENDPOINT is set, else null (tracing off). */
export function tracingOptions(env: Record<string, string | undefined>, defaultServiceName: string): TracingOptions | null {
  const parsed = tracingEnvSchema.safeParse({ OTEL_EXPORTER_OTLP_ENDPOINT: env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined, OTEL_SERVICE_NAME: env.OTEL_SERVICE_NAME || undefined });
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  const { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SERVICE_NAME: serviceName } = parsed.data;
  return endpoint ? { serviceName: serviceName ?? defaultServiceName } : null;
}
