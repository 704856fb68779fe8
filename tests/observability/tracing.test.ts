import { readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPamsClient } from '../../shared/client.ts';
import { demoLogins, DEMO_PASSWORD } from '../../server/demo-seed.ts';
import { createTestDatabase, TEST_ENCRYPTION_KEY } from '../harness.ts';
import { startPams, type PamsProcess } from '../pams-process.ts';

/**
 * Traces from real `pams serve` processes, sent to an OTLP/HTTP receiver in this test (the exporter
 * posts JSON to /v1/traces): a tRPC call's HTTP server span, the procedure's span under it, the pg spans
 * of both pools in the same trace, and no PHI in any of them; the request's log line carries the trace id
 * and the caller's ids. Unset, no OpenTelemetry SDK module is even loaded (a resolve hook preloaded into
 * the child lists what it loads). A collector that is down breaks no request, and SIGTERM still stops
 * the server promptly (the last flush is bounded).
 */
type OtlpValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean };
type OtlpSpan = {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: OtlpValue }[];
  status?: { code?: number; message?: string };
};
type ExportRequest = {
  resourceSpans: { resource: { attributes: { key: string; value: OtlpValue }[] }; scopeSpans: { scope: { name: string }; spans: OtlpSpan[] }[] }[];
};
type Span = OtlpSpan & { scope: string; service: string | undefined };

const SERVER = 2; // SpanKind.SERVER in OTLP (SPAN_KIND_SERVER)
const SHUTDOWN_TIMEOUT_MS = 3_000;
const MODULE_PRELOAD = path.join(import.meta.dirname, 'module-log.mjs');

const attr = (span: OtlpSpan, key: string) => {
  const v = span.attributes.find((a) => a.key === key)?.value;
  return v?.stringValue ?? v?.intValue ?? v?.boolValue;
};

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let collector: Server;
let collectorUrl: string;
const bodies: string[] = [];
const spans: Span[] = [];
const moduleLogs: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  collector = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') {
        bodies.push(body);
        for (const rs of (JSON.parse(body) as ExportRequest).resourceSpans) {
          const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue;
          for (const ss of rs.scopeSpans) for (const s of ss.spans) spans.push({ ...s, scope: ss.scope.name, service });
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  collectorUrl = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => collector?.close(resolve));
  await db?.drop();
  await Promise.all(moduleLogs.map((f) => rm(f, { force: true })));
});

function serveEnv(extra: Record<string, string>, moduleLog: string) {
  moduleLogs.push(moduleLog);
  return {
    DATABASE_URL: db.url,
    PAMS_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEY,
    PORT: '0',
    LOG_LEVEL: 'info',
    SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    OTEL_BSP_SCHEDULE_DELAY: '100', // spans leave within 0.1 s, not the default 5 s
    NODE_OPTIONS: `--import=${MODULE_PRELOAD}`,
    PAMS_TEST_MODULE_LOG: moduleLog,
    ...extra,
  };
}

const moduleLogPath = (name: string) => path.join(tmpdir(), `pams-tracing-${process.pid}-${name}.log`);
const loadedOtelModules = async (file: string) => (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean);

/** The JSON log lines the process has written to stdout. */
const logLines = (p: PamsProcess): Record<string, unknown>[] =>
  p
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));

