import { z } from 'zod';
import { ConfigError } from '../config-error.ts';

/**
 * The OpenTelemetry SDK's own variables that turn tracing on and name the service: part of config.ts's
 * schema, and read here on their own too, since they decide whether the SDK is loaded before the
 * configuration proper is parsed. The SDK reads the rest of its OTEL_* variables itself (headers,
 * sampler, batch sizes).
 */
export const tracingEnvShape = {
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
};
const tracingEnvSchema = z.object(tracingEnvShape);

export type TracingOptions = { serviceName: string };

/** Tracing's settings when OTEL_EXPORTER_OTLP_ENDPOINT is set, else null (tracing off). An empty value counts as unset. */
export function tracingOptions(env: Record<string, string | undefined>, defaultServiceName: string): TracingOptions | null {
  const parsed = tracingEnvSchema.safeParse({ OTEL_EXPORTER_OTLP_ENDPOINT: env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined, OTEL_SERVICE_NAME: env.OTEL_SERVICE_NAME || undefined });
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  const { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SERVICE_NAME: serviceName } = parsed.data;
  return endpoint ? { serviceName: serviceName ?? defaultServiceName } : null;
}
