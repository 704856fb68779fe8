import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { parser as promql } from '@prometheus-io/lezer-promql';
import { DockerfileParser, type ImageTemplate } from 'dockerfile-ast';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type pg from 'pg';
import { envSchema, loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import type { LiveStreams } from '../../server/modules/notifications/live-streams.ts';
import { processMetrics } from '../../server/observability/metrics-gauges.ts';
import type { Orm } from '../../server/orm.ts';
import { type ComposeService, publishedPort, readCompose } from './compose-file.ts';
import { packageOf, runtimeImports } from './runtime-imports.ts';

/**
 * Docker cannot run on the machine that runs the tests, so the deployment files are checked by reading them: the
 * Dockerfile with a Dockerfile parser, docker-compose.yml and the Prometheus and Grafana files as YAML, the dashboard's
 * queries with Prometheus's own PromQL grammar, and the runtime's imports with a module lexer. Each test's name says
 * what it checks.
 */
const root = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

/**
 * The metric names PAMS exposes and what kind each is, from the registry `/metrics` renders (its instruments and the
 * gauges read at scrape time; nothing is collected here, so its sources are never called).
 */
const registry = processMetrics({ orm: {} as Orm, pool: {} as pg.Pool, config: { mongodbUrl: undefined }, log: createLogger({ logLevel: 'silent', tracing: false }), live: {} as LiveStreams });
const metrics: Record<string, string> = Object.fromEntries(registry.getMetricsAsArray().map((m) => [m.name, String(m.type)]));
/** The series names a query may use: a histogram's are its _bucket, _sum and _count. */
const seriesNames = new Map(Object.entries(metrics).flatMap(([name, kind]) => (kind === 'histogram' ? ['_bucket', '_sum', '_count'].map((s) => [name + s, name] as const) : [[name, name] as const])));

const configNames = new Set(Object.keys(envSchema.shape));

type Stage = { name: string | null; image: string; template: ImageTemplate };

describe('Dockerfile', () => {
  const dockerfile = DockerfileParser.parse(read('Dockerfile'));
  const stages = dockerfile
    .getFROMs()
    .map((from) => ({ name: from.getBuildStage(), image: `${from.getImageName()}:${from.getImageTag()}`, template: dockerfile.getContainingImage(from.getRange().start)! }));
  const final = stages.at(-1)!;
  const instructions = (stage: Stage, keyword: string) => stage.template.getInstructions().filter((i) => i.getKeyword() === keyword);
  const copies = (stage: Stage) =>
    stage.template.getCOPYs().map((c) => {
      const args = c.getArguments().map((a) => a.getValue());
      return { from: c.getFromFlag()?.getValue(), sources: args.slice(0, -1), destination: args.at(-1)! };
    });
  const npmInstalls = (stage: Stage) => instructions(stage, 'RUN').filter((r) => /\bnpm\s+(ci|install|i)\b/.test(r.getArgumentsContent() ?? ''));

  it('is multi-stage: a named build stage, then a final stage on the same Node 24 base image', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages.slice(0, -1).every((s) => s.name)).toBe(true);
    expect(final.image).toMatch(/^node:24(-|$)/);
    expect(new Set(stages.map((s) => s.image)).size, 'native modules built in one stage must run on the same base in the final one').toBe(1);
  });

  it('installs no packages in the final stage, and copies node_modules only from a stage that ran `npm ci --omit=dev`', () => {
    expect(npmInstalls(final)).toEqual([]);
    const moduleCopies = copies(final).filter((c) => c.destination.replace(/\/$/, '').endsWith('node_modules'));
    expect(moduleCopies).toHaveLength(1);
    const deps = stages.find((s) => s.name === moduleCopies[0]!.from);
    expect(deps, 'node_modules comes from a build stage').toBeDefined();
    const installs = npmInstalls(deps!).map((r) => r.getArgumentsContent()!);
    expect(installs.length).toBeGreaterThan(0);
    for (const run of installs) expect(run).toMatch(/\bnpm ci\b[^&;|]*--omit=dev/);
    // A stage that installed everything would be the only way devDependencies could come in besides node_modules.
    for (const c of copies(final).filter((c) => c.from)) expect(c.from).toBe(deps!.name);
  });

  it('takes nothing from the build context that holds dependencies: no node_modules, and .dockerignore excludes **/node_modules', () => {
    const fromContext = copies(final).filter((c) => !c.from);
    expect(fromContext.flatMap((c) => c.sources).filter((s) => s.includes('node_modules'))).toEqual([]);
    expect(read('.dockerignore').split('\n')).toContain('**/node_modules');
  });

  it('carries no second Node binary: the `node` package is a devDependency, and the lock file marks every copy of it dev-only', () => {
    expect(pkg.devDependencies.node).toBeDefined();
    expect(pkg.dependencies.node).toBeUndefined();
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { dev?: boolean }> };
    const nodes = Object.entries(lock.packages).filter(([p]) => p === 'node_modules/node' || p.endsWith('/node_modules/node'));
    expect(nodes.length).toBeGreaterThan(0);
    for (const [p, entry] of nodes) expect(entry.dev, `${p} would be installed by npm ci --omit=dev`).toBe(true);
  });

  it('runs as a non-root user, with NODE_ENV=production and the heap options', () => {
    const user = instructions(final, 'USER').at(-1)?.getArgumentsContent();
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user!.split(':')[0]);
    const env = Object.fromEntries(final.template.getENVs().flatMap((e) => e.getProperties().map((p) => [p.getName(), p.getValue()])));
    expect(env.NODE_ENV).toBe('production');
    expect(env.NODE_OPTIONS).toBe('--max-semi-space-size=16 --max-old-space-size=192');
  });

  it('every bare import the runtime loads (from cli/pams.ts and migrations/, through server/, cli/ and shared/) is a production dependency or a Node builtin', async () => {
    const entries = [
      'cli/pams.ts',
      ...readdirSync(path.join(root, 'migrations'))
        .filter((f) => f.endsWith('.ts'))
        .map((f) => `migrations/${f}`),
    ];
    const graph = await runtimeImports(root, entries);
    expect(graph.unresolved).toEqual([]);
    expect([...graph.files].filter((f) => !/^(server|cli|shared|migrations)\//.test(path.relative(root, f)))).toEqual([]);
    expect(graph.files.size).toBeGreaterThan(300);
    for (const entry of ['server/main.ts', 'server/worker.ts']) expect(graph.files.has(path.join(root, entry))).toBe(true);
    const wrong = [...graph.bare].filter(([specifier]) => !isBuiltin(specifier) && !pkg.dependencies[packageOf(specifier)]).map(([s, files]) => `${s} (from ${[...files].join(', ')})`);
    expect(wrong, 'imported at run time but not a production dependency').toEqual([]);
  });

  it('copies into the final stage every folder the runtime loads from, and package.json (type: module, the CLI version)', () => {
    const copied = copies(final)
      .filter((c) => !c.from)
      .flatMap((c) => c.sources.map((s) => s.replace(/\/$/, '')));
    for (const needed of ['package.json', 'cli', 'server', 'shared', 'migrations']) expect(copied).toContain(needed);
  });
});

