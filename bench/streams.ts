import { Agent, request, type ClientRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { memoryOf } from './proc.ts';

/**
 * The live streams part of `npm run bench` (`--only streams`). (a) 1,000 `notifications.stream` connections
 * on one server process, held open for HOLD_S: the server's RSS before and after they opened, and the pings
 * each received (tRPC sends one every 10 s). (b) Two server processes on one database: messages sent through
 * A at RATE a second to conversations whose recipient holds a stream on B; latency is receipt on B minus the
 * moment the send was issued, on this process's clock (the one machine's). The client is plain node:http
 * reading the SSE text, so that 1,000 connections cost it little.
 */

export const STREAMS = { total: 1_000, holdS: 12 };
export const MESSAGES = { rate: 100, seconds: 20, recipients: 5 };

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
  latency: { sent: number; expected: number; received: number; lost: number; p50: number; p99: number; max: number; sendP99: number; seconds: number; rate: number; recipients: number };
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

  // (b) Patient i's care team gets clinician i (1..recipients), who holds a stream on B; clinician 0 sends through A.
  const [a, b] = [await start({}), await start({})];
  const sender = clinicians[0]!;
  const recipients = clinicians.slice(1, 1 + MESSAGES.recipients);
  const senderToken = await tokenOf(a.url, sender);
  const conversations: { id: string; recipient: string }[] = [];
  for (const [i, r] of recipients.entries()) {
    const patientId = patientIds[i]!;
    await post(a.url, adminToken, 'careTeams.add', { patientId, clinicianId: r.id }).catch((e: Error) => {
      if (!/CONFLICT|already/i.test(e.message)) throw e;
    });
    const conversation = await post<{ id: string }>(a.url, senderToken, 'conversations.create', { patientId, kind: 'care-team' });
    conversations.push({ id: conversation.id, recipient: r.id });
  }
  // Receipts by message and recipient, on this process's clock.
  const received = new Map<string, number>();
  for (const r of recipients) {
    const s = await openSse(agent, b.url, await tokenOf(b.url, r), (event) => {
      const e = event as { kind?: string; data?: { messageId?: string } };
      if (e.kind === 'message.received' && e.data?.messageId) received.set(`${e.data.messageId}:${r.id}`, performance.now());
    });
    if (s.error) throw new Error(`a stream on B was refused: ${s.error}`);
    streams.push(s);
  }
  await sleep(1_000); // registered on B before the first message
  log(`Live streams: ${MESSAGES.rate} messages/s for ${MESSAGES.seconds} s through A, received on ${recipients.length} streams on B`);
  const sent: { id: string; recipient: string; at: number; tookMs: number }[] = [];
  const total = MESSAGES.rate * MESSAGES.seconds;
  const began = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let k = 0; k < total; k++) {
    const due = began + (k * 1000) / MESSAGES.rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const conversation = conversations[k % conversations.length]!;
    const at = performance.now();
    inFlight.push(
      post<{ id: string }>(a.url, senderToken, 'messages.send', { conversationId: conversation.id, body: `Bench message ${k}: please check the latest readings.` }).then((m) => {
        sent.push({ id: m.id, recipient: conversation.recipient, at, tookMs: performance.now() - at });
      }),
    );
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - began) / 1000;
  await sleep(2_000); // the last receipts
  for (const s of streams) s.req.destroy();
  agent.destroy();
  const latencies = sent
    .map((m) => received.get(`${m.id}:${m.recipient}`))
    .map((t, i) => (t === undefined ? null : t - sent[i]!.at))
    .filter((x): x is number => x !== null)
    .sort((x, y) => x - y);
  const sendTimes = sent.map((m) => m.tookMs).sort((x, y) => x - y);
  const latency = {
    sent: sent.length,
    expected: sent.length,
    received: latencies.length,
    lost: sent.length - latencies.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? 0,
    sendP99: percentile(sendTimes, 99),
    seconds,
    rate: sent.length / seconds,
    recipients: recipients.length,
  };
  log(`  received ${latency.received} of ${latency.expected}; latency p50 ${latency.p50.toFixed(1)} ms, p99 ${latency.p99.toFixed(1)} ms, max ${latency.max.toFixed(1)} ms`);
  return { open, latency };
}

export function renderStreams({ open, latency }: StreamsBench): string {
  const f = (x: number, digits = 0) => x.toFixed(digits);
  const perStreamKb = ((open.rssAfterMb - open.rssBeforeMb) * 1024) / open.streams;
  return `
## Live streams

**${open.streams.toLocaleString('en')} concurrent \`notifications.stream\` connections on one server process** (${open.users} clinicians with
${open.perUser} streams each, \`STREAMS_PER_USER=${open.perUser}\` for this run; real SSE over HTTP/1.1, one TCP connection a stream,
opened 50 at a time by a plain node:http client): all open in ${f(open.openSeconds, 1)} s (${open.refused} refused). Server RSS
${f(open.rssBeforeMb)} MB before, ${f(open.rssAfterMb)} MB with them open: **about ${f(perStreamKb)} KiB a stream**. After ${open.holdS} s
${open.stillOpen.toLocaleString('en')} were still open and ${open.withPing.toLocaleString('en')} had received a ping (every 10 s).

**From \`messages.send\` to receipt on a stream of another process**: two server processes, A and B, on one database; the
sender (a clinician) sends through A at ${MESSAGES.rate} messages/s for ${MESSAGES.seconds} s (achieved ${f(latency.rate)} /s), round-robin over
${latency.recipients} care-team conversations, each with one recipient clinician holding a stream on B. Latency is receipt on B
minus the moment the send was issued (one clock, the bench process's): it includes the send itself (its p99 alone:
${f(latency.sendP99, 1)} ms), the commit, the NOTIFY, B's read with its access check and the SSE write.

| messages | received | lost | p50 | p99 | max |
|---:|---:|---:|---:|---:|---:|
| ${latency.sent.toLocaleString('en')} | ${latency.received.toLocaleString('en')} | ${latency.lost} | ${f(latency.p50, 1)} ms | ${f(latency.p99, 1)} ms | ${f(latency.max, 1)} ms |

The aim was p99 under 200 ms on this machine${latency.p99 < 200 ? ': met' : ': missed'}. Server processes, PostgreSQL and the bench
client share its CPU.
`;
}
