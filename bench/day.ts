import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setImmediate as yieldToAnswers, setTimeout as sleep } from 'node:timers/promises';
import { DateTime } from 'luxon';
import { Pool } from 'undici';
import { v7 } from 'uuid';
import { loadConfig } from '../server/config.ts';
import { sealNote, sealPassage } from '../server/modules/notes/note-crypto.ts';
import { answerFromBulletLines, startFakeLlm } from '../tests/fake-llm.ts';
import { startSmtpCapture, tokenFromMail } from '../tests/smtp-capture.ts';
import { renderDayChart, type ChartPoint } from './day-chart.ts';
import { startProbe, type ProbeSample } from './day-probe.ts';
import { freePort } from './free-port.ts';
import { memoryOf } from './proc.ts';
import { withClient } from './pg-client.ts';
import { startSmtpSink } from './reminders.ts';
import { BENCH_NOTE, bookableSlot, startAssessments, type Seeded } from './seed.ts';

/**
 * "A practice's day": one weighted mix of what clinicians, patients on the portal and the admin do,
 * sent by simulated users with sessions of their own, while a `pams worker` runs the jobs (the notes'
 * LLM extraction against a local fake OpenAI-compatible server, reminders and message mails into a
 * local SMTP sink). Four runs of the same mix: the peak (closed loop), the aim (900 requests/s), a soak
 * at 80% of the peak, and PostgreSQL restarted in the middle of another run at 80% of the peak.
 * Every write answered 200 is looked up in the database afterwards.
 *
 * The load is sent from here on undici's pool (drive): autocannon's rate limit sends each connection's
 * share of a second at the top of the second (a burst, then idle), and its latencies start when a request
 * is sent, not when it was due, so a server falling behind would not show it.
 */

const ROOT = path.resolve(import.meta.dirname, '..');
export const DAY_AIM = { rate: 900, p99: 50 };
const CONNECTIONS = 64;
/** Of the connections: one admin, this share of portal seats, and the rest clinicians' sessions. */
const PATIENT_SHARE = 0.35;
const PORTAL_PATIENTS_PER_CLINICIAN = 30;
/** A portal visit: this many requests by one patient, then the seat passes to the next patient. */
const VISIT_REQUESTS = 7;
/** Patients of each clinician that the clinicians' requests draw from. */
const PATIENTS_PER_CLINICIAN = 200;
/** The bookings start this many slots into each diary: clear of the bench's `appointments.book` run. */
const FIRST_SLOT = 20_000;
/** For sizing the pools of started assessments and plan items: no run here goes faster than this. */
const MAX_RATE = 2_000;
const PORTAL_PASSWORD = 'bench-portal-password';
const FRAGMENTS = ['mar', 'jos', 'mül', 'bri', 'kel', 'ann', 'gar', 'sch', 'nguy', 'pat'];
const TIMEOUT_S = 10;
/** The open loop's bound on requests awaiting an answer (and its pool's connections). */
const MAX_IN_FLIGHT = 512;
/** Plan items due during the runs (one a portal patient), for the reminders sweep to send. */
const DUE_SPREAD_MINUTES = 15;

type Role = 'clinician' | 'patient' | 'admin';
type Table = 'clinical_record' | 'assessment' | 'note' | 'appointment' | 'message' | 'step';
type RequestParams = { method: 'GET' | 'POST'; path: string; body?: string; headers?: Record<string, string> };
type Kind = { key: string; role: Role; weight: number; label: string; write?: Table };

/**
 * The weights, per role, out of 100 requests of that role. A clinician's are counted per consultation
 * (one every 20 minutes, each with one note): about 3 searches, 6 chart reads, 2 looks at the diary and
 * 2 page loads (`auth.me`), 1–2 vital signs recorded, a PHQ-9, the note, a follow-up booked, and a
 * message read and another sent. A portal visit (7 requests) is a page load, two reads of the record,
 * the appointments, the plan, the messages, and in most visits a check-in or a message. The admin
 * watches the practice's diary and the staff list.
 */
export const KINDS: Kind[] = [
  { key: 'chart', role: 'clinician', weight: 28, label: '`patients.chart`' },
  { key: 'search', role: 'clinician', weight: 16, label: '`patients.search` (2 in 3 a name fragment, else a full name)' },
  { key: 'diary', role: 'clinician', weight: 10, label: "`appointments.list`, the clinician's day" },
  { key: 'me', role: 'clinician', weight: 10, label: '`auth.me`' },
  { key: 'observe', role: 'clinician', weight: 8, label: '`observations.create`, a vital sign', write: 'clinical_record' },
  { key: 'readMessages', role: 'clinician', weight: 8, label: "`messages.list`, a patient's conversation" },
  { key: 'submit', role: 'clinician', weight: 5, label: '`assessments.submit`, a PHQ-9', write: 'assessment' },
  { key: 'note', role: 'clinician', weight: 5, label: '`notes.create` (enqueues the LLM extraction)', write: 'note' },
  { key: 'book', role: 'clinician', weight: 5, label: '`appointments.book`, a follow-up', write: 'appointment' },
  { key: 'send', role: 'clinician', weight: 5, label: '`messages.send` to a patient', write: 'message' },
  { key: 'records', role: 'patient', weight: 25, label: '`portal.records`, the portal record' },
  { key: 'patientMe', role: 'patient', weight: 15, label: '`auth.me`' },
  { key: 'appointments', role: 'patient', weight: 15, label: '`appointments.list`, their own' },
  { key: 'steps', role: 'patient', weight: 15, label: '`steps.list`, their plan' },
  { key: 'patientMessages', role: 'patient', weight: 12, label: '`messages.list`, their conversation' },
  { key: 'checkIn', role: 'patient', weight: 10, label: '`steps.checkIn` for a plan item', write: 'step' },
  { key: 'patientSend', role: 'patient', weight: 8, label: '`messages.send` to the care team', write: 'message' },
  { key: 'practiceDiary', role: 'admin', weight: 50, label: "`appointments.list`, the practice's day" },
  { key: 'adminMe', role: 'admin', weight: 25, label: '`auth.me`' },
  { key: 'users', role: 'admin', weight: 25, label: '`users.list`' },
];

export type DayTiming = { peakS: number; aimS: number; soakMinutes: number; faultS: number };

