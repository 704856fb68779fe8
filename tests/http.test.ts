import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.ts';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({ ALLOWED_ORIGINS: 'https://app.example.test' });
});
afterAll(() => t.close());

describe('HTTP surface', () => {
  it('answers /healthz and /readyz', async () => {
    expect(await (await t.fetch(`${t.url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await t.fetch(`${t.url}/readyz`)).json()).toEqual({ status: 'ready' });
  });

  it('puts a request id and secure headers on every response, errors included', async () => {
    for (const path of ['/healthz', '/trpc/auth.me', '/nope']) {
      const res = await t.fetch(`${t.url}${path}`);
      expect(res.headers.get('x-request-id')).toMatch(/^[\w-]{8,}$/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    }
  });

  it('returns the request id inside tRPC errors, and JSON for unknown paths', async () => {
    const res = await t.fetch(`${t.url}/trpc/auth.me`);
    const body = (await res.json()) as { error: { data: { requestId: string; code: string } } };
    expect(res.status).toBe(401);
    expect(body.error.data).toMatchObject({ code: 'UNAUTHORIZED', requestId: res.headers.get('x-request-id') });
    const missing = await t.fetch(`${t.url}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'not found' });
  });

  it('allows CORS with credentials for configured origins only', async () => {
    const preflight = (origin: string) => t.fetch(`${t.url}/trpc/auth.login`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
    const allowed = await preflight('https://app.example.test');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.test');
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('logs the path of each request, never its query string (tRPC input)', async () => {
    const input = encodeURIComponent(JSON.stringify({ token: 'secret-looking-token-value' }));
    await t.fetch(`${t.url}/trpc/invites.lookup?input=${input}`);
    const line = t.logLines.find((l) => l.includes('/trpc/invites.lookup'));
    expect(line).toBeDefined();
    expect(t.logLines.join('')).not.toContain('secret-looking-token-value');
  });
});
