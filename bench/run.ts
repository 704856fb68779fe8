import autocannon, { type Options, type Request, type Result } from 'autocannon';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startEmbeddedPostgres } from '../server/embedded-postgres.ts';
import { closeOrm, initOrm } from '../server/orm.ts';
import { checkNumbering, reportInputs, seedBilling, type BillingSeed, type Numbering } from './billing.ts';
import { benchFhirExport, renderFhirExport } from './fhir-export.ts';
import { benchFiles, renderFiles } from './files.ts';
import { benchImports, renderImports } from './imports.ts';
import { cpuMsOf } from './proc.ts';
import { explainChart, explainSearches, patientAccess, type ChartStatements, type SearchPlan } from './explain.ts';
import { benchReminders, renderRemindersSection } from './reminders.ts';
import { benchStreams, renderStreams } from './streams.ts';
import { benchDay, renderDay, type DayTiming } from './day.ts';
import { APPOINTMENT_MINUTES, BATCH, BENCH_NOTE, bookableSlot, HOURS, seed, startAssessments, type Seeded } from './seed.ts';
import { freePort } from './free-port.ts';
import { withClient } from './pg-client.ts';

/**
 * `npm run bench [-- --patients N] [--only imports|files|streams]`: seeds a practice with N patients (default 100,000) and their charts,
 * then loads the real PAMS server with autocannon: `auth.me` and `auth.login` (and the same session lookup
 * on a bare Hono + pg server as the floor), patient search, `patients.chart`, `assessments.submit` and
 * `appointments.book`; then a bulk FHIR export with the real CLI (bench/fhir-export.ts), and imports of N
 * patients from CSV and HL7 messages over MLLP (bench/imports.ts); last, a 100 MiB document uploaded and downloaded back a few
 * times (bench/files.ts); and last, 1,000 live streams on one server and the latency of `messages.send` to a stream on
 * another process (bench/streams.ts). Each server is its own process, so autocannon (here) does not share their event
 * loop; they do share the CPU. Writes bench/results.md and prints it.
 */

const ROOT = path.resolve(import.meta.dirname, '..');
const AIMS = { meShare: 0.7, searchP99: 50, chartP99: 30 };
/** The heap sizes the Dockerfile sets for production: the servers are measured as they are deployed. */
const PRODUCTION_NODE_OPTIONS = '--max-semi-space-size=16 --max-old-space-size=192';
const WARMUP_S = 2;
const DURATION_S = 10;
const CLINICIANS = 10;
const CONNECTIONS = { me: 50, login: 8, search: 10, chart: 10, submit: 10, book: 10, note: 10, issue: 10, report: 5 };
/** The billing part: invoices seeded (as many as patients, at most 100,000), drafts for the issue run, the reports' p99 aim in ms. */
const BILLING = { maxInvoices: 100_000, drafts: 30_000, reportP99: 200 };
/** Started assessments for the submit run: comfortably more than it can submit in 12 s on this machine. */
const STARTED_ASSESSMENTS = 30_000;
/** The documents run: a file of this size, up and down this many times, under this upload limit. */
const FILE_RUN = { mebibytes: 100, runs: 3, limitMb: 128 };
const ADMIN = { email: 'bench-admin@pams.test', password: 'bench-password-123' };
const CLINICIAN_PASSWORD = 'bench-clinician-password';
/** Name fragments as typed into a search box; accents are folded by the server (mül finds Müller). */
const FRAGMENTS = ['mar', 'jos', 'mül', 'bri', 'kel', 'ann', 'gar', 'sch', 'nguy', 'pat'];

type Cleanup = () => Promise<unknown>;
type Database = { url: string; postgresVersion: string; restart?: () => Promise<void> };
type Row = { label: string; connections: number; result: Result; serverCpuMs: number | null; note?: string; allowed?: number[] };
type Server = { url: string; pid: number };

const ONLY = ['imports', 'files', 'streams', 'billing', 'day'] as const;
type Only = (typeof ONLY)[number];

function parseOptions(): { patients: number; reminders: number; only: Only | undefined; day: DayTiming } {
  const { values } = parseArgs({
    options: {
      patients: { type: 'string', default: '100000' },
      reminders: { type: 'string', default: '100000' },
      only: { type: 'string' },
      'soak-minutes': { type: 'string', default: '10' },
      'day-seconds': { type: 'string', default: '30' },
    },
    strict: true,
    allowPositionals: false,
  });
  const whole = (name: string, value: string, least: number) => {
    const x = Number(value.replaceAll('_', ''));
    if (!Number.isInteger(x) || x < least) throw new Error(`--${name} must be a whole number of at least ${least}, not ${value}`);
    return x;
  };
  const patients = whole('patients', values.patients, 100);
  const reminders = whole('reminders', values.reminders, 1);
  const only = ONLY.find((x) => x === values.only);
  if (values.only !== undefined && !only) throw new Error(`--only takes ${ONLY.join(', ')}, not ${values.only}`);
  const daySeconds = whole('day-seconds', values['day-seconds'], 10);
  const day = { peakS: daySeconds, aimS: daySeconds, soakMinutes: whole('soak-minutes', values['soak-minutes'], 1), faultS: Math.round(daySeconds * 1.5) };
  return { patients, reminders, only, day };
}

