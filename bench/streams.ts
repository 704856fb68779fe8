import { Agent, request, type ClientRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuMsOf, memoryOf } from './proc.ts';

/**
 * The live streams part of `npm run bench` (`--only streams`). (a) 1,000 `notifications.stream` connections
 * on one server process, held open for HOLD_S: the server's RSS before and after they opened, and the pings
 * each received (tRPC sends one every 10 s). (b) Two server processes on one database: messages sent through
 * A at RATE a second to conversations whose recipient holds a stream on B; latency is receipt on B minus the
 * moment the send was issued, on this process's clock (the one machine's). The client is plain node:http
 * reading the SSE text, so that 1,000 connections cost it little.
 */

export const STREAMS = { total: 1_000, holdS: 12 };
/**
 * 100 messages/s as the issue asks: sent through both processes (a load balancer's share, each message to a
 * stream on the other process), then all through A (one process's sends), then 50/s through A.
 */
export const MESSAGES = {
  runs: [
    { rate: 100, through: 'both' },
    { rate: 100, through: 'A' },
    { rate: 50, through: 'A' },
  ] as const,
  seconds: 20,
  /** Both processes' code warmed (JIT, pools, prepared statements) at a low rate first, as autocannon's runs warm up: not measured. */
  warmUp: { rate: 20, seconds: 5 },
  recipients: 4,
  conversationsPerRecipient: 10,
};
type Through = (typeof MESSAGES.runs)[number]['through'];

type Server = { url: string; pid: number };
type Options = {
  /** Starts `pams serve` with the bench's environment plus `env`. */
  start: (env: Record<string, string>) => Promise<Server>;
  login: (url: string, credentials: { email: string; password: string }) => Promise<string>;
  adminToken: string;
  clinicians: { id: string; email: string }[];
  clinicianPassword: string;
  /** Patients on the first clinician's care team. */
  patientIds: string[];
  log: (line: string) => void;
};

export type StreamsBench = {
  open: { streams: number; users: number; perUser: number; openSeconds: number; rssBeforeMb: number; rssAfterMb: number; stillOpen: number; withPing: number; holdS: number; refused: number };
  messages: { conversations: number; recipients: number; runs: Latency[] };
};

type Latency = {
  /** Which processes the sends went through: `both` alternates A→B and B→A. */
  through: Through;
  /** Messages a second asked for, and achieved. */
  offered: number;
  rate: number;
  /** Sends answered 2xx; the others, by answer. */
  sent: number;
  failed: string;
  received: number;
  lost: number;
  p50: number;
  p99: number;
  max: number;
  sendP50: number;
  sendP99: number;
  afterAnswerP50: number;
  afterAnswerP99: number;
  /** Server CPU per message: A (the send), B (the delivery). */
  cpuMsA: number;
  cpuMsB: number;
};

type Sse = { events: number; pings: number; closed: boolean; error: string | null; req: ClientRequest };