async function waitUntil<T>(find: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function loginAsClinician(url: string) {
  const { token } = await createPamsClient({ url }).auth.login.mutate({ email: demoLogins[1].email, password: DEMO_PASSWORD });
  const api = createPamsClient({ url, token });
  const me = await api.auth.me.query();
  return { api, userId: me.user.id, practiceId: me.practice.id };
}

describe('tracing', () => {
  it('traces a tRPC call: HTTP server span, the procedure span under it, pg spans of both pools; its log line carries the trace and the caller ids', async () => {
    const moduleLog = moduleLogPath('on');
    const serve = startPams(['serve', '--demo'], serveEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl }, moduleLog));
    try {
      const url = (await serve.waitFor(/listening on (http:\/\/[\d.:]+)/, 60_000))[1]!;
      await serve.waitFor(/Demo (data created|logins)/);
      const { api, userId, practiceId } = await loginAsClinician(url);
      const familyName = `Tracingsurname${Date.now()}`;
      await api.patients.create.mutate({ givenName: 'Quillon', familyName, birthDate: '1971-03-04', gender: 'unknown' });
      await expect(api.patients.byId.query({ id: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });

      const call = await waitUntil(() => spans.find((s) => s.name === 'trpc patients.create'), 'the procedure span');
      expect(call.service).toBe('pams');
      expect(call.scope).toBe('pams');
      expect(attr(call, 'rpc.system')).toBe('trpc');
      expect(attr(call, 'rpc.method')).toBe('patients.create');
      expect(attr(call, 'rpc.trpc.type')).toBe('mutation');
      expect(attr(call, 'error.type')).toBeUndefined();

      const http = await waitUntil(() => spans.find((s) => s.spanId === call.parentSpanId), 'the HTTP span over the procedure');
      expect(http).toMatchObject({ traceId: call.traceId, kind: SERVER, scope: '@opentelemetry/instrumentation-http', name: 'POST' });
      expect(attr(http, 'url.path')).toBe('/trpc/patients.create');
      expect(attr(http, 'http.response.status_code')).toBe(200);

      // The ORM's queries (the insert) under the procedure; the side pool's credential lookup (createContext) under the HTTP span.
      const pgSpans = await waitUntil(() => {
        const inTrace = spans.filter((s) => s.traceId === call.traceId && s.scope === '@opentelemetry/instrumentation-pg' && attr(s, 'db.query.text'));
        return inTrace.some((s) => s.parentSpanId === call.spanId && /^insert into "patient"/.test(String(attr(s, 'db.query.text')))) && inTrace.some((s) => s.parentSpanId === http.spanId)
          ? inTrace
          : undefined;
      }, 'pg spans of both pools in the trace');
      for (const s of pgSpans) expect(attr(s, 'db.system.name')).toBe('postgresql');
      // MikroORM inlines the values into its SQL: the exported text is normalised, constants as $n.
      const insert = pgSpans.find((s) => /^insert into "patient"/.test(String(attr(s, 'db.query.text'))))!;
      expect(attr(insert, 'db.query.text')).toMatch(/values \(\$1, \$2/);

      const failed = await waitUntil(() => spans.find((s) => s.name === 'trpc patients.byId'), 'the failed call span');
      expect(attr(failed, 'error.type')).toBe('NOT_FOUND');
      expect(attr(failed, 'rpc.trpc.type')).toBe('query');
      expect(failed.status?.code ?? 0).toBe(0); // a caller's error, not a server fault

      // No PHI in what left the process: the patient's name and birth date, the email, the query strings.
      const exported = bodies.join('\n');
      for (const phi of [familyName, 'Quillon', '1971-03-04', demoLogins[1].email, 'input=']) expect(exported).not.toContain(phi);

      const line = await waitUntil(() => logLines(serve).find((l) => l.msg === 'request' && l.path === '/trpc/patients.create'), 'the access log line');
      expect(line).toMatchObject({ traceId: call.traceId, spanId: http.spanId, userId, practiceId, status: 200 });
      expect(JSON.stringify(line)).not.toContain(demoLogins[1].email);
      expect(await loadedOtelModules(moduleLog)).toEqual(expect.arrayContaining([expect.stringContaining('/@opentelemetry/sdk-node/')]));
    } finally {
      serve.signal('SIGTERM');
      expect(await serve.exit).toBe(0);
    }
  }, 90_000);

  it("traces pams worker too, as service pams-worker (its jobs' queries on the side pool)", async () => {
    const worker = startPams(['worker'], serveEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl }, moduleLogPath('worker')));
    try {
      await worker.waitFor(/worker started/, 30_000);
      const query = await waitUntil(() => spans.find((s) => s.service === 'pams-worker' && s.scope === '@opentelemetry/instrumentation-pg' && attr(s, 'db.query.text')), 'a pg span of the worker');
      expect(attr(query, 'db.system.name')).toBe('postgresql');
    } finally {
      worker.signal('SIGTERM');
      expect(await worker.exit).toBe(0);
    }
  }, 60_000);

  it('loads no OpenTelemetry SDK without OTEL_EXPORTER_OTLP_ENDPOINT, and logs no trace id (but the caller ids)', async () => {
    const moduleLog = moduleLogPath('off');
    const serve = startPams(['serve', '--demo'], serveEnv({}, moduleLog));
    try {
      const url = (await serve.waitFor(/listening on (http:\/\/[\d.:]+)/, 60_000))[1]!;
      await serve.waitFor(/Demo (data created|logins)/); // each test seeds the demo practice if it runs first
      const { api, userId, practiceId } = await loginAsClinician(url);
      await api.patients.list.query({});
      const line = await waitUntil(() => logLines(serve).find((l) => l.msg === 'request' && l.path === '/trpc/patients.list'), 'the access log line');
      expect(line).toMatchObject({ userId, practiceId, status: 200 });
      expect(line).not.toHaveProperty('traceId');
      expect(logLines(serve).some((l) => 'traceId' in l)).toBe(false);
      // Only the API package, which is a no-op without an SDK (trpc.ts, logger.ts): nothing that records or exports.
      const loaded = await loadedOtelModules(moduleLog);
      expect(loaded.length).toBeGreaterThan(0); // the hook ran
      expect(loaded.filter((u) => !u.includes('/@opentelemetry/api/'))).toEqual([]);
    } finally {
      serve.signal('SIGTERM');
      expect(await serve.exit).toBe(0);
    }
  }, 60_000);

  it('with the collector down, requests still succeed and SIGTERM still stops the server within its timeout', async () => {
    const down = createServer();
    await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
    const downUrl = `http://127.0.0.1:${(down.address() as AddressInfo).port}`;
    await new Promise((resolve) => down.close(resolve)); // nothing listens there now
    const serve = startPams(['serve', '--demo'], serveEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: downUrl }, moduleLogPath('down')));
    try {
      const url = (await serve.waitFor(/listening on (http:\/\/[\d.:]+)/, 60_000))[1]!;
      await serve.waitFor(/Demo (data created|logins)/); // each test seeds the demo practice if it runs first
      const { api } = await loginAsClinician(url);
      for (let i = 0; i < 3; i++) await api.patients.list.query({});
      await new Promise((r) => setTimeout(r, 300)); // an export has been tried, and failed
      const stopping = Date.now();
      serve.signal('SIGTERM');
      expect(await serve.exit).toBe(0);
      // The server's own timeout, plus the bounded flush: not the ~8.5 s the SDK spends retrying a collector that is down.
      expect(Date.now() - stopping).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 2_500);
      expect(logLines(serve).find((l) => l.msg === 'request' && l.path === '/trpc/patients.list')).toHaveProperty('traceId');
      expect(serve.output()).toMatch(/"msg":"stopped"/);
    } finally {
      await serve.kill();
    }
  }, 60_000);
});