async function main(): Promise<void> {
  let patients: number;
  let reminders: number;
  let only: Only | undefined;
  let dayTiming: DayTiming;
  try {
    ({ patients, reminders, only, day: dayTiming } = parseOptions());
  } catch (e) {
    console.error(
      `${(e as Error).message}\nUsage: npm run bench [-- --patients N] [--reminders M] [--only imports|files|streams|billing|day] [--soak-minutes S] [--day-seconds D]   (N: patients to seed and to import from CSV, M: plan items due for the reminder run; both default 100000; S: the day's soak, default 10; D: its peak and aim runs, default 30, the fault run 1.5 × D)`,
    );
    process.exit(2); // not `process.exitCode`: embedded-postgres's exit hook would end the process with code 0
  }
  const loadBefore = os.loadavg(); // before the bench itself adds to it
  const cleanups: Cleanup[] = []; // undone in reverse, whatever happens
  try {
    const db = await openDatabase(cleanups);
    await migrate(db.url);
    const seeded = await seed({ url: db.url, patients, clinicians: CLINICIANS, admin: ADMIN, clinicianPassword: CLINICIAN_PASSWORD, log: (line) => process.stdout.write(`${line}\n`) });
    const clinician = seeded.clinicians[0]!;
    const started = await startAssessments(db.url, seeded, clinician.id, seeded.sample.ids, STARTED_ASSESSMENTS);

    const encryptionKeys = `bench1:${randomBytes(32).toString('base64')}`;
    const serverEnv = {
      DATABASE_URL: db.url,
      NODE_ENV: 'development', // production will demand SMTP_URL
      PAMS_ENCRYPTION_KEYS: encryptionKeys,
      LOG_LEVEL: 'warn', // an access-log line per request would dominate
      // autocannon drives ~1,000 requests/s from one IP with a few tokens: far past the general limit's defaults,
      // which are counted all the same (their cost is part of what is measured).
      LOGIN_MAX_PER_ACCOUNT_IP: '100000000',
      LOGIN_MAX_PER_ACCOUNT: '100000000',
      LOGIN_MAX_PER_IP: '100000000',
      RATE_LIMIT_PER_CALLER: '100000000',
      RATE_LIMIT_PER_IP: '100000000',
      NODE_OPTIONS: PRODUCTION_NODE_OPTIONS,
    };
    const pams = await startServer(cleanups, ['cli/pams.ts', 'serve'], '/readyz', serverEnv);
    const adminAuth = { authorization: `Bearer ${await login(pams.url, ADMIN)}` };
    const auth = { authorization: `Bearer ${await login(pams.url, { email: clinician.email, password: CLINICIAN_PASSWORD })}` };
    // Imports add patients to the practice, so they run after the HTTP runs (alone with --only imports).
    const runImports = () =>
      benchImports({
        url: pams.url,
        database: new URL(db.url).pathname.slice(1),
        token: adminAuth.authorization.slice('Bearer '.length),
        serverPid: pams.pid,
        rows: patients,
        hl7Messages: Math.max(200, Math.round(patients / 20)),
        log: (line) => process.stdout.write(`${line}\n`),
      });
    // Documents on a server of their own, so that its memory is theirs alone; its files go to a temp folder.
    const runFiles = async () => {
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'pams-bench-files-'));
      cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
      const server = await startServer(cleanups, ['cli/pams.ts', 'serve'], '/readyz', { ...serverEnv, PAMS_DATA_DIR: dataDir, FILE_MAX_MB: String(FILE_RUN.limitMb) });
      process.stdout.write(`Documents: ${FILE_RUN.mebibytes} MiB up to POST /files and back from GET /files/:id, ${FILE_RUN.runs} times\n`);
      return benchFiles({ url: server.url, token: auth.authorization.slice('Bearer '.length), serverPid: server.pid, ...FILE_RUN, log: (line) => process.stdout.write(`${line}\n`) });
    };
    // Live streams on servers of their own: 1,000 streams on one, then messages through a second to a third.
    const runStreams = () =>
      benchStreams({
        start: (env) => startServer(cleanups, ['cli/pams.ts', 'serve'], '/readyz', { ...serverEnv, ...env }),
        login,
        adminToken: adminAuth.authorization.slice('Bearer '.length),
        clinicians: seeded.clinicians,
        clinicianPassword: CLINICIAN_PASSWORD,
        patientIds: seeded.sample.ids,
        log: (line) => process.stdout.write(`${line}\n`),
      });
    // A practice's day on a server of its own (its memory is the day's alone), with a `pams worker` beside it.
    const runDay = () =>
      benchDay({
        start: (env) => startServer(cleanups, ['cli/pams.ts', 'serve'], '/readyz', { ...serverEnv, ...env }),
        startWorker: (env) => startWorker(cleanups, { ...serverEnv, ...env }),
        login,
        dbUrl: db.url,
        encryptionKeys,
        seeded,
        admin: ADMIN,
        clinicianPassword: CLINICIAN_PASSWORD,
        ...(db.restart && { restartDatabase: db.restart }),
        timing: dayTiming,
        log: (line) => process.stdout.write(`${line}\n`),
      });
    const rows: Record<string, Row> = {};
    const run = async (key: string, label: string, server: Server, options: Omit<Options, 'url' | 'duration' | 'warmup'> & { path?: string }, extra: Partial<Row> = {}) => {
      const cpuBefore = cpuMsOf(server.pid);
      const result = await measure(label, { ...options, url: `${server.url}${options.path ?? ''}` });
      const cpuAfter = cpuMsOf(server.pid);
      const requests = result.requests.total + (result.warmup?.requests.total ?? 0);
      const serverCpuMs = cpuBefore !== null && cpuAfter !== null && requests ? (cpuAfter - cpuBefore) / requests : null;
      rows[key] = { label, connections: options.connections, result, serverCpuMs, ...extra };
    };
    const json = { 'content-type': 'application/json' };
    // Billing: invoices seeded in bulk, then issuing drafts and the ageing and revenue reports over HTTP.
    const runBilling = async (): Promise<Billing> => {
      const call = async (procedure: string, input: unknown) => {
        const response = await fetch(`${pams.url}/trpc/${procedure}`, { method: 'POST', headers: { ...adminAuth, ...json }, body: JSON.stringify(input) });
        const text = await response.text();
        if (!response.ok) throw new Error(`${procedure} answered ${response.status}: ${text.slice(0, 500)}`);
        return (JSON.parse(text) as { result: { data: unknown } }).result.data;
      };
      const invoices = Math.min(patients, BILLING.maxInvoices);
      const billingSeed = await seedBilling({
        url: db.url,
        call,
        practiceId: seeded.practiceId,
        adminId: seeded.adminId,
        clinicianIds: seeded.clinicians.map((c) => c.id),
        timeZone: seeded.timeZone,
        invoices,
        drafts: BILLING.drafts,
        log: (line) => process.stdout.write(`${line}\n`),
      });
      let issued = 0;
      const issueRequest: Request = {
        method: 'POST',
        path: '/trpc/invoices.issue',
        setupRequest: (r) => ({ ...r, body: JSON.stringify({ id: billingSeed.drafts[issued++ % billingSeed.drafts.length] }) }),
      };
      await run('issue', '`invoices.issue`, a different draft each (admin)', pams, { connections: CONNECTIONS.issue, method: 'POST', headers: { ...adminAuth, ...json }, requests: [issueRequest] });
      rows.issue!.note = `${Math.min(issued, billingSeed.drafts.length).toLocaleString('en')} of ${billingSeed.drafts.length.toLocaleString('en')} drafts sent`;
      const numbering = await checkNumbering(db.url, seeded.practiceId);
      const inputs = reportInputs(seeded.timeZone);
      const get = (procedure: string, input: unknown) => `/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`;
      const reports = { ageing: get('reports.ageing', inputs.ageing), revenue: get('reports.revenue', inputs.revenue), revenueByClinician: get('reports.revenue', inputs.revenueByClinician) };
      for (const path of Object.values(reports)) {
        const response = await fetch(`${pams.url}${path}`, { headers: adminAuth });
        if (!response.ok) throw new Error(`${path.split('?')[0]} answered ${response.status}: ${(await response.text()).slice(0, 500)}`);
      }
      await run('ageing', `\`reports.ageing\` at ${n(invoices)} invoices (admin)`, pams, { connections: CONNECTIONS.report, headers: adminAuth, path: reports.ageing });
      await run('revenue', `\`reports.revenue\`, 12 months per month (admin)`, pams, { connections: CONNECTIONS.report, headers: adminAuth, path: reports.revenue });
      await run('revenueByClinician', `\`reports.revenue\`, 12 months per month by clinician (admin)`, pams, { connections: CONNECTIONS.report, headers: adminAuth, path: reports.revenueByClinician });
      await run('ageing1', '`reports.ageing`, one at a time', pams, { connections: 1, headers: adminAuth, path: reports.ageing });
      return { seed: billingSeed, numbering, issued: rows.issue!.result.statusCodeStats['200']?.count ?? 0 };
    };
    if (only) {
      const render = {
        imports: async () => renderImports(await runImports()),
        files: async () => renderFiles(await runFiles()),
        streams: async () => renderStreams(await runStreams()),
        billing: async () => {
          const section = renderBilling(await runBilling(), rows, `Written by \`npm run bench -- --only billing --patients ${patients}\` on ${new Date().toISOString()}${gitRevision()}.`);
          // Its section of bench/results.md is replaced (the rest is left as the last full run wrote it).
          await spliceResults('Billing', section);
          return section;
        },
        day: async () => {
          const provenance = `Written by \`npm run bench -- --only day --patients ${patients}${dayTiming.soakMinutes === 10 ? '' : ` --soak-minutes ${dayTiming.soakMinutes}`}${dayTiming.peakS === 30 ? '' : ` --day-seconds ${dayTiming.peakS}`}\` on ${new Date().toISOString()}${gitRevision()}.`;
          const section = renderDay(await runDay(), dayTiming, provenance);
          await spliceResults("A practice's day", section);
          return section;
        },
      }[only];
      process.stdout.write(await render()); // bench/results.md is left as the last full run wrote it (but for billing's or the day's section)
      const failedOnly = Object.values(rows).filter((x) => failures(x) > 0);
      if (failedOnly.length) throw new Error(`Some requests failed (${failedOnly.map((x) => x.label).join(', ')}): these figures are not a clean measurement.`);
      return;
    }
    const baseline = await startServer(cleanups, ['bench/baseline-server.ts'], '/me', { DATABASE_URL: db.url }, adminAuth);

    const workload = makeWorkload(pams.url, seeded, clinician.id, started);
    await workload.check(auth);

    await run('me', '`auth.me` (tRPC + MikroORM)', pams, { path: '/trpc/auth.me', connections: CONNECTIONS.me, headers: adminAuth });
    await run('baseline', 'baseline session lookup (Hono + pg)', baseline, { path: '/me', connections: CONNECTIONS.me, headers: adminAuth });
    await run('login', '`auth.login` (Argon2)', pams, { path: '/trpc/auth.login', connections: CONNECTIONS.login, method: 'POST', headers: json, body: JSON.stringify(ADMIN) });
    await run('searchFragment', '`patients.search`, name fragment (clinician)', pams, { connections: CONNECTIONS.search, headers: auth, requests: [workload.search(FRAGMENTS)] });
    await run('searchFullName', '`patients.search`, full name (clinician)', pams, { connections: CONNECTIONS.search, headers: auth, requests: [workload.search(seeded.sample.names)] });
    await run('searchFragment1', '`patients.search`, name fragment (clinician), one at a time', pams, { connections: 1, headers: auth, requests: [workload.search(FRAGMENTS)] });
    await run('searchAdmin', '`patients.search`, name fragment (admin)', pams, { connections: CONNECTIONS.search, headers: adminAuth, requests: [workload.search(FRAGMENTS)] });
    await run('chart', '`patients.chart` (clinician)', pams, { connections: CONNECTIONS.chart, headers: auth, requests: [workload.chart()] });
    await run('chart1', '`patients.chart` (clinician), one at a time', pams, { connections: 1, headers: auth, requests: [workload.chart()] });
    await run('submit', '`assessments.submit`, PHQ-9 (clinician)', pams, { connections: CONNECTIONS.submit, method: 'POST', headers: { ...auth, ...json }, requests: [workload.submit()] });
    await run('book', '`appointments.book` (clinician)', pams, { connections: CONNECTIONS.book, method: 'POST', headers: { ...auth, ...json }, requests: [workload.book()] }, { allowed: [409] });
    process.stdout.write('bulk FHIR export (pams export fhir)…\n');
    // A fresh server for the export, so that its peak memory is the export's alone.
    const exporter = await startServer(cleanups, ['cli/pams.ts', 'serve'], '/readyz', serverEnv);
    const fhirExport = await benchFhirExport(exporter.url, adminAuth.authorization.slice('Bearer '.length), exporter.pid, ROOT);
    const noteRequest: Request = {
      method: 'POST',
      path: '/trpc/notes.create',
      setupRequest: (r) => ({ ...r, body: JSON.stringify({ patientId: seeded.sample.ids[Math.floor(Math.random() * seeded.sample.ids.length)], body: BENCH_NOTE }) }),
    };
    await run('noteCreate', '`notes.create`, encrypt and enqueue (clinician)', pams, { connections: CONNECTIONS.note, method: 'POST', headers: { ...auth, ...json }, requests: [noteRequest] });
    process.stdout.write(`Reminders: ${reminders.toLocaleString('en')} plan items due, one worker then two\n`);
    const reminderRuns = await benchReminders({ url: db.url, practiceId: seeded.practiceId, encryptionKeys, items: reminders, log: (line) => process.stdout.write(`${line}\n`) });
    rows.submit!.note = `${workload.used.submitted.toLocaleString('en')} of ${started.length.toLocaleString('en')} started assessments used`;
    rows.book!.note = `${workload.used.booked.toLocaleString('en')} distinct slots tried; CONFLICT (409): ${rows.book!.result.statusCodeStats['409']?.count ?? 0}`;

    // When an aim is missed, the queries behind it, as the server sends them.
    const slowSearch = rows.searchFragment!.result.latency.p99 >= AIMS.searchP99 || rows.searchFullName!.result.latency.p99 >= AIMS.searchP99;
    const plans = slowSearch ? await explainSearches(serverEnv, clinician.id, [...FRAGMENTS, exampleName(seeded)]) : [];
    const chartStatements = rows.chart!.result.latency.p99 >= AIMS.chartP99 ? await explainChart(serverEnv, clinician.id, seeded.sample.ids[0]!) : null;

    const billing = await runBilling();
    const imports = await runImports();
    const files = await runFiles();
    const streams = await runStreams();
    const day = await runDay();
    const noteRow = rows.noteCreate!.result;
    const careLoop = renderRemindersSection(
      reminderRuns,
      `\`notes.create\` (the body sealed under a new data key, earlier steps cancelled, the extraction job enqueued): ${n(noteRow.requests.mean)} requests/s, p99 ${noteRow.latency.p99} ms at ${CONNECTIONS.note} connections (see the results table).`,
    );
    const report =
      `${renderReport({ rows, seeded, patients, plans, chartStatements, loadBefore, postgresVersion: db.postgresVersion })}\n${careLoop}` +
      renderBilling(billing, rows) +
      renderFhirExport(fhirExport, patients) +
      renderImports(imports) +
      renderFiles(files) +
      renderStreams(streams) +
      renderDay(day, dayTiming);
    await writeFile(path.join(ROOT, 'bench', 'results.md'), report);
    process.stdout.write(`\n${report}`);
    // Thrown, not `process.exitCode`: embedded-postgres's exit hook ends the process with code 0.
    const failed = Object.values(rows).filter((x) => failures(x) > 0);
    if (failed.length) throw new Error(`Some requests failed (${failed.map((x) => x.label).join(', ')}): these figures are not a clean measurement.`);
  } finally {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((e: unknown) => console.error('cleanup failed:', e));
    }
  }
}