export type DayOptions = {
  /** Starts `pams serve` with these env additions; returns its URL and pid. */
  start: (env: Record<string, string>) => Promise<{ url: string; pid: number }>;
  /** Starts `pams worker` with these env additions (stopped by the caller's clean-up). */
  startWorker: (env: Record<string, string>) => number;
  login: (url: string, credentials: { email: string; password: string }) => Promise<string>;
  dbUrl: string;
  encryptionKeys: string;
  seeded: Seeded;
  admin: { email: string; password: string };
  clinicianPassword: string;
  /** Restarts PostgreSQL (absent when the bench runs on a server of DATABASE_URL's: no fault run then). */
  restartDatabase?: () => Promise<void>;
  timing: DayTiming;
  log: (line: string) => void;
};

// --- Who sends what --------------------------------------------------------------------------------

type Clinician = {
  id: string;
  patients: string[];
  /** A new note cancels the patient's earlier plan items: notes are written for these, who have no portal account (and plan items checked in from it). */
  offPortal: string[];
  names: string[];
  conversations: string[];
  started: string[];
  nextStarted: number;
  nextSlot: number;
};
type Portal = { patientId: string; token: string; conversationId: string; steps: string[]; nextStep: number };
type Setup = { clinicians: (Clinician & { tokens: string[] })[]; portals: Portal[]; adminToken: string; dayFrom: string; dayTo: string };

const json = (x: unknown) => JSON.stringify(x);
const query = (procedure: string, input?: unknown) => `/trpc/${procedure}${input === undefined ? '' : `?input=${encodeURIComponent(json(input))}`}`;
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;

function drawKind(role: Role): Kind {
  const kinds = KINDS.filter((k) => k.role === role);
  let r = Math.random() * kinds.reduce((s, k) => s + k.weight, 0);
  for (const k of kinds) if ((r -= k.weight) < 0) return k;
  return kinds.at(-1)!;
}

/** The request of `kind` for this user: one method, path and body, with its session. */
function requestFor(kind: Kind, setup: Setup, timeZone: string, typeId: string, who: { clinician?: Clinician; portal?: Portal }): RequestParams {
  const get = (path: string): RequestParams => ({ method: 'GET', path });
  const post = (procedure: string, input: unknown): RequestParams => ({ method: 'POST', path: `/trpc/${procedure}`, body: json(input) });
  const c = who.clinician!;
  const p = who.portal!;
  switch (kind.key) {
    case 'chart':
      return get(query('patients.chart', { id: pick(c.patients) }));
    case 'search':
      return get(query('patients.search', { query: Math.random() < 2 / 3 ? pick(FRAGMENTS) : pick(c.names) }));
    case 'diary':
      return get(query('appointments.list', { clinicianId: c.id, from: setup.dayFrom, to: setup.dayTo }));
    case 'me':
    case 'patientMe':
    case 'adminMe':
      return get('/trpc/auth.me');
    case 'observe':
      return post('observations.create', {
        patientId: pick(c.patients),
        fields: {
          category: 'vital-signs',
          name: 'Heart rate',
          code: { system: 'http://loinc.org', code: '8867-4' },
          valueNumber: 60 + Math.floor(Math.random() * 40),
          unit: '/min',
          effectiveAt: new Date().toISOString(),
        },
      });
    case 'readMessages':
      return get(query('messages.list', { conversationId: pick(c.conversations) }));
    case 'submit': {
      // Sized for MAX_RATE; were they to run out, a second submit of one is a CONFLICT, counted as failed.
      const id = c.started[c.nextStarted++ % c.started.length];
      return post('assessments.submit', { id, answers: phq9Answers() });
    }
    case 'note':
      return post('notes.create', { patientId: pick(c.offPortal), body: BENCH_NOTE });
    case 'book': {
      const k = c.nextSlot++;
      return post('appointments.book', { clinicianId: c.id, patientId: c.patients[k % c.patients.length], typeId, startsAt: bookableSlot(timeZone, k) });
    }
    case 'send':
      return post('messages.send', { conversationId: pick(c.conversations), body: 'Your results are back and look fine. See you at the review.' });
    case 'records':
      return get('/trpc/portal.records');
    case 'appointments':
      return get(query('appointments.list', { patientId: p.patientId }));
    case 'steps':
      return get(query('steps.list', { patientId: p.patientId }));
    case 'patientMessages':
      return get(query('messages.list', { conversationId: p.conversationId }));
    case 'checkIn': {
      // As the assessments: a second check-in of one plan item would be a CONFLICT.
      return post('steps.checkIn', { id: p.steps[p.nextStep++ % p.steps.length] });
    }
    case 'patientSend':
      return post('messages.send', { conversationId: p.conversationId, body: 'Thank you. My blood pressure this morning was 135/85.' });
    case 'practiceDiary':
      return get(query('appointments.list', { from: setup.dayFrom, to: setup.dayTo }));
    case 'users':
      return get(query('users.list', {}));
    default:
      throw new Error(`no request for ${kind.key}`);
  }
}

/** Mostly low scores, item 9 rarely above "not at all" (which raises an alert), as in the seed. */
function phq9Answers() {
  const a: Record<string, string> = {};
  for (let i = 1; i <= 9; i++) a[`phq9.${i}`] = i === 9 && Math.random() < 0.93 ? 'not-at-all' : pick(['not-at-all', 'not-at-all', 'several-days', 'more-than-half', 'nearly-every-day']);
  a.difficulty = pick(['not-difficult-at-all', 'somewhat-difficult', 'very-difficult']);
  return a;
}

/**
 * The connections: connection 0 is the admin, then portal seats and clinicians' sessions in turn (a
 * clinician signed in at several desks; each session its own login). A seat serves one patient for a
 * visit, then the next patient of all the portal accounts.
 */