describe('docker-compose.yml', () => {
  const encryptionKeys = `k1:${randomBytes(32).toString('base64')}`;
  const compose = readCompose(path.join(root, 'docker-compose.yml'), { PAMS_ENCRYPTION_KEYS: encryptionKeys });
  const services = compose.services;
  const pams = { app: services.app!, worker: services.worker!, migrate: services.migrate! };
  const healthCommand = (s: ComposeService) => {
    const test = s.healthcheck?.test;
    expect(Array.isArray(test) && test[0] === 'CMD', 'an exec-form health check (["CMD", …])').toBe(true);
    return (test as string[]).slice(1);
  };

  it('publishes every port (of every service and profile) on 127.0.0.1 by default, and on PAMS_BIND_ADDRESS when it is set', () => {
    const published = Object.entries(services).flatMap(([name, s]) => (s.ports ?? []).map((p) => ({ name, ...publishedPort(p) })));
    expect(published.map((p) => p.name).sort()).toEqual(['app', 'grafana', 'mail', 'prometheus']);
    for (const p of published) expect(p.hostIp, `${p.name}:${p.target}`).toBe('127.0.0.1');
    const open = readCompose(path.join(root, 'docker-compose.yml'), { PAMS_ENCRYPTION_KEYS: encryptionKeys, PAMS_BIND_ADDRESS: '0.0.0.0' });
    for (const s of Object.values(open.services)) for (const p of s.ports ?? []) expect(publishedPort(p).hostIp).toBe('0.0.0.0');
    expect(Object.values(services).filter((s) => s.network_mode === 'host')).toEqual([]);
  });

  it('serves the metrics listener on the compose network only: METRICS_PORT 9464 on 0.0.0.0 in app and worker, 9464 published by no service', () => {
    for (const s of [pams.app, pams.worker]) expect([s.environment?.METRICS_PORT, s.environment?.METRICS_HOST]).toEqual(['9464', '0.0.0.0']);
    const targets = Object.values(services).flatMap((s) => (s.ports ?? []).map((p) => publishedPort(p)));
    expect(targets.filter((p) => p.target === 9464 || p.published === '9464')).toEqual([]);
  });

  it('health-checks app (GET /readyz on PORT) and worker (GET /healthz on METRICS_PORT), reading the ports from the container environment', () => {
    expect(healthCommand(pams.app).join(' ')).toMatch(/process\.env\.PORT\b.*\/readyz/);
    expect(healthCommand(pams.worker).join(' ')).toMatch(/process\.env\.METRICS_PORT\b.*\/healthz/);
  });

  it("the app's and worker's health-check commands exit 0 on a 200, and 1 on a 503 or when nothing listens", async () => {
    let status = 200;
    const listener = createServer((req, res) => res.writeHead(req.url === '/readyz' || req.url === '/healthz' ? status : 404).end());
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const port = String((listener.address() as AddressInfo).port);
    const run = async (s: ComposeService, env: Record<string, string>) => {
      const [command, ...args] = healthCommand(s);
      expect(command).toBe('node');
      return promisify(execFile)(process.execPath, args, { env: { ...process.env, ...env }, timeout: 5000 }).then(
        () => 0,
        (err: { code?: number }) => err.code,
      );
    };
    const checks = [
      [pams.app, { PORT: port }],
      [pams.worker, { METRICS_PORT: port }],
    ] as const;
    for (const [s, env] of checks) expect(await run(s, env)).toBe(0);
    status = 503;
    for (const [s, env] of checks) expect(await run(s, env)).toBe(1);
    await new Promise((resolve) => listener.close(resolve));
    for (const [s, env] of checks) expect(await run(s, env)).toBe(1);
  });

  it('passes through every LLM_* setting of server/config.ts, SMTP_URL, MAIL_FROM, METRICS_PORT, METRICS_HOST, METRICS_TOKEN and the OTel endpoint and service name', () => {
    const llm = [...configNames].filter((n) => n.startsWith('LLM_'));
    expect(llm.length).toBeGreaterThanOrEqual(3);
    const wanted = [...llm, 'SMTP_URL', 'MAIL_FROM', 'METRICS_PORT', 'METRICS_HOST', 'METRICS_TOKEN', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_SERVICE_NAME'];
    for (const s of Object.values(pams)) expect(Object.keys(s.environment ?? {})).toEqual(expect.arrayContaining(wanted));
    const raw = read('docker-compose.yml');
    for (const name of [...llm, 'MAIL_FROM', 'METRICS_TOKEN', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_SERVICE_NAME']) expect(raw, `${name} comes from the shell`).toContain(`\${${name}:-`);
  });

  it('passes PAMS only variables that server/config.ts reads, so a misspelt name fails here', () => {
    for (const [name, s] of Object.entries(pams))
      for (const variable of Object.keys(s.environment ?? {})) expect(configNames.has(variable), `${name}: ${variable} is not in server/config.ts`).toBe(true);
  });

  it("gives app and worker an environment that loadConfig accepts when nothing but PAMS_ENCRYPTION_KEYS is set (unset variables arrive as '')", () => {
    for (const s of [pams.app, pams.worker, pams.migrate]) {
      const env = Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, String(v ?? '')]));
      expect(Object.values(env)).toContain('');
      const config = loadConfig(env);
      expect(config.env).toBe('production');
      expect(config.llm.baseUrl).toBeUndefined();
      expect(config.smtpUrl).toBe('smtp://mail:1025');
    }
  });
});