// --- What each run sends ---------------------------------------------------------------------------

/**
 * The requests of the new runs. Each request gets its own input: a search term, a patient, a started
 * assessment or a free slot, drawn in `setupRequest`. Warm-up and measured run share the counters, so
 * no assessment is submitted twice and no slot is booked twice.
 */
function makeWorkload(pams: string, seeded: Seeded, clinicianId: string, started: string[]) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
  const patients = seeded.sample.ids;
  const used = { submitted: 0, booked: 0 };
  const searchPath = (query: string) => `/trpc/patients.search?input=${encodeURIComponent(JSON.stringify({ query }))}`;
  const chartPath = (id: string) => `/trpc/patients.chart?input=${encodeURIComponent(JSON.stringify({ id }))}`;

  // Mostly low scores, item 9 rarely above "not at all" (which raises an alert), as in the seed.
  const answers = () => {
    const a: Record<string, string> = {};
    for (let i = 1; i <= 9; i++) a[`phq9.${i}`] = i === 9 && Math.random() < 0.93 ? 'not-at-all' : pick(['not-at-all', 'not-at-all', 'several-days', 'more-than-half', 'nearly-every-day']);
    a.difficulty = pick(['not-difficult-at-all', 'somewhat-difficult', 'very-difficult']);
    return a;
  };
  const submitBody = () => JSON.stringify({ id: started[used.submitted++ % started.length], answers: answers() });

  // The clinician's own diary from next Monday on. Patient k mod P has slot k: with P ≥ 1 no patient has two visits at one time.
  const bookBody = () => {
    const k = used.booked++;
    return JSON.stringify({ clinicianId, patientId: patients[k % patients.length], typeId: seeded.appointmentTypeId, startsAt: bookableSlot(seeded.timeZone, k) });
  };

  return {
    used,
    search: (queries: readonly string[]): Request => ({ setupRequest: (r) => ({ ...r, path: searchPath(pick(queries)) }) }),
    chart: (): Request => ({ setupRequest: (r) => ({ ...r, path: chartPath(pick(patients)) }) }),
    submit: (): Request => ({ method: 'POST', path: '/trpc/assessments.submit', setupRequest: (r) => ({ ...r, body: submitBody() }) }),
    book: (): Request => ({ method: 'POST', path: '/trpc/appointments.book', setupRequest: (r) => ({ ...r, body: bookBody() }) }),
    /** One request of each kind, answered as expected, before anything is measured. */
    async check(auth: Record<string, string>) {
      const call = async (pathAndQuery: string, body?: string) => {
        const response = await fetch(`${pams}${pathAndQuery}`, body ? { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body } : { headers: auth });
        const text = await response.text();
        if (!response.ok) throw new Error(`${pathAndQuery.split('?')[0]} answered ${response.status}: ${text.slice(0, 500)}`);
        return (JSON.parse(text) as { result: { data: Record<string, unknown> } }).result.data;
      };
      const search = await call(searchPath('mar'));
      const byName = await call(searchPath(seeded.sample.names[0]!));
      const chart = await call(chartPath(patients[0]!));
      const submitted = await call('/trpc/assessments.submit', submitBody());
      const booked = await call('/trpc/appointments.book', bookBody());
      const count = (x: unknown) => (Array.isArray(x) ? x.length : 0);
      if (!count(search.items) || !count(byName.items) || !count(chart.observations) || submitted.status !== 'submitted' || booked.status !== 'booked') {
        throw new Error('A check request did not answer as expected');
      }
      process.stdout.write(
        `Checked as ${seeded.clinicians[0]!.email}: 'mar' → ${count(search.items)} patients on the first page, '${seeded.sample.names[0]}' → ${count(byName.items)}; ` +
          `a chart has ${count(chart.observations)} observations, ${count(chart.medications)} medications, ${count(chart.allergies)} allergies; ` +
          `submit → ${submitted.status} (total ${submitted.total}); book → ${booked.status} at ${booked.startsAt}\n`,
      );
    },
  };
}