function makeUsers(setup: Setup, seeded: Seeded) {
  const seats = portalSeats();
  const withAuth = (kind: Kind, who: { clinician?: Clinician; portal?: Portal }, token: string) => ({
    ...requestFor(kind, setup, seeded.timeZone, seeded.appointmentTypeId, who),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    kind,
  });
  let nextPortal = 0;
  let sessions = 0;
  const users: { role: Role; next: () => RequestParams & { kind: Kind } }[] = [{ role: 'admin', next: () => withAuth(drawKind('admin'), {}, setup.adminToken) }];
  for (let i = 1; i < CONNECTIONS; i++) {
    // The seats spread evenly among the clinicians' sessions.
    if (Math.floor((i * seats) / (CONNECTIONS - 1)) > Math.floor(((i - 1) * seats) / (CONNECTIONS - 1))) {
      let portal = setup.portals[nextPortal++ % setup.portals.length]!;
      let left = VISIT_REQUESTS;
      users.push({
        role: 'patient',
        next: () => {
          if (left-- === 0) {
            portal = setup.portals[nextPortal++ % setup.portals.length]!;
            left = VISIT_REQUESTS - 1;
          }
          return withAuth(drawKind('patient'), { portal }, portal.token);
        },
      });
    } else {
      const clinician = setup.clinicians[sessions % setup.clinicians.length]!;
      const token = clinician.tokens[Math.floor(sessions / setup.clinicians.length)]!;
      sessions++;
      users.push({ role: 'clinician', next: () => withAuth(drawKind('clinician'), { clinician }, token) });
    }
  }
  return users;
}

const portalSeats = () => Math.round(CONNECTIONS * PATIENT_SHARE);
/** Connections of each role: one admin, the portal seats, and clinicians' sessions. */
const connectionsOf = (role: Role) => (role === 'admin' ? 1 : role === 'patient' ? portalSeats() : CONNECTIONS - 1 - portalSeats());
/** A kind's share of all requests by the weights, connections sending alike. */
const shareOf = (kind: Kind) => (connectionsOf(kind.role) / CONNECTIONS) * (kind.weight / KINDS.filter((k) => k.role === kind.role).reduce((s, k) => s + k.weight, 0));

/** Clinicians' sessions needed: the connections that are neither the admin nor portal seats, spread over the clinicians. */
const clinicianSessions = (clinicians: number) => Math.ceil(connectionsOf('clinician') / clinicians);

// --- Measuring -------------------------------------------------------------------------------------

/** `unsent`: due in the open loop while MAX_IN_FLIGHT requests were awaiting an answer, so not sent. */
type Second = { latencies: number[]; statuses: Record<string, number>; errors: number; timeouts: number; unsent: number };
type Written = Record<Table, Set<string>>;

/** Per-second figures of one run, and the ids of every write answered 200. */
class Recorder {
  readonly seconds: Second[] = [];
  /** 2xx answers per 100 ms, for the time to recover. */
  readonly ok100ms: number[] = [];
  readonly kinds = new Map<string, number>();
  /** Non-2xx answers by kind and status, e.g. "book 409". */
  readonly failures = new Map<string, number>();
  maxLatency = 0;
  readonly startedAt: number;
  readonly written: Written;
  constructor(startedAt: number, written: Written) {
    this.startedAt = startedAt;
    this.written = written;
  }
  private second(at: number): Second {
    const s = Math.floor((at - this.startedAt) / 1000);
    while (this.seconds.length <= s) this.seconds.push({ latencies: [], statuses: {}, errors: 0, timeouts: 0, unsent: 0 });
    return this.seconds[s]!;
  }
  response(kind: Kind, status: number, body: string, ms: number) {
    const now = performance.now();
    const s = this.second(now);
    s.latencies.push(ms);
    s.statuses[status] = (s.statuses[status] ?? 0) + 1;
    this.maxLatency = Math.max(this.maxLatency, ms);
    this.kinds.set(kind.key, (this.kinds.get(kind.key) ?? 0) + 1);
    if (status < 200 || status >= 300) this.failures.set(`${kind.key} ${status}`, (this.failures.get(`${kind.key} ${status}`) ?? 0) + 1);
    else {
      const b = Math.floor((now - this.startedAt) / 100);
      while (this.ok100ms.length <= b) this.ok100ms.push(0);
      this.ok100ms[b]!++;
      if (kind.write) this.written[kind.write].add((JSON.parse(body) as { result: { data: { id: string } } }).result.data.id);
    }
  }
  /** A request that got no answer: timed out, or failed to connect or be sent. */
  error(timedOut: boolean) {
    const s = this.second(performance.now());
    if (timedOut) s.timeouts++;
    else s.errors++;
  }
  unsent() {
    this.second(performance.now()).unsent++;
  }
}

/** Percentile of a sorted array (nearest rank). */
const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : 0);
const sortedLatencies = (seconds: Second[]) => seconds.flatMap((s) => s.latencies).sort((a, b) => a - b);
const okOf = (s: Second) => Object.entries(s.statuses).reduce((n, [code, c]) => n + (code.startsWith('2') ? c : 0), 0);
const failedOf = (s: Second) => Object.entries(s.statuses).reduce((n, [code, c]) => n + (code.startsWith('2') ? 0 : c), 0) + s.errors + s.timeouts + s.unsent;

/**
 * The mix for `seconds`, on one pool of keep-alive connections (undici). Closed loop without `rate`: each
 * user sends its next request when the last is answered. With `rate`: an open loop, one request every
 * 1/rate s whatever the answers (round the users, each in its own order), and each latency counted from
 * when its request was due, so a server that falls behind shows it in the latencies (no coordinated
 * omission). A request that would exceed MAX_IN_FLIGHT is not sent and counts as failed.
 */
async function drive(url: string, users: ReturnType<typeof makeUsers>, recorder: Recorder, seconds: number, rate?: number): Promise<void> {
  const pool = new Pool(url, { connections: rate ? MAX_IN_FLIGHT : users.length, headersTimeout: TIMEOUT_S * 1000, bodyTimeout: TIMEOUT_S * 1000 });
  const inFlight = new Set<Promise<void>>();
  const send = async (user: (typeof users)[number], dueAt: number) => {
    const { kind, method, path, headers, body } = user.next();
    try {
      const res = await pool.request({ method, path, headers, body });
      recorder.response(kind, res.statusCode, await res.body.text(), performance.now() - dueAt);
    } catch (e) {
      recorder.error((e as { code?: string }).code === 'UND_ERR_HEADERS_TIMEOUT' || (e as { code?: string }).code === 'UND_ERR_BODY_TIMEOUT');
    }
  };
  const startedAt = performance.now();
  const endAt = startedAt + seconds * 1000;
  if (!rate) {
    await Promise.all(
      users.map(async (user) => {
        while (performance.now() < endAt) await send(user, performance.now());
      }),
    );
  } else {
    for (let k = 0; ; k++) {
      const dueAt = startedAt + (k * 1000) / rate;
      if (dueAt >= endAt) break;
      const wait = dueAt - performance.now();
      if (wait > 1) await sleep(wait);
      else if (k % 8 === 0) await yieldToAnswers(); // behind schedule: still read the answers
      if (inFlight.size >= MAX_IN_FLIGHT) {
        recorder.unsent();
        continue;
      }
      const sent = send(users[k % users.length]!, dueAt).finally(() => inFlight.delete(sent));
      inFlight.add(sent);
    }
    await Promise.all(inFlight);
  }
  await pool.close();
}