describe('the monitoring profile', () => {
  const compose = readCompose(path.join(root, 'docker-compose.yml'), { PAMS_ENCRYPTION_KEYS: 'unused' });
  const services = compose.services;
  /** The host file a service mounts at a container path, e.g. ./server/observability/prometheus.yml. */
  const mount = (s: ComposeService, containerPath: string) => {
    const volume = (s.volumes ?? []).find((v) => v.split(':')[1] === containerPath);
    expect(volume, `a mount at ${containerPath}`).toBeDefined();
    const source = path.join(root, volume!.split(':')[0]!);
    expect(existsSync(source), source).toBe(true);
    return source;
  };
  const grafana = services.grafana!;
  const provisioning = mount(grafana, '/etc/grafana/provisioning');
  const dashboardsDir = '/etc/grafana/dashboards';
  const dashboardFiles = readdirSync(mount(grafana, dashboardsDir)).filter((f) => f.endsWith('.json'));
  const datasources = parseYaml(readFileSync(path.join(provisioning, 'datasources/prometheus.yml'), 'utf8')) as { datasources: Array<{ uid: string; type: string; url: string }> };

  it('holds Prometheus and Grafana, and only those: PAMS, PostgreSQL and Mailpit run without a profile', () => {
    const inProfile = Object.entries(services).filter(([, s]) => s.profiles?.includes('monitoring'));
    expect(inProfile.map(([n]) => n).sort()).toEqual(['grafana', 'prometheus']);
    for (const name of ['postgres', 'mail', 'migrate', 'app', 'worker']) expect(services[name]?.profiles).toBeUndefined();
    expect(services.prometheus?.image).toMatch(/^prom\/prometheus:v\d/);
    expect(grafana.image).toMatch(/^grafana\/grafana:\d/);
  });

  it('has Prometheus scrape exactly app:9464 and worker:9464, compose services whose METRICS_PORT is 9464, from the file compose mounts', () => {
    const config = parseYaml(readFileSync(mount(services.prometheus!, '/etc/prometheus/prometheus.yml'), 'utf8')) as {
      scrape_configs: Array<{ job_name: string; static_configs?: Array<{ targets: string[] }>; dns_sd_configs?: Array<{ names: string[]; type: string; port: number }> }>;
    };
    const targets = config.scrape_configs.flatMap((job) => [
      ...(job.static_configs ?? []).flatMap((c) => c.targets),
      ...(job.dns_sd_configs ?? []).flatMap((c) => (expect(c.type).toBe('A'), c.names.map((n) => `${n}:${c.port}`))),
    ]);
    expect(targets.sort()).toEqual(['app:9464', 'worker:9464']);
    for (const target of targets) {
      const [host, port] = target.split(':') as [string, string];
      expect(services[host]?.environment?.METRICS_PORT).toBe(port);
    }
  });

  it("provisions Grafana with the Prometheus datasource (the profile's prometheus service) and the dashboards folder it mounts", () => {
    expect(datasources.datasources).toEqual([expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090' })]);
    const providers = parseYaml(readFileSync(path.join(provisioning, 'dashboards/pams.yml'), 'utf8')) as { providers: Array<{ type: string; options: { path: string } }> };
    expect(providers.providers).toEqual([expect.objectContaining({ type: 'file', options: { path: dashboardsDir } })]);
    expect(dashboardFiles).toEqual(['pams.json']);
    expect(grafana.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(`${dashboardsDir}/pams.json`);
  });

  it('lets anonymous visitors view, and takes the admin password from GRAFANA_ADMIN_PASSWORD', () => {
    expect(grafana.environment?.GF_AUTH_ANONYMOUS_ENABLED).toBe('true');
    expect(grafana.environment?.GF_AUTH_ANONYMOUS_ORG_ROLE).toBe('Viewer');
    expect(read('docker-compose.yml')).toMatch(/GF_SECURITY_ADMIN_PASSWORD: \$\{GRAFANA_ADMIN_PASSWORD:-/);
  });

  describe('the PAMS dashboard (server/observability/grafana/dashboards/pams.json)', () => {
    const target = z.object({ refId: z.string().min(1), expr: z.string().min(1), datasource: z.object({ type: z.literal('prometheus'), uid: z.string() }) });
    const gridPos = z
      .object({ x: z.number().int().min(0), y: z.number().int().min(0), w: z.number().int().min(1), h: z.number().int().min(1) })
      .refine((g) => g.x + g.w <= 24, 'wider than the 24-column grid');
    const panel = z.discriminatedUnion('type', [
      z.object({ type: z.literal('row'), id: z.number().int(), title: z.string().min(1), gridPos, collapsed: z.boolean(), panels: z.array(z.unknown()) }),
      z.object({
        type: z.enum(['timeseries', 'stat', 'gauge', 'bargauge', 'table']),
        id: z.number().int(),
        title: z.string().min(1),
        gridPos,
        datasource: z.object({ type: z.literal('prometheus'), uid: z.string() }),
        targets: z.array(target).min(1),
        fieldConfig: z.object({ defaults: z.object({ unit: z.string() }).loose(), overrides: z.array(z.unknown()) }),
      }),
    ]);
    const dashboardSchema = z.object({
      uid: z.string().min(1).max(40),
      title: z.string().min(1),
      schemaVersion: z.number().int().min(36),
      version: z.number().int(),
      time: z.object({ from: z.string(), to: z.string() }),
      templating: z.object({ list: z.array(z.unknown()) }),
      annotations: z.object({ list: z.array(z.unknown()) }),
      panels: z.array(panel).min(1),
    });
    const parsed = dashboardSchema.safeParse(JSON.parse(readFileSync(path.join(root, 'server/observability/grafana/dashboards/pams.json'), 'utf8')));
    const panels: z.infer<typeof panel>[] = parsed.data?.panels ?? [];
    const queries = panels.flatMap((p) => (p.type === 'row' ? [] : p.targets.map((t) => ({ panel: p.title, ...t }))));

    it('is Grafana dashboard JSON: uid, title, schemaVersion, panels with unique ids on the 24-column grid, no two overlapping', () => {
      expect(parsed.error?.issues ?? []).toEqual([]);
      expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
      const cells = new Set<string>();
      for (const { gridPos: g, title } of panels)
        for (let x = g.x; x < g.x + g.w; x++)
          for (let y = g.y; y < g.y + g.h; y++) {
            expect(cells.has(`${x},${y}`), `${title} overlaps another panel`).toBe(false);
            cells.add(`${x},${y}`);
          }
    });

    it('queries the provisioned Prometheus datasource by its uid, each panel with distinct refIds', () => {
      const uid = datasources.datasources[0]!.uid;
      for (const p of panels.filter((p) => p.type !== 'row')) {
        expect(p.datasource.uid).toBe(uid);
        expect(p.targets.every((t) => t.datasource.uid === uid)).toBe(true);
        expect(new Set(p.targets.map((t) => t.refId)).size).toBe(p.targets.length);
      }
    });

    it("writes every query in valid PromQL (Prometheus's lezer grammar) using only metric names the registry has, and a panel for each of PAMS's own", () => {
      const used = new Set<string>();
      for (const q of queries) {
        // Grafana replaces $__rate_interval before Prometheus sees the query; no other variable is used.
        const expr = q.expr.replaceAll('$__rate_interval', '1m');
        expect(expr, `${q.panel}: an unknown Grafana variable`).not.toContain('$');
        const errors: string[] = [];
        const names: string[] = [];
        promql.parse(expr).iterate({
          enter(node) {
            if (node.type.isError) errors.push(`at ${node.from}`);
            if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') names.push(expr.slice(node.from, node.to));
            if (node.name === 'LabelName' && expr.slice(node.from, node.to) === '__name__') errors.push('selects by __name__');
          },
        });
        expect(errors, `${q.panel}: ${q.expr}`).toEqual([]);
        expect(names.length, `${q.panel}: ${q.expr}`).toBeGreaterThan(0);
        for (const name of names) {
          expect(seriesNames.has(name), `${q.panel}: ${name} is not in the registry`).toBe(true);
          used.add(seriesNames.get(name)!);
        }
      }
      // PAMS's own metrics each have a panel; of prom-client's default process metrics, the dashboard picks a few.
      const defaults = new Registry();
      collectDefaultMetrics({ register: defaults, prefix: 'pams_' });
      const own = Object.keys(metrics).filter((name) => !defaults.getSingleMetric(name));
      expect(own.length).toBeGreaterThan(5);
      expect(
        own.filter((name) => !used.has(name)),
        'every PAMS metric has a panel',
      ).toEqual([]);
    });

    it('shows p50 and p99 by procedure, HTTP status rates, and reminder lag p50 and p99', () => {
      const has = (re: RegExp) => queries.some((q) => re.test(q.expr.replace(/\s+/g, ' ')));
      for (const quantile of ['0.5', '0.99']) {
        expect(has(new RegExp(`histogram_quantile\\(${quantile}, sum by \\(le, procedure\\) \\(rate\\(pams_procedure_duration_seconds_bucket`))).toBe(true);
        expect(has(new RegExp(`histogram_quantile\\(${quantile}, sum by \\(le, channel\\) \\(rate\\(pams_reminder_lag_seconds_bucket`))).toBe(true);
      }
      expect(has(/sum by \(status\) \(rate\(pams_http_request_duration_seconds_count/)).toBe(true);
    });
  });
});