// --- Processes and the database --------------------------------------------------------------------

/** A fresh database: on DATABASE_URL's server when set, else on an embedded PostgreSQL in a temp dir. */
async function openDatabase(cleanups: Cleanup[]): Promise<Database> {
  let adminUrl = process.env.DATABASE_URL;
  let restart: Database['restart'];
  if (!adminUrl) {
    // The temp dir is the data dir itself: as root it is handed to the postgres user, and an ephemeral
    // server deletes it on stop, also when embedded-postgres's own exit hook stops it on Ctrl-C.
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'pams-bench-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const server = await startEmbeddedPostgres({
      dataDir,
      port: 20000 + Math.floor(Math.random() * 20000),
      ephemeral: true,
      flags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300'],
    });
    cleanups.push(server.stop);
    adminUrl = server.url('postgres');
    restart = server.restart;
  }
  const name = `pams_bench_${randomBytes(6).toString('hex')}`;
  const postgresVersion = await withClient(adminUrl, async (admin) => {
    await admin.query(`create database "${name}"`);
    return (await admin.query<{ version: string }>('select version()')).rows[0]!.version;
  });
  cleanups.push(() => withClient(adminUrl, (admin) => admin.query(`drop database if exists "${name}" with (force)`)));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), postgresVersion, ...(restart && { restart }) };
}

