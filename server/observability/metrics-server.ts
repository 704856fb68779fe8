import { serve } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { hashSecret, secretMatches } from '../auth/secret-token.ts';
import type { Config } from '../config.ts';
import { presentedCredential } from '../context.ts';
import type { Logger } from '../logger.ts';
import { closeHttpServer } from '../shutdown.ts';

/** GET /metrics: the registry in Prometheus' text format. */
export const scrape = (registry: Registry) =>
  async function metrics(c: Context) {
    return c.body(await registry.metrics(), 200, { 'content-type': registry.contentType });
  };

/**
 * GET /metrics on the public port, only when METRICS_TOKEN is set (else there is no such route: 404),
 * and only with `Authorization: Bearer <token>`, compared in constant time (as every secret of PAMS).
 */
export function publicMetricsRoutes(registry: Registry, token: string | undefined) {
  const app = new Hono();
  if (!token) return app;
  const expected = hashSecret(token);
  const answer = scrape(registry);
  return app.get('/metrics', async (c) => {
    const { bearer } = presentedCredential(c);
    if (bearer && secretMatches(bearer, expected)) return answer(c);
    return c.json({ error: 'unauthorized' }, 401, { 'www-authenticate': 'Bearer' });
  });
}

/**
 * The metrics listener (METRICS_HOST:METRICS_PORT, loopback by default, no credential): GET /metrics and
 * GET /healthz, for Prometheus and for a health check of `pams worker`, which has no other port.
 * Resolves once listening, with its URL (the port chosen when METRICS_PORT is 0).
 */
export async function startMetricsServer(registry: Registry, { host, port }: { host: string; port: number }): Promise<{ server: Server; url: string }> {
  const app = new Hono()
    .get('/metrics', scrape(registry))
    .get('/healthz', (c) => c.json({ status: 'ok' }))
    .notFound((c) => c.json({ error: 'not found' }, 404));
  const server = serve({ fetch: app.fetch, port, hostname: host }) as Server;
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const address = server.address() as AddressInfo;
  return { server, url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}` };
}

/**
 * `pams serve`'s and `pams worker`'s metrics listener, when METRICS_PORT is set (its URL printed); the
 * function it returns closes it (allowing `timeoutMs` for scrapes in flight), and does nothing when it is off.
 */
export async function openMetricsListener(
  registry: Registry,
  { host, port }: Config['metrics'],
  { print, log, timeoutMs }: { print: (line: string) => void; log: Logger; timeoutMs: number },
): Promise<() => Promise<void>> {
  if (port === undefined) return async () => {};
  const listener = await startMetricsServer(registry, { host, port });
  print(`Metrics on ${listener.url}/metrics`);
  return () => closeHttpServer(listener.server, timeoutMs, log);
}
