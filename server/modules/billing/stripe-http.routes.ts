import { Hono, type Context } from 'hono';
import type { RequestIdVariables } from 'hono/request-id';
import type Stripe from 'stripe';
import type { AppDeps } from '../../context.ts';
import { handleStripeEvent } from './online-payments.service.ts';
import { stripeClient } from './stripe.ts';

/**
 * POST /webhooks/stripe: Stripe's events, verified by their signature (STRIPE_WEBHOOK_SECRET) over the raw
 * body. A bad signature is a 400 that says nothing more; a verified event is acknowledged with 200 whatever
 * it did, so Stripe stops retrying (a paid Checkout session is recorded once: online-payments.service.ts).
 * Logged by event id, type and outcome only: nothing of the patient.
 */
export function stripeWebhookRoutes(deps: AppDeps, socketIp: (c: Context) => string | null) {
  return new Hono<{ Variables: RequestIdVariables }>().post('/stripe', async function stripeWebhook(c) {
    const config = deps.config.stripe;
    if (!config) return c.json({ error: 'not found' }, 404);
    const body = await c.req.text();
    let event: Stripe.Event;
    try {
      event = await stripeClient(config).webhooks.constructEventAsync(body, c.req.header('stripe-signature') ?? '', config.webhookSecret);
    } catch {
      return c.json({ error: 'invalid signature' }, 400);
    }
    const meta = { requestId: c.get('requestId'), ip: socketIp(c), userAgent: c.req.header('user-agent')?.slice(0, 300) ?? null };
    const outcome = await handleStripeEvent(deps, meta, event);
    const log = deps.log.child({ requestId: meta.requestId });
    if (outcome === 'unknown-invoice' || outcome === 'currency-mismatch') log.warn({ eventId: event.id, type: event.type, outcome }, 'stripe event not recorded');
    else log.info({ eventId: event.id, type: event.type, outcome }, 'stripe event');
    return c.json({ received: true });
  });
}