async function migrate(url: string): Promise<void> {
  const orm = await initOrm(url);
  try {
    await orm.migrator.up();
  } finally {
    await closeOrm(orm);
  }
}

const stopping = new WeakSet<ChildProcess>();
const hasExited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/** `node <args>` on a free port, with only the env given (plus PATH); returns its URL and pid once `readyPath` answers 200. */
async function startServer(cleanups: Cleanup[], args: string[], readyPath: string, env: Record<string, string>, headers: Record<string, string> = {}): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.once('exit', (code, signal) => {
    if (!stopping.has(child)) console.error(`${args.join(' ')} exited early (${signal ?? `code ${code}`})`);
  });
  cleanups.push(() => stopChild(child));
  const url = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 30_000; ; await sleep(100)) {
    if (hasExited(child)) throw new Error(`${args.join(' ')} exited before it was ready`);
    if (Date.now() > deadline) throw new Error(`${args.join(' ')} was not ready within 30 s`);
    const response = await fetch(`${url}${readyPath}`, { headers }).catch(() => null);
    if (response?.status === 200) return { url, pid: child.pid! };
  }
}

/** `pams worker` with only the env given (plus PATH), stopped at clean-up; returns its pid. */
function startWorker(cleanups: Cleanup[], env: Record<string, string>): number {
  const child = spawn(process.execPath, ['cli/pams.ts', 'worker'], { cwd: ROOT, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
  child.once('exit', (code, signal) => {
    if (!stopping.has(child)) console.error(`pams worker exited early (${signal ?? `code ${code}`})`);
  });
  cleanups.push(() => stopChild(child));
  return child.pid!;
}

/** SIGINT lets the server drain and close its pools; SIGKILL only if it hangs. */
async function stopChild(child: ChildProcess): Promise<void> {
  stopping.add(child);
  if (hasExited(child)) return;
  const exited = once(child, 'exit');
  child.kill('SIGINT');
  const hang = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(hang);
}

async function login(url: string, credentials: { email: string; password: string }): Promise<string> {
  const response = await fetch(`${url}/trpc/auth.login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(credentials) });
  if (!response.ok) throw new Error(`login failed: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { result: { data: { token: string } } };
  return body.result.data.token;
}

function measure(label: string, options: Omit<Options, 'duration' | 'warmup'>): PromiseLike<Result> {
  process.stdout.write(`${label}: ${WARMUP_S} s warm-up, ${DURATION_S} s measured, ${options.connections} connections\n`);
  return autocannon({ ...options, duration: DURATION_S, warmup: { duration: WARMUP_S } });
}

// --- The report -------------------------------------------------------------------------------------

const n = (x: number) => Math.round(x).toLocaleString('en');

/** A full name to show and explain: one with accents and a short word if the sample has one. */
const exampleName = (seeded: Seeded) => seeded.sample.names.find((x) => /^José Ó/.test(x)) ?? seeded.sample.names.find((x) => /^\S*[^\x00-\x7f]\S* (Ó|Ní|Mac) /.test(x)) ?? seeded.sample.names[0]!;

/** Failed requests of a row: errors, timeouts and non-2xx answers other than the statuses it allows. */
function failures({ result, allowed = [] }: Row): number {
  const allowedCount = allowed.reduce((n, status) => n + (result.statusCodeStats[String(status)]?.count ?? 0), 0);
  return result.errors + result.timeouts + result.non2xx - allowedCount;
}

type ReportInput = {
  rows: Record<string, Row>;
  seeded: Seeded;
  patients: number;
  plans: SearchPlan[];
  chartStatements: ChartStatements | null;
  loadBefore: number[];
  postgresVersion: string;
};

function renderReport({ rows, seeded, patients, plans, chartStatements, loadBefore, postgresVersion }: ReportInput): string {
  const r = (key: string) => rows[key]!.result;
  const share = r('me').requests.mean / r('baseline').requests.mean;
  const searchP99 = Math.max(r('searchFragment').latency.p99, r('searchFullName').latency.p99);
  const chartP99 = r('chart').latency.p99;
  const adminSearchP99 = r('searchAdmin').latency.p99;
  const verdict = (met: boolean) => (met ? '**Met**' : '**Not met**');
  const non2xx = (x: Result) => {
    const codes = Object.entries(x.statusCodeStats).filter(([code]) => !code.startsWith('2'));
    return codes.length ? `${x.non2xx} (${codes.map(([code, { count }]) => `${code}: ${count}`).join(', ')})` : String(x.non2xx);
  };
  const table = Object.values(rows)
    .map(
      (x) =>
        `| ${x.label} | ${x.connections} | ${n(x.result.requests.mean)} | ${x.result.latency.p50} | ${x.result.latency.p99} | ${x.result.errors + x.result.timeouts} / ${non2xx(x.result)} | ${x.serverCpuMs === null ? '–' : x.serverCpuMs.toFixed(2)} |`,
    )
    .join('\n');
  const notes = Object.values(rows)
    .filter((x) => x.note)
    .map((x) => `- ${x.label}: ${x.note}.`)
    .join('\n');
  const seededRows = Object.values(seeded.rows).reduce((a, b) => a + b, 0);
  const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const loads = (l: number[]) => l.map((x) => x.toFixed(2)).join(', ');
  const cpus = os.cpus();

  return `# PAMS throughput

Written by \`npm run bench -- --patients ${patients}\` on ${new Date().toISOString()}${gitRevision()}.

## Aims

| aim | measured | |
|---|---|---|
| \`auth.me\` at least ${AIMS.meShare * 100}% of the baseline's requests/s | ${(share * 100).toFixed(1)}% | ${verdict(share >= AIMS.meShare)} |
| patient search p99 under ${AIMS.searchP99} ms at ${n(patients)} patients, as a clinician, ${CONNECTIONS.search} connections (worse of fragment and full name) | ${searchP99} ms | ${verdict(searchP99 < AIMS.searchP99)} |
| \`patients.chart\` p99 under ${AIMS.chartP99} ms, ${CONNECTIONS.chart} connections | ${chartP99} ms | ${verdict(chartP99 < AIMS.chartP99)} |
| an admin's fragment search over all ${n(patients)} patients p99 under ${AIMS.searchP99} ms, ${CONNECTIONS.search} connections | ${adminSearchP99} ms | ${verdict(adminSearchP99 < AIMS.searchP99)} |

## Results

| endpoint | connections | requests/s (mean) | p50 ms | p99 ms | errors / non-2xx | server CPU ms/request |
|---|---:|---:|---:|---:|---:|---:|
${table}

Each run: ${WARMUP_S} s warm-up, then ${DURATION_S} s measured, by autocannon in the bench process. Each server runs in its
own process on the same machine, against the same PostgreSQL, so client, server and database share the CPU.
The PAMS server runs with \`NODE_ENV=development\`, \`LOG_LEVEL=warn\` and the Dockerfile's heap sizes (\`NODE_OPTIONS=${PRODUCTION_NODE_OPTIONS}\`);
the login limits are raised out of the way.
Latencies are of a closed loop: each connection sends its next request when the last one is answered, so once
the server is saturated, latency is about connections ÷ requests/s; the "one at a time" rows show latency
without queueing. "Server CPU" is the CPU time the server process (PAMS, or the baseline) used, warm-up
included, divided by the requests it answered: PostgreSQL's own work is not in it.

- \`auth.me\`, the baseline and \`auth.login\` run as the admin; everything else as \`${seeded.clinicians[0]!.email}\`, a clinician
  who sees only the ${n(patients / seeded.clinicians.length)} patients of their care team (admins see all ${n(patients)}; the admin row is for comparison).
- Search: each request sends one \`query\`, drawn at random: a fragment from ${FRAGMENTS.map((f) => `\`${f}\``).join(', ')}, or the full
  "given family" name of one of ${n(seeded.sample.names.length)} of the clinician's patients (e.g. \`${exampleName(seeded)}\`).
- Chart: a random patient of ${n(seeded.sample.ids.length)} on the clinician's care team (each has 3 records and 1 assessment).
- Submit: each request submits its own PHQ-9, started in bulk beforehand (in progress, no answers), with all answers.
- Book: each request books the clinician's next free ${APPOINTMENT_MINUTES}-minute slot in their weekly hours (Mon–Fri ${HOURS.start}–${HOURS.end}, ${seeded.timeZone}),
  from next Monday on, for a patient of their care team; a CONFLICT (slot taken) is counted, not retried.
${notes}

## Seed

${n(patients)} patients, seeded in **${secs(seeded.ms.total)}** (${n(seededRows / (seeded.ms.total / 1000))} rows/s): practice, admin and ${seeded.clinicians.length} clinicians
through PAMS's services (Argon2 passwords) and the built-in questionnaires in ${secs(seeded.ms.setup)}; ${n(seededRows)} rows in bulk
(\`INSERT … SELECT * FROM unnest(…)\`, ${n(BATCH)} patients a transaction, two connections) in ${secs(seeded.ms.bulk)}; \`ANALYZE\` in ${secs(seeded.ms.analyze)}.

| table | rows |
|---|---:|
${Object.entries(seeded.rows)
  .map(([table, count]) => `| ${table} | ${n(count)} |`)
  .join('\n')}

Each patient is on one clinician's care team and has an observation, a medication and an allergy or a
second observation (each with its \`created\` revision), one submitted PHQ-9 (scored by PAMS's scoring code;
an alert when item 9 is above zero) and, for every third patient of each clinician, one completed visit in
the past.
${renderFindings(rows, plans, chartStatements)}
## Machine

- CPU: ${cpus[0]?.model ?? 'unknown'} × ${cpus.length}
- Memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB
- OS: ${os.type()} ${os.release()}
- Node: ${process.version}
- Load average (1, 5, 15 min) as the bench started: ${loads(loadBefore)}. Other work on the machine takes CPU from the
  bench: compare figures only between runs that started on a similarly idle machine.

## Versions

- hono ${versionOf('hono')}, @hono/node-server ${versionOf('@hono/node-server')}
- @trpc/server ${versionOf('@trpc/server')}
- @mikro-orm/core ${versionOf('@mikro-orm/core')}
- pg ${versionOf('pg')}
- ${postgresVersion}
- autocannon ${versionOf('autocannon')}
`;
}

type Billing = { seed: BillingSeed; numbering: Numbering; issued: number };

/** The Billing section: the seed, the runs (also in the results table of a full run), whether numbering stayed gapless. */
function renderBilling({ seed, numbering, issued }: Billing, rows: Record<string, Row>, provenance?: string): string {
  const row = (key: string) => rows[key]!;
  const line = (key: string) => {
    const { label, connections, result } = row(key);
    return `| ${label} | ${connections} | ${n(result.requests.mean)} | ${result.latency.p50} | ${result.latency.p99} | ${result.errors + result.timeouts} / ${result.non2xx} |`;
  };
  const reportP99 = Math.max(row('ageing').result.latency.p99, row('revenue').result.latency.p99);
  const years = numbering.years.map((y) => `${y.year}: ${n(y.numbered)} numbered, last ${n(y.lastValue)}${y.gapless ? '' : ' **with gaps**'}`).join('; ');
  return `
## Billing
${provenance ? `\n${provenance}\n` : ''}
${n(seed.invoices)} issued invoices (${n(seed.lines)} lines, each from a charge of one of the clinicians; GST 18% and 12% as CGST + SGST,
and an exempt service; ${n(seed.creditNotes)} voided by a credit note; ${n(seed.open)} still open, issued or partly paid; 15% to insurers)
over the last 12 months, and ${n(seed.drafts.length)} one-line drafts, seeded in **${(seed.ms / 1000).toFixed(1)} s** by set-based SQL in one transaction.

| endpoint | connections | requests/s (mean) | p50 ms | p99 ms | errors / non-2xx |
|---|---:|---:|---:|---:|---:|
${['issue', 'ageing', 'revenue', 'revenueByClinician', 'ageing1'].map(line).join('\n')}

- Aim: \`reports.ageing\` and \`reports.revenue\` p99 under ${BILLING.reportP99} ms at ${n(seed.invoices)} invoices, ${CONNECTIONS.report} connections: ${reportP99} ms, ${reportP99 < BILLING.reportP99 ? '**met**' : '**not met**'}.
- \`invoices.issue\`: ${n(issued)} drafts issued, each request its own; every issue takes the next number of the practice's series in its
  transaction, so issues queue on the series' row. Numbering afterwards: ${numbering.gapless ? '**gapless**' : '**NOT gapless**'} (${years}).
- Ageing counts days past due today; revenue covers the 12 months to the end of this month, per month (whole invoices, and
  by clinician). One SQL statement each. Revenue sums the practice's days (\`revenue_day\`, kept in each issuing transaction;
  the bench's rows are worked out once after the seed): this period starts and ends at the practice's midnight, so no document
  is read itself; a period ending now would also read the documents of today so far.
- The machine has 2 cores shared by autocannon, the server, PostgreSQL and whatever else runs: figures are noisy.
`;
}

/** Replaces the `heading` section of bench/results.md with `section` (or puts it before Machine when it has none). */
async function spliceResults(heading: string, section: string): Promise<void> {
  const file = path.join(ROOT, 'bench', 'results.md');
  const markdown = readFileSync(file, 'utf8');
  const start = markdown.indexOf(`\n## ${heading}\n`);
  let spliced: string;
  if (start >= 0) {
    const end = markdown.indexOf('\n## ', start + 1);
    spliced = markdown.slice(0, start) + section + (end >= 0 ? markdown.slice(end) : '');
  } else {
    const machine = markdown.indexOf('\n## Machine\n');
    spliced = machine >= 0 ? markdown.slice(0, machine) + section + markdown.slice(machine) : markdown + section;
  }
  await writeFile(file, spliced);
}

/** Why an aim was missed, from the plans and statements taken after the runs: said only when they show it. */
function renderFindings(rows: Record<string, Row>, plans: SearchPlan[], chart: ChartStatements | null): string {
  const me = rows.me!;
  const base = rows.baseline!;
  const slowMe = me.result.requests.mean < AIMS.meShare * base.result.requests.mean;
  if (!plans.length && !chart && !slowMe) return '';
  const lines = ['', '## Findings', ''];
  if (slowMe && me.serverCpuMs !== null && base.serverCpuMs !== null) {
    lines.push(
      `**\`auth.me\`.** Both servers send the same one session query; the PAMS process spends ${me.serverCpuMs.toFixed(2)} ms of CPU per request, the`,
      `baseline ${base.serverCpuMs.toFixed(2)} ms. The gap is in the server (tRPC, MikroORM, PAMS's middleware), not in PostgreSQL.`,
      '',
    );
  }
  if (plans.length) {
    const one = rows.searchFragment1!;
    const cpu = one.serverCpuMs ?? 0;
    const slowest = plans.reduce((a, b) => (b.executionMs > a.executionMs ? b : a));
    lines.push(
      `**Search.** One at a time, a fragment search takes ${one.result.latency.p50} ms (p50) and ${one.result.latency.p99} ms (p99); the server process spends`,
      `${cpu.toFixed(1)} ms of CPU on each${one.result.latency.p50 > 2 * cpu ? ', and the rest is PostgreSQL' : ''}. With ${rows.searchFragment!.connections} connections the searches queue behind each other.`,
      "Below, the SQL `searchPatients` sends for the clinician (from MikroORM's query log; it reads the care-team rows of the clinician, which copy their patients' names), timed by `EXPLAIN (ANALYZE, BUFFERS)`",
      'alone, warm:',
      '',
      '| query | results | how the patients are found | execution ms |',
      '|---|---:|---|---:|',
      ...plans.map((p) => `| \`${p.query}\` | ${p.results} | ${patientAccess(p.plan)} | ${p.executionMs.toFixed(1)} |`),
      '',
      `<details><summary>SQL and plan of \`${slowest.query}\`, the slowest</summary>`,
      '',
      '```',
      slowest.sql,
      '',
      ...slowest.plan,
      '```',
      '',
      '</details>',
      '',
    );
  }
  if (chart) {
    const one = rows.chart1!;
    const many = rows.chart!;
    const selects = chart.statements.filter((s) => s.startsWith('select '));
    lines.push(
      `**Chart.** The ${selects.length} SELECTs of a chart execute in ${chart.selectMs.toFixed(2)} ms in all; the server process spends ${many.serverCpuMs?.toFixed(1) ?? '?'} ms`,
      `of CPU per chart (\`auth.me\`: ${rows.me!.serverCpuMs?.toFixed(2) ?? '?'} ms)${chart.selectMs * 5 < (many.serverCpuMs ?? 0) ? ': the time goes to the server, not to PostgreSQL' : ''}. One core then serves at most about`,
      `${n(1000 / (many.serverCpuMs ?? 1))} charts/s, and ${many.connections} connections queue behind it (one at a time: p50 ${one.result.latency.p50} ms, p99 ${one.result.latency.p99} ms).`,
      `A chart is ${chart.statements.length + 1} statements, each a round trip that MikroORM builds and reads: the credential lookup, then`,
      '',
      ...chart.statements.map((s) => `- \`${s.length > 150 ? `${s.slice(0, 147)}…` : s}\``),
      '',
    );
  }
  return lines.join('\n');
}

/** " at commit abc1234", and whether code (not bench/, not docs) had changed since; nothing outside a git checkout. */
function gitRevision(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', '.', ':!bench', ':!*.md'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return ` at commit ${commit}${dirty ? ' with uncommitted code changes' : ''}`;
  } catch {
    return '';
  }
}

function versionOf(name: string): string {
  return (JSON.parse(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

await main();