type ProbeFigures = { inFlightMax: number; poolWaitingMax: number; loopLagMaxMs: number; jobsDueMax: number; serverCpu: number; postgresCpu: number; workerCpu: number; machineBusy: number };

/** A stretch of the probe's seconds: the worst of the queues, the mean of the CPU. */
function probeFigures(samples: ProbeSample[]): ProbeFigures {
  const max = (f: (s: ProbeSample) => number) => samples.reduce((m, s) => Math.max(m, f(s)), 0);
  const mean = (f: (s: ProbeSample) => number) => samples.reduce((sum, s) => sum + f(s), 0) / Math.max(1, samples.length);
  return {
    inFlightMax: max((s) => s.inFlight),
    poolWaitingMax: max((s) => s.poolWaiting),
    loopLagMaxMs: max((s) => s.loopLagMs),
    jobsDueMax: max((s) => s.jobsDue),
    serverCpu: mean((s) => s.serverCpu),
    postgresCpu: mean((s) => s.postgresCpu),
    workerCpu: mean((s) => s.workerCpu),
    machineBusy: mean((s) => s.machineBusy),
  };
}

export type RunFigures = {
  name: string;
  target: string;
  seconds: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  failed: number;
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
  unsent: number;
};

function figures(name: string, target: string, r: Recorder, seconds: number): RunFigures {
  const within = r.seconds.slice(0, seconds);
  const sorted = sortedLatencies(within);
  const statuses: Record<string, number> = {};
  for (const s of within) for (const [code, c] of Object.entries(s.statuses)) statuses[code] = (statuses[code] ?? 0) + c;
  return {
    name,
    target,
    seconds,
    requestsPerSecond: within.reduce((n, s) => n + okOf(s), 0) / seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: r.maxLatency,
    failed: within.reduce((n, s) => n + failedOf(s), 0),
    statuses,
    errors: within.reduce((n, s) => n + s.errors, 0),
    timeouts: within.reduce((n, s) => n + s.timeouts, 0),
    unsent: within.reduce((n, s) => n + s.unsent, 0),
  };
}

// --- Set-up ----------------------------------------------------------------------------------------

