import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Stripe's API (this machine cannot reach it), pointed at by `STRIPE_API_URL`: it
 * answers every call as a Checkout Session create and keeps each request's path, form body and credential.
 * `env` is what a test server needs for online payments through it.
 */
export async function startFakeStripe(webhookSecret: string) {
  const received: { path: string; body: URLSearchParams; auth: string | undefined }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: new URLSearchParams(body), auth: req.headers.authorization });
      const id = `cs_test_${received.length}`;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id, object: 'checkout.session', url: `https://checkout.stripe.test/c/pay/${id}`, expires_at: 1_900_000_000 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    received,
    env: { STRIPE_SECRET_KEY: 'sk_test_pams123', STRIPE_WEBHOOK_SECRET: webhookSecret, STRIPE_API_URL: `http://127.0.0.1:${port}` },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
