import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type Stripe from 'stripe';
import type { PaymentLinkOutput } from '../../../shared/schemas/billing.ts';
import type { IdInput } from '../../../shared/schemas/common.ts';
import type { AppDeps, AuthedCtx, RequestMeta } from '../../context.ts';
import { AppError, notFound, RetryLaterError } from '../../errors.ts';
import { practiceEm } from '../../tenant-filter.ts';
import { auditRead } from '../audit/audit.service.ts';
import { visibleInvoices } from './billing-access.ts';
import { Invoice } from './invoice.entity.ts';
import { recordOnlinePayment, type OnlinePaymentOutcome } from './payments.service.ts';
import { fromStripeAmount, stripeClient, toStripeAmount } from './stripe.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A Stripe Checkout page to pay an invoice's balance, for whoever sees the invoice (an admin sending it,
 * the patient or a guardian in the portal). Stripe learns the invoice's number and balance only, and the
 * metadata the webhook records the payment by: the practice and the invoice.
 */
export async function createPaymentLink(ctx: AuthedCtx, { id }: IdInput): Promise<PaymentLinkOutput> {
  const invoice = await ctx.em.findOne(Invoice, { $and: [{ id }, visibleInvoices(ctx.actor)] });
  if (!invoice) throw notFound('Invoice');
  const config = ctx.config.stripe;
  if (!config) throw new AppError('BAD_REQUEST', 'Online payment is not set up: STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET', 'payments-not-configured');
  if ((invoice.status !== 'issued' && invoice.status !== 'partially-paid') || invoice.balance === 0)
    throw new AppError('CONFLICT', `A ${invoice.status} invoice has nothing to pay`, 'invoice-not-payable');
  const unitAmount = toStripeAmount(invoice.balance, invoice.currency);
  if (unitAmount === null) throw new AppError('BAD_REQUEST', `Stripe cannot charge ${invoice.balance} minor units of ${invoice.currency} exactly`, 'amount-not-payable-online');
  const metadata = { practiceId: ctx.actor.practiceId, invoiceId: invoice.id };
  const back = `${ctx.config.appUrl}/billing/invoices/${invoice.id}`;
  let session: Stripe.Checkout.Session;
  try {
    session = await stripeClient(config).checkout.sessions.create({
      mode: 'payment',
      line_items: [{ quantity: 1, price_data: { currency: invoice.currency.toLowerCase(), unit_amount: unitAmount, product_data: { name: `Invoice ${invoice.number}` } } }],
      metadata,
      payment_intent_data: { metadata },
      client_reference_id: invoice.id,
      success_url: `${back}?payment=success`,
      cancel_url: `${back}?payment=cancelled`,
    });
  } catch (e) {
    const error = e as { type?: string; code?: string; statusCode?: number };
    ctx.log.warn({ err: { type: error.type, code: error.code, status: error.statusCode } }, 'stripe checkout session failed');
    throw new RetryLaterError('SERVICE_UNAVAILABLE', 'The payment provider did not answer: try again', 'payments-unavailable', 30_000);
  }
  await auditRead(ctx, { action: 'invoice.payment-link', entityType: 'invoice', entityId: invoice.id, detail: { patientId: invoice.patient.id, sessionId: session.id } });
  return { url: session.url!, sessionId: session.id, amount: invoice.balance, currency: invoice.currency, expiresAt: new Date(session.expires_at * 1000).toISOString() };
}

export type StripeEventOutcome = OnlinePaymentOutcome | 'ignored' | 'unpaid';

/**
 * What a verified Stripe event does: a paid Checkout session records its payment (payments.service.ts,
 * once however often it comes); every other event is acknowledged and ignored.
 */
export async function handleStripeEvent(deps: Pick<AppDeps, 'orm' | 'clock'>, meta: RequestMeta, event: Stripe.Event): Promise<StripeEventOutcome> {
  if (event.type !== 'checkout.session.completed' && event.type !== 'checkout.session.async_payment_succeeded') return 'ignored';
  const session = event.data.object;
  if (session.payment_status !== 'paid') return 'unpaid';
  const { practiceId, invoiceId } = session.metadata ?? {};
  if (!practiceId || !invoiceId || !UUID.test(practiceId) || !UUID.test(invoiceId)) return 'unknown-invoice';
  const currency = (session.currency ?? '').toUpperCase();
  const amount = session.amount_total === null ? null : fromStripeAmount(session.amount_total, currency);
  if (amount === null || amount <= 0) return 'currency-mismatch';
  const paymentIntentId = typeof session.payment_intent === 'string' ? session.payment_intent : (session.payment_intent?.id ?? null);
  try {
    return await recordOnlinePayment({ em: practiceEm(deps.orm.em, practiceId), meta, now: deps.clock.now() }, { practiceId, invoiceId, eventId: event.id, paymentIntentId, amount, currency });
  } catch (e) {
    // Two deliveries at once past the account lock's check cannot both insert: the unique index refuses the second.
    if (e instanceof UniqueConstraintViolationException) return 'duplicate';
    throw e;
  }
}