/** One SSE stream read as text: counts pings, hands each data event (its parsed JSON) to `onData`. */
function openSse(agent: Agent, url: string, token: string, onData: (data: unknown) => void = () => {}): Promise<Sse> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/trpc/notifications.stream`, { agent, headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } });
    const sse: Sse = { events: 0, pings: 0, closed: false, error: null, req };
    // Once answered, an error is the bench closing it (resolved by then, so the reject is a no-op).
    req.on('error', reject);
    req.once('response', (res) => {
      if (res.statusCode !== 200) return reject(new Error(`notifications.stream answered ${res.statusCode}`));
      res.setEncoding('utf8').on('error', () => {});
      let buffer = '';
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event === 'connected') resolve(sse);
          else if (event === 'ping') sse.pings++;
          else if (event === 'serialized-error') {
            sse.error = data ?? 'error';
            resolve(sse);
          } else if (data) {
            sse.events++;
            onData(JSON.parse(data));
          }
        }
      });
      res.once('close', () => (sse.closed = true));
    });
    req.end();
  });
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;

async function post<T>(url: string, token: string, path: string, input: unknown): Promise<T> {
  const response = await fetch(`${url}/trpc/${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(input) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${text.slice(0, 300)}`);
  return (JSON.parse(text) as { result: { data: T } }).result.data;
}

export async function benchStreams({ start, login, adminToken, clinicians, clinicianPassword, patientIds, log }: Options): Promise<StreamsBench> {
  const agent = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
  const tokens = new Map<string, string>();
  const tokenOf = async (url: string, c: { email: string }) => {
    if (!tokens.has(c.email)) tokens.set(c.email, await login(url, { email: c.email, password: clinicianPassword }));
    return tokens.get(c.email)!;
  };

  // (a) Every clinician holds total / clinicians streams: STREAMS_PER_USER is raised to that for this server.
  const perUser = Math.ceil(STREAMS.total / clinicians.length);
  const one = await start({ STREAMS_PER_USER: String(perUser) });
  for (const c of clinicians) await tokenOf(one.url, c);
  await sleep(1_000);
  const rssBeforeMb = memoryOf(one.pid).rss;
  log(`Live streams: opening ${STREAMS.total} notifications.stream connections (${clinicians.length} clinicians × ${perUser}), server RSS ${rssBeforeMb.toFixed(0)} MB`);
  const opening = performance.now();
  const streams: Sse[] = [];
  for (let i = 0; i < STREAMS.total; i += 50) {
    const batch = Array.from({ length: Math.min(50, STREAMS.total - i) }, (_, k) => openSse(agent, one.url, tokens.get(clinicians[(i + k) % clinicians.length]!.email)!));
    streams.push(...(await Promise.all(batch)));
  }
  const openSeconds = (performance.now() - opening) / 1000;
  const refused = streams.filter((s) => s.error).length;
  await sleep(2_000);
  const rssAfterMb = memoryOf(one.pid).rss;
  log(`  opened in ${openSeconds.toFixed(1)} s (${refused} refused); server RSS ${rssAfterMb.toFixed(0)} MB; holding ${STREAMS.holdS} s`);
  await sleep(STREAMS.holdS * 1000);
  const open = {
    streams: STREAMS.total,
    users: clinicians.length,
    perUser,
    openSeconds,
    rssBeforeMb,
    rssAfterMb,
    stillOpen: streams.filter((s) => !s.closed && !s.error).length,
    withPing: streams.filter((s) => s.pings > 0).length,
    holdS: STREAMS.holdS,
    refused,
  };
  log(`  after ${STREAMS.holdS} s: ${open.stillOpen} still open, ${open.withPing} had a ping`);
  for (const s of streams) s.req.destroy();

  // (b) Clinician 0 sends, in care-team conversations of patients on their care team; each patient's team gets
  // one recipient clinician, who holds a stream on the other process: recipients 1..n for sends through A
  // (streams on B), n+1..2n for sends through B (streams on A). Several conversations a recipient: sends to one
  // conversation are serialised (its row is locked), as one chat's are.
  const [a, b] = [await start({}), await start({})];
  const sender = clinicians[0]!;
  const senderToken = await tokenOf(a.url, sender);
  const received = new Map<string, number>(); // receipts by message and recipient, on this process's clock
  const route = async (from: Server, to: Server, recipients: { id: string; email: string }[], firstPatient: number) => {
    const conversations: { id: string; recipient: string }[] = [];
    for (let i = 0; i < recipients.length * MESSAGES.conversationsPerRecipient; i++) {
      const patientId = patientIds[firstPatient + i]!;
      const recipient = recipients[i % recipients.length]!;
      await post(a.url, adminToken, 'careTeams.add', { patientId, clinicianId: recipient.id });
      const conversation = await post<{ id: string }>(a.url, senderToken, 'conversations.create', { patientId, kind: 'care-team' });
      conversations.push({ id: conversation.id, recipient: recipient.id });
    }
    for (const r of recipients) {
      const s = await openSse(agent, to.url, await tokenOf(to.url, r), (event) => {
        const e = event as { kind?: string; data?: { messageId?: string } };
        if (e.kind === 'message.received' && e.data?.messageId) received.set(`${e.data.messageId}:${r.id}`, performance.now());
      });
      if (s.error) throw new Error(`a stream was refused: ${s.error}`);
      streams.push(s);
    }
    return { from, conversations };
  };
  const n = MESSAGES.recipients;
  const aToB = await route(a, b, clinicians.slice(1, 1 + n), 0);
  const bToA = await route(b, a, clinicians.slice(1 + n, 1 + 2 * n), n * MESSAGES.conversationsPerRecipient);
  await sleep(1_000); // registered before the first message
  /** One run: `rate` messages a second for `seconds`, through A (received on B), or alternately through A and B. */
  const run = async (rate: number, through: Through, seconds = MESSAGES.seconds): Promise<Latency> => {
    const routes = through === 'both' ? [aToB, bToA] : [aToB];
    log(`Live streams: ${rate} messages/s for ${seconds} s through ${through === 'both' ? 'A and B in turn' : 'A'}, each received on a stream of the other process`);
    const sent: { id: string; recipient: string; at: number; tookMs: number }[] = [];
    const failed = new Map<string, number>();
    const total = rate * seconds;
    const began = performance.now();
    const cpu = { a: cpuMsOf(a.pid), b: cpuMsOf(b.pid) };
    const inFlight: Promise<void>[] = [];
    for (let k = 0; k < total; k++) {
      const due = began + (k * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const { from, conversations } = routes[k % routes.length]!;
      const conversation = conversations[Math.floor(k / routes.length) % conversations.length]!;
      const at = performance.now();
      inFlight.push(
        post<{ id: string }>(from.url, senderToken, 'messages.send', { conversationId: conversation.id, body: `Bench message ${k}: please check the latest readings.` }).then(
          (m) => void sent.push({ id: m.id, recipient: conversation.recipient, at, tookMs: performance.now() - at }),
          // An overloaded process answers 503 (its pool or statement timeouts): counted, not a receipt to wait for.
          (e: Error) => void failed.set(e.message.split(':')[0]!, (failed.get(e.message.split(':')[0]!) ?? 0) + 1),
        ),
      );
    }
    await Promise.all(inFlight);
    const took = (performance.now() - began) / 1000;
    await sleep(2_000); // the last receipts
    const cpuMs = (pid: number, before: number | null) => {
      const after = cpuMsOf(pid);
      return before === null || after === null ? 0 : (after - before) / sent.length;
    };
    const receipts = sent.map((m) => ({ m, at: received.get(`${m.id}:${m.recipient}`) })).filter((r): r is { m: (typeof sent)[number]; at: number } => r.at !== undefined);
    const latencies = receipts.map(({ m, at }) => at - m.at).sort((x, y) => x - y);
    // From the send's answer: the delivery alone (negative when the event came before the answer).
    const afterAnswer = receipts.map(({ m, at }) => at - (m.at + m.tookMs)).sort((x, y) => x - y);
    const sendTimes = sent.map((m) => m.tookMs).sort((x, y) => x - y);
    const latency: Latency = {
      through,
      offered: rate,
      sent: sent.length,
      failed: [...failed].map(([why, n]) => `${n} × ${why}`).join(', ') || '0',
      received: latencies.length,
      lost: sent.length - latencies.length,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies.at(-1) ?? 0,
      sendP50: percentile(sendTimes, 50),
      sendP99: percentile(sendTimes, 99),
      afterAnswerP50: percentile(afterAnswer, 50),
      afterAnswerP99: percentile(afterAnswer, 99),
      cpuMsA: cpuMs(a.pid, cpu.a),
      cpuMsB: cpuMs(b.pid, cpu.b),
      rate: sent.length / took,
    };
    log(
      `  sent ${latency.sent} (failed: ${latency.failed}), received ${latency.received}; latency p50 ${latency.p50.toFixed(1)} ms, p99 ${latency.p99.toFixed(1)} ms, max ${latency.max.toFixed(1)} ms; ` +
        `send p50 ${latency.sendP50.toFixed(1)} / p99 ${latency.sendP99.toFixed(1)} ms; after the answer p50 ${latency.afterAnswerP50.toFixed(1)} / p99 ${latency.afterAnswerP99.toFixed(1)} ms; ` +
        `CPU a message: A ${latency.cpuMsA.toFixed(1)} ms, B ${latency.cpuMsB.toFixed(1)} ms`,
    );
    return latency;
  };
  await run(MESSAGES.warmUp.rate, 'both', MESSAGES.warmUp.seconds);
  const runs: Latency[] = [];
  for (const { rate, through } of MESSAGES.runs) runs.push(await run(rate, through));
  for (const s of streams) s.req.destroy();
  agent.destroy();
  return { open, messages: { conversations: aToB.conversations.length, recipients: n, runs } };
}

export function renderStreams({ open, messages }: StreamsBench): string {
  const f = (x: number, digits = 0) => x.toFixed(digits);
  const perStreamKb = ((open.rssAfterMb - open.rssBeforeMb) * 1024) / open.streams;
  const rows = messages.runs
    .map(
      (r) =>
        `| ${r.through === 'both' ? 'A and B' : r.through} | ${r.offered} | ${f(r.rate)} | ${r.sent.toLocaleString('en')} | ${r.failed} | ${r.received.toLocaleString('en')} | ${r.lost} | ${f(r.p50, 1)} | ${f(r.p99, 1)} | ${f(r.max, 1)} | ${f(r.sendP50, 1)} / ${f(r.sendP99, 1)} | ${f(r.afterAnswerP50, 1)} / ${f(r.afterAnswerP99, 1)} | ${f(r.cpuMsA, 1)} / ${f(r.cpuMsB, 1)} |`,
    )
    .join('\n');
  const both = messages.runs.find((r) => r.through === 'both')!;
  const oneProcess = messages.runs.find((r) => r.through === 'A' && r.offered === both.offered)!;
  const cpuPerSend = oneProcess.cpuMsA; // A sends, and delivers none of these
  /** Met only when every message sent arrived, and 99% within 200 ms. */
  const verdict = (r: Latency) =>
    r.lost || r.sent < r.offered * MESSAGES.seconds
      ? `missed (${r.sent.toLocaleString('en')} of ${(r.offered * MESSAGES.seconds).toLocaleString('en')} sent, ${r.lost.toLocaleString('en')} of them not received)`
      : `${r.p99 < 200 ? 'met' : 'missed'} (p99 ${f(r.p99, 1)} ms)`;
  return `
## Live streams

**${open.streams.toLocaleString('en')} concurrent \`notifications.stream\` connections on one server process** (${open.users} clinicians with
${open.perUser} streams each, \`STREAMS_PER_USER=${open.perUser}\` for this run; real SSE over HTTP/1.1, one TCP connection a stream,
opened 50 at a time by a plain node:http client): all open in ${f(open.openSeconds, 1)} s (${open.refused} refused). Server RSS
${f(open.rssBeforeMb)} MB before, ${f(open.rssAfterMb)} MB with them open: **about ${f(perStreamKb)} KiB a stream**. After ${open.holdS} s
${open.stillOpen.toLocaleString('en')} were still open and ${open.withPing.toLocaleString('en')} had received a ping (every 10 s).

**From \`messages.send\` to receipt on a stream of another process**: two server processes, A and B, on one database. A
clinician sends for ${MESSAGES.seconds} s at a fixed rate, round-robin over ${messages.conversations} care-team conversations a process (${messages.conversations / messages.recipients} for each of ${messages.recipients}
recipient clinicians); each recipient holds one stream, on the other process than the one the message is sent through.
"A and B" alternates the sends between the processes, as a load balancer in front of both would; "A" sends them all
through A, to streams on B. Latency is receipt minus the moment the send was issued (one clock, the bench process's):
the send itself, the commit, the NOTIFY, the other process's read with its access check and the SSE write. "After the
answer" is receipt minus the send's answer: the delivery alone (negative when the event beat the answer).

| sent through | offered /s | achieved /s | sent | failed sends | received | lost | p50 ms | p99 ms | max ms | send p50 / p99 ms | after the answer p50 / p99 ms | CPU a message, A / B ms |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${rows}

The aim was p99 under 200 ms at ${oneProcess.offered} messages/s on this machine, sent through one process to streams on the other (both on one database): ${verdict(oneProcess)}. With the sends shared by both processes, each also delivering the other's: ${verdict(both)}; on two cores the two busy processes and PostgreSQL contend for the CPU, and a delivery waits behind the sends its process is serving. A \`messages.send\` costs its process about ${f(cpuPerSend, 1)} ms of CPU, so one process's single thread saturates near ${f(1000 / cpuPerSend)} sends/s on this machine, and past that the sends queue and the latency is that queue. The delivery itself (the NOTIFY, the read and the write) costs the receiving process about ${f(oneProcess.cpuMsB, 1)} ms a message: more sends a second take more processes (and cores) to send through, not a different delivery.
Server processes, PostgreSQL and the bench client share the machine's two cores.
`;
}