/** One mutation of the set-up, which must answer 200. */
async function call<T = unknown>(url: string, token: string | null, procedure: string, input: unknown): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) };
  const response = await fetch(`${url}/trpc/${procedure}`, { method: 'POST', headers, body: json(input) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${procedure} answered ${response.status}: ${text.slice(0, 300)}`);
  return (JSON.parse(text) as { result: { data: T } }).result.data;
}

/** Runs `fn` over `xs`, `n` at a time. */
async function inParallel<T, R>(xs: T[], n: number, fn: (x: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(xs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < xs.length) {
        const i = next++;
        out[i] = await fn(xs[i]!, i);
      }
    }),
  );
  return out;
}

/**
 * The users: each clinician's patients and sessions; the portal accounts, invited by their clinician
 * through `patients.invitePortal` and accepted from the mailed link (`invites.accept` answers the
 * session); a care-team conversation each; plan items to check in and PHQ-9s to submit (in bulk).
 */
async function prepare(o: DayOptions, url: string, mail: Awaited<ReturnType<typeof startSmtpCapture>>, expectedRequests: number): Promise<Setup> {
  const { seeded } = o;
  const share = (key: string) => shareOf(KINDS.find((k) => k.key === key)!);
  const sessions = clinicianSessions(seeded.clinicians.length);
  const clinicians = await withClient(o.dbUrl, async (c) => {
    const out = [];
    for (const { id, email } of seeded.clinicians) {
      const { rows } = await c.query<{ id: string; name: string }>(
        // Patients of this clinician's alone and without a portal account yet (earlier parts of the bench may
        // have added care-team members or accounts): each portal account below is then invited once.
        `select p.id, p.given_name || ' ' || p.family_name as name from care_team_member m join patient p on p.id = m.patient_id
         where m.clinician_id = $1 and p.status = 'active' and p.portal_user_id is null
           and not exists (select 1 from care_team_member o where o.patient_id = p.id and o.clinician_id <> $1)
         order by p.id limit $2`,
        [id, PATIENTS_PER_CLINICIAN],
      );
      out.push({
        id,
        email,
        patients: rows.map((r) => r.id),
        offPortal: rows.slice(PORTAL_PATIENTS_PER_CLINICIAN).map((r) => r.id),
        names: rows.map((r) => r.name),
        conversations: [] as string[],
        started: [] as string[],
        nextStarted: 0,
        nextSlot: FIRST_SLOT,
        tokens: [] as string[],
      });
    }
    return out;
  });
  for (const c of clinicians) c.tokens = await Promise.all(Array.from({ length: sessions }, () => o.login(url, { email: c.email, password: o.clinicianPassword })));
  const adminToken = await o.login(url, o.admin);

  // Portal accounts, the first patients of each clinician.
  const invitees = clinicians.flatMap((c) => c.patients.slice(0, PORTAL_PATIENTS_PER_CLINICIAN).map((patientId) => ({ c, patientId })));
  o.log(`A practice's day: ${invitees.length} portal accounts through invitePortal → mail → invites.accept…`);
  const invited = await inParallel(invitees, 4, async ({ c, patientId }, i) => {
    const email = `portal${i + 1}@bench.test`;
    await call(url, c.tokens[0]!, 'patients.invitePortal', { patientId, email });
    // A mail the server could not hand over (it logs "invite mail not sent") leaves that patient out.
    const mailed = await mail.waitForMail(email, /patient portal/, 20_000).catch(() => null);
    if (!mailed) return null;
    const token = tokenFromMail(mailed);
    const accepted = await call<{ token: string }>(url, null, 'invites.accept', { token, name: `Portal Patient ${i + 1}`, password: PORTAL_PASSWORD });
    const conversation = (await call(url, accepted.token, 'conversations.create', { patientId, kind: 'care-team', firstMessage: { body: 'Hello, I have a question about my plan.' } })) as {
      id: string;
    };
    c.conversations.push(conversation.id);
    return { patientId, token: accepted.token, conversationId: conversation.id, steps: [] as string[], nextStep: 0 };
  });
  const portals = invited.filter((p) => p !== null);
  if (portals.length < invitees.length / 2) throw new Error(`only ${portals.length} of ${invitees.length} portal invitations were mailed`);
  if (portals.length < invitees.length) o.log(`  ${invitees.length - portals.length} invitation mails not received: ${portals.length} portal accounts`);
  mail.mails.splice(0);

  const checkIns = Math.ceil((expectedRequests * share('checkIn') * 1.5) / portals.length);
  o.log(`  ${checkIns} plan items to check in per portal patient, and one due during the runs; PHQ-9s to submit…`);
  await seedPlanItems(o, portals, checkIns);
  const submits = Math.ceil((expectedRequests * share('submit') * 1.5) / clinicians.length);
  for (const c of clinicians) c.started = await startAssessments(o.dbUrl, seeded, c.id, c.patients, submits);

  const today = DateTime.now().setZone(seeded.timeZone).startOf('day');
  return { clinicians, portals, adminToken, dayFrom: today.toUTC().toISO()!, dayTo: today.plus({ days: 1 }).toUTC().toISO()! };
}

/**
 * Per portal patient: a note, `count` active daily plan items from tomorrow on (to check in; not due
 * today, so no reminders), and one due today at a time spread over the next minutes (the worker's
 * sweep sends its reminders during the runs).
 */
async function seedPlanItems(o: DayOptions, portals: Portal[], count: number) {
  const keys = loadConfig({ PAMS_ENCRYPTION_KEYS: o.encryptionKeys }).encryptionKeys;
  const now = DateTime.now().setZone(o.seeded.timeZone);
  const tomorrow = now.plus({ days: 1 }).toISODate()!;
  const yesterday = now.minus({ days: 1 }).toISODate()!;
  await withClient(o.dbUrl, async (c) => {
    const author = o.seeded.clinicians[0]!.id;
    for (const [i, portal] of portals.entries()) {
      const noteId = v7();
      const passage = 'Walk 30 minutes every day';
      const sealed = sealNote(keys, noteId, `Reviewed today.\n${passage}.`);
      await c.query(
        `insert into note (id, patient_id, kek_id, wrapped_key, body_ciphertext, practice_id, author_id, extraction_state, extraction_attempts, steps_created, steps_rejected, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, 'done', 1, $8, 0, now(), now())`,
        [noteId, portal.patientId, sealed.kekId, sealed.wrappedKey, sealed.bodyCiphertext, o.seeded.practiceId, author, count + 1],
      );
      const ids = Array.from({ length: count + 1 }, () => v7());
      const due = now.plus({ minutes: 1 + (i * DUE_SPREAD_MINUTES) / portals.length }).toFormat('HH:mm');
      await c.query(
        `insert into step (id, patient_id, note_id, practice_id, provenance_ciphertext, start_date, kind, state, title, cadence, time_of_day, created_at, updated_at)
         select s.id, $2, $3, $4, s.provenance, s.start_date, 'plan', 'active', 'Walk 30 minutes every day', 'daily', s.time_of_day, now(), now()
         from unnest($1::uuid[], $5::text[], $6::date[], $7::text[]) as s(id, provenance, start_date, time_of_day)`,
        [
          ids,
          portal.patientId,
          noteId,
          o.seeded.practiceId,
          ids.map((id) => sealPassage(sealed.dataKey, id, passage)),
          ids.map((_, k) => (k === 0 ? yesterday : tomorrow)),
          ids.map((_, k) => (k === 0 ? due : '09:00')),
        ],
      );
      portal.steps = ids.slice(1);
    }
    await c.query('analyze note; analyze step');
  });
}

/** One request of every kind, answered 200, before anything is measured. */
async function check(url: string, users: ReturnType<typeof makeUsers>) {
  const seen = new Set<string>();
  for (let tries = 0; seen.size < KINDS.length && tries < 5000; tries++) {
    const { kind, ...r } = users[tries % users.length]!.next();
    if (seen.has(kind.key)) continue;
    const response = await fetch(`${url}${r.path}`, { method: r.method, headers: r.headers, ...(r.body && { body: r.body }) });
    if (!response.ok) throw new Error(`${kind.key} (${r.method} ${r.path?.split('?')[0]}) answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
    seen.add(kind.key);
  }
  if (seen.size < KINDS.length) throw new Error(`Not every kind of request was checked: ${KINDS.filter((k) => !seen.has(k.key)).map((k) => k.key)}`);
}

// --- The runs --------------------------------------------------------------------------------------

export type DayResult = {
  connections: number;
  clinicians: number;
  portalAccounts: number;
  clinicianSessions: number;
  peak: RunFigures;
  aim: RunFigures;
  soak: RunFigures & {
    perMinute: ({ minute: number; requestsPerSecond: number; p99: number; failed: number; rssMb: number } & ProbeFigures)[];
    rssGrowthLast5Mb: number;
    rssFirstMb: number;
    rssLastMb: number;
  };
  fault: (RunFigures & { restartAtS: number; outageMs: number; beforePerSecond: number; recoveryS: number | null; duringOutage: Record<string, number> }) | null;
  mix: { key: string; role: Role; label: string; weight: number; share: number; measured: number; failed: Record<string, number> }[];
  writes: { table: Table; answered: number; found: number }[];
  jobs: { notes: Record<string, number>; mails: number };
};

export async function benchDay(o: DayOptions): Promise<DayResult> {
  const { timing, log } = o;
  const mail = await startSmtpCapture();
  const sink = await startSmtpSink();
  const llm = await startFakeLlm(answerFromBulletLines);
  try {
    const llmEnv = { LLM_BASE_URL: llm.url, LLM_API_KEY: 'bench-llm-key', LLM_MODEL: 'fake-model', LLM_TIMEOUT_MS: '5000' };
    // Both with a metrics listener, scraped each second by the probe.
    const metricsPorts = { server: await freePort(), worker: await freePort() };
    const server = await o.start({ ...llmEnv, SMTP_URL: mail.url, METRICS_PORT: String(metricsPorts.server) });
    // The worker beside it: extraction of the notes, reminders and message mails, into the counting sink.
    const workerPid = o.startWorker({ ...llmEnv, SMTP_URL: `${sink.url}?pool=true&maxConnections=5`, METRICS_PORT: String(metricsPorts.worker) });
    const totalS = 5 + timing.peakS + timing.aimS + timing.soakMinutes * 60 + timing.faultS;
    const setup = await prepare(o, server.url, mail, MAX_RATE * totalS);
    const users = makeUsers(setup, o.seeded);
    await check(server.url, users);

    const written = Object.fromEntries((['clinical_record', 'assessment', 'note', 'appointment', 'message', 'step'] as Table[]).map((t) => [t, new Set<string>()])) as Written;
    const probe = startProbe({
      server: { pid: server.pid, metricsUrl: `http://127.0.0.1:${metricsPorts.server}/metrics` },
      worker: { pid: workerPid, metricsUrl: `http://127.0.0.1:${metricsPorts.worker}/metrics` },
      database: new URL(o.dbUrl).pathname.slice(1),
    });
    // Every 10 s, what the probe saw, for whoever watches the run.
    const probeLog = setInterval(() => {
      const f = probeFigures(probe.samples.slice(-10));
      log(
        `  probe: in flight ≤${f.inFlightMax}, pool waiting ≤${f.poolWaitingMax}, event loop p99 ≤${f.loopLagMaxMs.toFixed(0)} ms, jobs due ≤${f.jobsDueMax}; ` +
          `CPU (cores) server ${f.serverCpu.toFixed(2)}, PostgreSQL ${f.postgresCpu.toFixed(2)}, worker ${f.workerCpu.toFixed(2)}, machine ${f.machineBusy.toFixed(2)}`,
      );
    }, 10_000);
    const dayStart = performance.now();
    const rss: { t: number; mb: number }[] = [];
    const sampler = setInterval(() => rss.push({ t: (performance.now() - dayStart) / 1000, mb: memoryOf(server.pid).rss }), 1000);
    const points: ChartPoint[] = [];
    const marks: { t: number; label: string }[] = [];
    const recorders: Recorder[] = [];
    const run = async (name: string, seconds: number, rate?: number) => {
      const recorder = new Recorder(performance.now(), written);
      if (name !== 'warm-up') recorders.push(recorder);
      const offset = (recorder.startedAt - dayStart) / 1000;
      log(`A practice's day, ${name}: ${seconds} s, ${rate ? `${Math.round(rate)} requests/s` : `closed loop`}, ${users.length} connections`);
      await drive(server.url, users, recorder, seconds, rate);
      for (const [i, s] of recorder.seconds.slice(0, seconds).entries()) {
        points.push({
          t: offset + i,
          run: name,
          requestsPerSecond: okOf(s),
          p99: percentile(
            [...s.latencies].sort((a, b) => a - b),
            99,
          ),
          failed: failedOf(s),
        });
      }
      return recorder;
    };
    try {
      await run('warm-up', 5);
      points.length = 0;
      const peak = figures('peak', `closed loop, ${users.length} connections`, await run('peak', timing.peakS), timing.peakS);
      const aim = figures('aim', `${DAY_AIM.rate} requests/s`, await run('aim', timing.aimS, DAY_AIM.rate), timing.aimS);
      const soakRate = Math.round(peak.requestsPerSecond * 0.8);
      const soakS = timing.soakMinutes * 60;
      const soakStart = (performance.now() - dayStart) / 1000;
      const soakRecorder = await run('soak', soakS, soakRate);
      const soakEnd = soakStart + soakS;
      const soakRss = rss.filter((x) => x.t >= soakStart && x.t < soakEnd);
      const perMinute = Array.from({ length: timing.soakMinutes }, (_, m) => {
        const secs = soakRecorder.seconds.slice(m * 60, (m + 1) * 60);
        const minuteRss = soakRss.filter((x) => x.t - soakStart >= m * 60 && x.t - soakStart < (m + 1) * 60);
        return {
          minute: m + 1,
          requestsPerSecond: secs.reduce((n, s) => n + okOf(s), 0) / 60,
          p99: percentile(sortedLatencies(secs), 99),
          failed: secs.reduce((n, s) => n + failedOf(s), 0),
          rssMb: minuteRss.at(-1)?.mb ?? 0,
          ...probeFigures(probe.between(soakStart + m * 60, soakStart + (m + 1) * 60)),
        };
      });
      const last5 = soakRss.filter((x) => x.t >= soakEnd - Math.min(5, timing.soakMinutes) * 60);
      let growth = 0;
      for (let low = Number.POSITIVE_INFINITY, j = 0; j < last5.length; j++) {
        low = Math.min(low, last5[j]!.mb);
        growth = Math.max(growth, last5[j]!.mb - low);
      }
      const soak = {
        ...figures('soak', `${soakRate} requests/s (80% of the peak)`, soakRecorder, soakS),
        perMinute,
        rssGrowthLast5Mb: growth,
        rssFirstMb: soakRss[0]?.mb ?? 0,
        rssLastMb: soakRss.at(-1)?.mb ?? 0,
      };
      marks.push({ t: soakStart, label: 'soak' });

      let fault: DayResult['fault'] = null;
      if (o.restartDatabase) {
        const restartAfterS = Math.floor(timing.faultS / 3);
        let outage = { from: 0, to: 0 };
        const recorderPromise = run('fault', timing.faultS, soakRate);
        const faultStart = performance.now();
        await sleep(restartAfterS * 1000);
        outage.from = performance.now();
        log(`  restarting PostgreSQL (fast shutdown, then start) under load`);
        await o.restartDatabase();
        outage = { from: outage.from, to: performance.now() };
        const recorder = await recorderPromise;
        const base = recorder.startedAt;
        const at100 = (ms: number) => Math.floor((ms - base) / 100);
        // The rate before: the 10 s before the restart (less in a short run), the first second (the staggered start) left out.
        const beforeFrom = Math.max(10, at100(outage.from) - 100);
        const before = (recorder.ok100ms.slice(beforeFrom, at100(outage.from)).reduce((a, b) => a + b, 0) * 10) / Math.max(1, at100(outage.from) - beforeFrom);
        // The first full second after the database's return with at least 90% of the rate before it.
        let recoveryS: number | null = null;
        for (let b = at100(outage.to); b + 10 <= recorder.ok100ms.length; b++) {
          if (recorder.ok100ms.slice(b, b + 10).reduce((x, y) => x + y, 0) >= 0.9 * before) {
            recoveryS = Math.max(0, (b * 100 + base - outage.to) / 1000);
            break;
          }
        }
        const outageSeconds = recorder.seconds.slice(Math.floor((outage.from - base) / 1000), Math.ceil((outage.to - base) / 1000 + (recoveryS ?? 5)) + 1);
        const duringOutage: Record<string, number> = {};
        for (const s of outageSeconds) {
          for (const [code, c] of Object.entries(s.statuses)) duringOutage[code] = (duringOutage[code] ?? 0) + c;
          if (s.errors) duringOutage['connection error'] = (duringOutage['connection error'] ?? 0) + s.errors;
          if (s.timeouts) duringOutage.timeout = (duringOutage.timeout ?? 0) + s.timeouts;
        }
        const restartAtS = (outage.from - faultStart) / 1000;
        marks.push({ t: (outage.from - dayStart) / 1000, label: 'PostgreSQL restarted' });
        fault = {
          ...figures('fault', `${soakRate} requests/s, PostgreSQL restarted after ${restartAfterS} s`, recorder, timing.faultS),
          restartAtS,
          outageMs: outage.to - outage.from,
          beforePerSecond: before,
          recoveryS,
          duringOutage,
        };
      }
      clearInterval(sampler);

      const all = new Map<string, number>();
      // The measured mix: every request of the four runs, by kind.
      for (const recorder of recorders) for (const [k, n] of recorder.kinds) all.set(k, (all.get(k) ?? 0) + n);
      const total = [...all.values()].reduce((a, b) => a + b, 0);
      const failures = new Map<string, number>();
      for (const recorder of recorders) for (const [k, n] of recorder.failures) failures.set(k, (failures.get(k) ?? 0) + n);
      const failedOfKind = (key: string) => Object.fromEntries([...failures].filter(([k]) => k.split(' ')[0] === key).map(([k, n]) => [k.split(' ')[1]!, n]));
      const mix = KINDS.map((k) => ({ key: k.key, role: k.role, label: k.label, weight: k.weight, share: shareOf(k), measured: (all.get(k.key) ?? 0) / total, failed: failedOfKind(k.key) }));

      log(`  checking every write answered 200 in the database…`);
      await sleep(2000); // the last extractions and mails of the run
      const writes = await withClient(o.dbUrl, async (c) => {
        const found = async (table: Table, ids: string[]) => {
          const condition = { assessment: " and status = 'submitted'", step: " and state = 'done'", appointment: " and status = 'booked'" }[table as string] ?? '';
          return Number((await c.query<{ n: string }>(`select count(*) as n from "${table}" where id = any($1::uuid[])${condition}`, [ids])).rows[0]!.n);
        };
        const out = [];
        for (const table of Object.keys(written) as Table[]) out.push({ table, answered: written[table].size, found: await found(table, [...written[table]]) });
        return out;
      });
      const notes = await withClient(o.dbUrl, async (c) => {
        const { rows } = await c.query<{ state: string; n: string }>(`select extraction_state as state, count(*) as n from note where id = any($1::uuid[]) group by 1`, [[...written.note]]);
        return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
      });
      await writeFile(path.join(ROOT, 'bench', 'day.svg'), await renderDayChart(points, rss, marks));
      return {
        connections: users.length,
        clinicians: setup.clinicians.length,
        portalAccounts: setup.portals.length,
        clinicianSessions: clinicianSessions(setup.clinicians.length),
        peak,
        aim,
        soak,
        fault,
        mix,
        writes,
        jobs: { notes, mails: sink.count() },
      };
    } finally {
      clearInterval(sampler);
      clearInterval(probeLog);
      await probe.stop();
    }
  } finally {
    await llm.close();
    await sink.close();
    await mail.close();
  }
}

