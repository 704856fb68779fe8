import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake server does with the next request. */
export type LlmBehaviour =
  | { kind: 'answer'; answer?: (note: string) => unknown }
  | { kind: 'garbage' }
  | { kind: 'schema-breaking' }
  | { kind: 'slow'; ms: number }
  | { kind: 'error'; status: number };

export type LlmAnswer = {
  checklist: { title: string; passage: string }[];
  plan: { title: string; passage: string; cadence: 'daily' | 'weekly'; startDate: string | null; endDate: string | null; count: number | null; timeOfDay: string | null }[];
};

/**
 * A local OpenAI-compatible server (`POST /v1/chat/completions`), the only stand-in for the LLM. Tests
 * script it: queued behaviours are used one per request, then `fallback`. `answer(note)` gets the note
 * text as the app sent it and returns the structured answer.
 */
export async function startFakeLlm(answer: (note: string) => LlmAnswer) {
  const queue: LlmBehaviour[] = [];
  const requests: { authorization: string | undefined; body: any }[] = [];
  let fallback: LlmBehaviour = { kind: 'answer' };
  const open = new Set<ServerResponse>();

  const reply = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const completion = (content: string) => ({
    id: `chatcmpl-${requests.length}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: 'fake-model',
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: 'stop', logprobs: null }],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return reply(res, 404, { error: { message: 'not found' } });
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    requests.push({ authorization: req.headers.authorization, body });
    const note = String(body.messages?.at(-1)?.content ?? '').replace(/^[\s\S]*?Note:\n/, '');
    const behaviour = queue.shift() ?? fallback;
    switch (behaviour.kind) {
      case 'answer':
        return reply(res, 200, completion(JSON.stringify((behaviour.answer ?? answer)(note))));
      case 'garbage':
        return reply(res, 200, completion('Sure! Here are the steps: take your pills {'));
      case 'schema-breaking':
        return reply(res, 200, completion(JSON.stringify({ checklist: [{ title: 42 }], plan: 'daily' })));
      case 'error':
        return reply(res, behaviour.status, { error: { message: 'upstream failure', type: 'server_error' } });
      case 'slow':
        open.add(res);
        setTimeout(() => {
          open.delete(res);
          if (!res.writableEnded) reply(res, 200, completion(JSON.stringify(answer(note))));
        }, behaviour.ms);
        return;
    }
  }

  const server = createServer((req, res) => void handle(req, res).catch(() => reply(res, 500, { error: { message: 'fake server bug' } })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    /** The next requests, in order. */
    queue: (...behaviours: LlmBehaviour[]) => void queue.push(...behaviours),
    /** What every request gets once the queue is empty. */
    setFallback: (b: LlmBehaviour) => void (fallback = b),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of open) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The answer a careful model would give: each `- ` line of the note, quoted, as an item. */
export function answerFromBulletLines(note: string): LlmAnswer {
  const lines = note
    .split('\n')
    .filter((l) => l.startsWith('- '))
    .map((l) => l.slice(2).trim());
  return {
    checklist: lines.filter((l) => /^(book|buy|bring)/i.test(l)).map((l) => ({ title: l, passage: l })),
    plan: lines
      .filter((l) => /daily|every/i.test(l))
      .map((l) => ({ title: l, passage: l, cadence: 'daily', startDate: null, endDate: null, count: null, timeOfDay: l.match(/\b(\d\d:\d\d)\b/)?.[1] ?? null })),
  };
}
