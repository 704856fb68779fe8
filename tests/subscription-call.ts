import type { TestServer } from './harness.ts';

/** A subscription's first answer: the error it was refused with, or the stream opened (and what it sent within `listenMs`). */
export type SubscriptionAnswer = { error: { code: string; httpStatus: number; reason?: string | null } } | { opened: true; text: string };

/**
 * How the walks call a subscription: over real Server-Sent Events, as httpSubscriptionLink opens one (a GET
 * with `input` in the query string), as the holder of `token`. An SSE answer is always HTTP 200, so the
 * status says nothing: the first answer is either a `serialized-error` event (bad input, no credential, a
 * refusal) or the stream registered on the server (`t.live`). An open stream is heard for `listenMs`, then
 * closed, and this returns once the server has let go of it (so the per-user bound never trips a walk).
 * `rawInput` is the query string's JSON as sent (undefined: none).
 */
export async function callSubscription(t: TestServer, path: string, rawInput: string | undefined, token: string | null, { listenMs = 0 } = {}): Promise<SubscriptionAnswer> {
  const before = t.live.count();
  const aborted = new AbortController();
  const url = `${t.url}/trpc/${path}${rawInput === undefined ? '' : `?input=${encodeURIComponent(rawInput)}`}`;
  const answer = await firstAnswer(t, path, url, token, before, listenMs, aborted.signal).finally(() => aborted.abort());
  const deadline = Date.now() + 5_000;
  while (t.live.count() > before) {
    if (Date.now() > deadline) throw new Error(`${path}: the server kept the stream after the client closed it`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return answer;
}

async function firstAnswer(t: TestServer, path: string, url: string, token: string | null, before: number, listenMs: number, signal: AbortSignal): Promise<SubscriptionAnswer> {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal });
  // Refused before tRPC (a query that is not UTF-8, a URL too long): a plain error, JSON or empty.
  if (!res.headers.get('content-type')?.startsWith('text/event-stream')) {
    const text = await res.text();
    const data = text.startsWith('{') ? (JSON.parse(text) as { error: { data: { code: string; reason?: string | null } } }).error.data : { code: `HTTP ${res.status}` };
    return { error: { ...data, httpStatus: res.status } };
  }
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  // A read still pending when the stream is aborted (after the answer) rejects, and nothing waits for it then.
  const read = () => {
    const next = reader.read();
    next.catch(() => {});
    return next;
  };
  let next = read();
  const deadline = Date.now() + 5_000;
  let openedAt: number | null = null;
  for (;;) {
    const refused = /event: serialized-error\ndata: (.*)\n/.exec(text);
    if (refused) return { error: (JSON.parse(refused[1]!) as { data: { code: string; httpStatus: number; reason?: string | null } }).data };
    if (openedAt === null && t.live.count() > before) openedAt = Date.now();
    if (openedAt !== null && Date.now() >= openedAt + listenMs) return { opened: true, text };
    if (Date.now() > deadline) throw new Error(`${path}: neither an error nor an open stream within 5 s: ${text}`);
    const chunk = await Promise.race([next, new Promise<null>((r) => setTimeout(() => r(null), 10))]);
    if (!chunk) continue;
    if (chunk.done) throw new Error(`${path}: the stream ended without an answer: ${text}`);
    text += chunk.value;
    next = read();
  }
}
