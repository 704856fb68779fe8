import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The instruments PAMS records into as it works: HTTP requests, tRPC calls, reminders sent. One registry
 * for the process, as prom-client's instruments are meant to be: the recording sites (a Hono middleware,
 * a tRPC middleware, job code) are everywhere and write only, so they import these rather than carry
 * them through every Ctx and JobDeps. What is read from this process's parts at scrape time (pools, the
 * queue, open streams) is registered per process by metrics-gauges.ts, beside these.
 * Names are fixed (the dashboard reads them): README, Metrics.
 */
export const instruments = new Registry();

export const httpRequestDuration = new Histogram({
  name: 'pams_http_request_duration_seconds',
  help: 'HTTP requests by method, Hono route pattern and status, from the first middleware until the response is ready',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [instruments],
});

export const httpRequestsInFlight = new Gauge({ name: 'pams_http_requests_in_flight', help: 'HTTP requests being answered now', registers: [instruments] });

export const httpRequestsQueued = new Gauge({ name: 'pams_http_requests_queued', help: 'API calls waiting for their turn (REQUESTS_ACTIVE_MAX at work already)', registers: [instruments] });

export const httpRequestsShed = new Counter({
  name: 'pams_http_requests_shed_total',
  help: 'API calls answered 503 overloaded: they waited REQUESTS_QUEUE_MS, or found REQUESTS_QUEUE_MAX waiting',
  registers: [instruments],
});

export const procedureDuration = new Histogram({
  name: 'pams_procedure_duration_seconds',
  help: 'tRPC calls (not subscriptions) by procedure, type and outcome (OK or the tRPC error code)',
  labelNames: ['procedure', 'type', 'code'] as const,
  registers: [instruments],
});

export const reminderLag = new Histogram({
  name: 'pams_reminder_lag_seconds',
  help: "From a reminder's time (the plan item's time of day in the patient's zone) until it was sent, by channel",
  labelNames: ['channel'] as const,
  // A sweep a minute keeps it under ~60 s; the long buckets are catch-ups after downtime.
  buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 24 * 3600],
  registers: [instruments],
});

type Child = Histogram.Internal<string>;

/**
 * A histogram's child for three label values, kept in nested maps: prom-client's `labels()` builds a
 * label object and a hash string on every call, and these are observed on every request. Callers pass
 * only values from bounded sets (route patterns, known procedures, codes), so the maps stay small.
 */
export function childrenOf(histogram: Histogram<string>): (a: string, b: string, c: string | number) => Child {
  const root = new Map<string, Map<string, Map<string | number, Child>>>();
  return (a, b, c) => {
    let byB = root.get(a);
    if (!byB) root.set(a, (byB = new Map()));
    let byC = byB.get(b);
    if (!byC) byB.set(b, (byC = new Map()));
    let child = byC.get(c);
    if (!child) byC.set(c, (child = histogram.labels(a, b, String(c))));
    return child;
  };
}