// --- The report ------------------------------------------------------------------------------------

const n = (x: number) => Math.round(x).toLocaleString('en');
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const statusList = (statuses: Record<string, number>) =>
  Object.entries(statuses)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, c]) => `${code}: ${n(c)}`)
    .join(', ');
/** What failed in a run: its non-2xx answers by status, and the requests that got no answer or were not sent. */
const failureList = (f: RunFigures) =>
  [
    statusList(Object.fromEntries(Object.entries(f.statuses).filter(([code]) => !code.startsWith('2')))),
    f.errors && `connection errors: ${n(f.errors)}`,
    f.timeouts && `timeouts: ${n(f.timeouts)}`,
    f.unsent && `not sent (${MAX_IN_FLIGHT} awaiting an answer): ${n(f.unsent)}`,
  ]
    .filter(Boolean)
    .join(', ');

/** The "A practice's day" section of bench/results.md. */
export function renderDay(r: DayResult, timing: DayTiming, provenance?: string): string {
  const row = (x: RunFigures) => `| ${x.name} | ${x.target} | ${x.seconds} s | ${n(x.requestsPerSecond)} | ${x.p50.toFixed(1)} | ${x.p99.toFixed(1)} | ${x.max.toFixed(0)} | ${n(x.failed)} |`;
  const aimMet = r.aim.requestsPerSecond >= DAY_AIM.rate * 0.99 && r.aim.p99 < DAY_AIM.p99 && r.aim.failed === 0;
  const f = r.fault;
  const writesOk = r.writes.every((w) => w.found === w.answered);
  const roles: Record<Role, string> = { clinician: 'clinician', patient: 'patient (portal)', admin: 'admin' };
  return `
## A practice's day
${provenance ? `\n${provenance}\n` : ''}
![Throughput, p99 and server RSS over the day's runs](day.svg)

One mix of requests, modelled on a practice's day, sent by ${r.connections} connections, each a user's own session: the admin,
${r.connections - 1 - Math.round(r.connections * PATIENT_SHARE)} clinicians' sessions (the ${r.clinicians} clinicians, up to ${r.clinicianSessions} each: signed in at several desks) and
${Math.round(r.connections * PATIENT_SHARE)} portal seats, each serving one patient for a visit of ${VISIT_REQUESTS} requests and then the next, round ${r.portalAccounts} patients
with portal accounts (invited by their clinician with \`patients.invitePortal\`, accepted from the mailed link with \`invites.accept\`, whose
session they use; each with a care-team conversation). The peak is a closed loop: each user sends its next request when the last
is answered. The other runs are an open loop: one request every 1/rate s, round the users, whatever the answers, each latency
counted from when its request was due (so a server that falls behind shows it), at most ${MAX_IN_FLIGHT} awaiting an answer. A
\`pams worker\` runs beside the server all day: \`notes.create\` enqueues the LLM extraction, which it runs against a local fake
OpenAI-compatible server (tests/fake-llm.ts: steps proposed from the note's bullet lines); it sends message mails, and each portal
patient has a plan item due during the first ${DUE_SPREAD_MINUTES} minutes, whose reminders its sweep (every minute) sends, into a local SMTP sink.

| run | load | length | 2xx/s | p50 ms | p99 ms | max ms | failed |
|---|---|---:|---:|---:|---:|---:|---:|
${[r.peak, r.aim, r.soak, ...(f ? [f] : [])].map(row).join('\n')}

- **Aim: ${DAY_AIM.rate} requests/s with p99 under ${DAY_AIM.p99} ms and no errors, with jobs running: ${aimMet ? '**met**' : '**not met**'}** (${n(r.aim.requestsPerSecond)} 2xx/s, p99 ${r.aim.p99.toFixed(1)} ms, ${n(r.aim.failed)} failed${r.aim.failed ? `: ${failureList(r.aim)}` : ''}).
- "failed": non-2xx answers, connection errors, timeouts (${TIMEOUT_S} s for the headers and again for the body) and, in the open loop, requests not sent
  because ${MAX_IN_FLIGHT} were awaiting an answer. Latencies are of every answer.
- Jobs during the runs: of ${n(Object.values(r.jobs.notes).reduce((a, b) => a + b, 0))} notes created, extraction ${statusList(r.jobs.notes)} when the runs ended; ${n(r.jobs.mails)} mails (reminders, message notifications) into the sink.

### The mix

| request | role | weight (of the role's 100) | share by the weights | share measured | non-2xx (all runs) |
|---|---|---:|---:|---:|---|
${r.mix.map((k) => `| ${k.label} | ${roles[k.role]} | ${k.weight} | ${pct(k.share)} | ${pct(k.measured)} | ${statusList(k.failed) || '–'} |`).join('\n')}

Why these weights: a clinician's are counted per consultation (one every 20 minutes, each with one note): about 3 searches and 6 reads
of the chart, 2 looks at the diary and 2 page loads (\`auth.me\`), 1–2 vital signs recorded, a PHQ-9 submitted, the note, a
follow-up booked, a message read and another sent. A patient's portal visit of ${VISIT_REQUESTS} requests is a page load, two reads
of the record, their appointments, their plan and their messages, and in most visits a check-in or a message to the care team.
The admin watches the practice's diary and the staff list. Writes are ${pct(r.mix.filter((k) => KINDS.find((x) => x.key === k.key)!.write).reduce((s, k) => s + k.share, 0))} of
the requests: more than a real day's, on purpose, so that the write paths and the jobs they start carry their part of the load.

### Soak

The soak follows the aim's overload at once, so its first minute is also the way out of it. ${timing.soakMinutes} minutes at ${r.soak.target}: ${n(r.soak.failed)} failed${r.soak.failed ? ` (${failureList(r.soak)})` : ''}; the server's RSS (VmRSS, sampled every second) went from
${r.soak.rssFirstMb.toFixed(0)} MB to ${r.soak.rssLastMb.toFixed(0)} MB; the largest growth within the last ${Math.min(5, timing.soakMinutes)} minutes (highest minus the lowest before it): **${r.soak.rssGrowthLast5Mb.toFixed(1)} MB**.

| minute | 2xx/s | p99 ms | failed | RSS at its end (MB) | in flight, most | pool waiting, most | event loop p99, worst (ms) | jobs due, most | CPU: server / PostgreSQL / worker / machine (cores) |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|
${r.soak.perMinute.map((m) => `| ${m.minute} | ${n(m.requestsPerSecond)} | ${m.p99.toFixed(1)} | ${n(m.failed)} | ${m.rssMb.toFixed(0)} | ${m.inFlightMax} | ${m.poolWaitingMax} | ${m.loopLagMaxMs.toFixed(0)} | ${m.jobsDueMax} | ${[m.serverCpu, m.postgresCpu, m.workerCpu, m.machineBusy].map((c) => c.toFixed(2)).join(' / ')} |`).join('\n')}

The columns after RSS come from the probe (bench/day-probe.ts): each second it scrapes the server's and the worker's metrics listeners, as
Prometheus would, and reads /proc; a minute shows the most of the queues and the mean of the CPU. "machine" is every process on it, the
bench's own load generator included (about 0.1 core); what the four columns leave of it is other work on the machine.

### Fault under load

${
  f
    ? `PostgreSQL (the bench's embedded cluster) got a fast shutdown (SIGINT: every connection terminated, as in a failover) ${f.restartAtS.toFixed(1)} s into a
${timing.faultS}-second run at ${f.target.split(',')[0]} and was started again on the same data and port; it was away for **${(f.outageMs / 1000).toFixed(2)} s**. The PAMS
server and worker were not restarted.

- Answers from the restart to recovery, by status: ${statusList(f.duringOutage)}.
- Longest request of the run: ${f.max.toFixed(0)} ms (the timeout: ${TIMEOUT_S} s; timeouts: ${n(f.timeouts)}).
- Before the restart: ${n(f.beforePerSecond)} 2xx/s (up to 10 s before it). Back to at least 90% of that: **${f.recoveryS === null ? 'not within the run' : `${f.recoveryS.toFixed(1)} s`}** after the database's return (the start of the first whole second at ≥ 90%; aim ≤ 5 s).`
    : 'Not run: the bench used the PostgreSQL of DATABASE_URL, which it does not restart.'
}

### Every write answered 200, looked up afterwards

| table | answered 200 | found | |
|---|---:|---:|---|
${r.writes.map((w) => `| ${w.table} | ${n(w.answered)} | ${n(w.found)} | ${w.found === w.answered ? 'all' : '**missing**'} |`).join('\n')}

${writesOk ? 'Every write answered with success is in the database' : '**Some writes answered with success are not in the database**'} (all runs, the warm-up included; submitted assessments, done plan items and
booked appointments counted in that state).
`;
}
