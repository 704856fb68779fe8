import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditTrail, createPatient, createPractice, invitePatientToPortal, newEmail, sql, type TestUser } from '../../fixtures.ts';
import { startFakeStripe } from '../../fake-stripe.ts';
import { startTestServer, type TestServer } from '../../harness.ts';
import { rejection } from '../../rejection.ts';

/**
 * Online payment through Stripe (issue 16 §3), offline: Checkout sessions go to a local stand-in for
 * Stripe's API (which tests cannot reach), and webhook events are signed with the stripe package's own
 * test-header helper.
 */

const WEBHOOK_SECRET = 'whsec_testsecret123';
let t: TestServer;
let admin: TestUser;
let item: { id: string };
let fakeStripe: Awaited<ReturnType<typeof startFakeStripe>>;
const stripe = new Stripe('sk_test_offline');

beforeAll(async () => {
  fakeStripe = await startFakeStripe(WEBHOOK_SECRET);
  t = await startTestServer(fakeStripe.env);
  ({ admin } = await createPractice(t));
  item = await t.client(admin.token).services.create.mutate({ code: 'UNIT', name: 'Unit', price: 1 });
});
afterAll(async () => {
  await t.close();
  await fakeStripe.close();
});

async function invoiceOf(token: string, service: { id: string }, patientId: string, quantity: number) {
  const api = t.client(token);
  const draft = await api.invoices.createDraft.mutate({ patientId, fromCharges: false });
  await api.invoices.addLine.mutate({ invoiceId: draft.id, line: { kind: 'service', serviceId: service.id, quantity, discount: 0 } });
  return api.invoices.issue.mutate({ id: draft.id });
}

/** A Checkout session completed and paid, as Stripe sends it, signed. */
function paidEvent({
  eventId,
  invoiceId,
  practiceId,
  amount,
  currency = 'eur',
  paymentIntent,
}: {
  eventId: string;
  invoiceId: string;
  practiceId: string;
  amount: number;
  currency?: string;
  paymentIntent: string;
}) {
  return {
    id: eventId,
    object: 'event',
    type: 'checkout.session.completed',
    created: Math.floor(Date.now() / 1000),
    data: {
      object: {
        id: `cs_${eventId}`,
        object: 'checkout.session',
        payment_status: 'paid',
        status: 'complete',
        amount_total: amount,
        currency,
        payment_intent: paymentIntent,
        metadata: { practiceId, invoiceId },
      },
    },
  };
}

function deliver(event: object, secret = WEBHOOK_SECRET) {
  const payload = JSON.stringify(event);
  const signature = stripe.webhooks.generateTestHeaderString({ payload, secret });
  return t.fetch(`${t.url}/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, body: payload });
}

const paymentsOf = (patientId: string) => sql(t, 'select method, amount::int, allocated::int, stripe_event_id, stripe_payment_intent_id from payment where patient_id = ?', [patientId]);

describe('invoices.paymentLink', () => {
  it("makes a Checkout session for the invoice's balance in the practice's currency, with the practice and invoice as metadata", async () => {
    const patient = await createPatient(t, admin.token);
    const due = await invoiceOf(admin.token, item, patient.id, 4250);
    await t.client(admin.token).payments.record.mutate({ patientId: patient.id, amount: 1000, method: 'cash', allocations: [{ invoiceId: due.id, amount: 1000 }] });
    fakeStripe.received.length = 0;
    const link = await t.client(admin.token).invoices.paymentLink.mutate({ id: due.id });
    expect(link).toEqual({ url: 'https://checkout.stripe.test/c/pay/cs_test_1', sessionId: 'cs_test_1', amount: 3250, currency: 'EUR', expiresAt: new Date(1_900_000_000_000).toISOString() });
    expect(fakeStripe.received).toHaveLength(1);
    const [{ path, body, auth }] = fakeStripe.received as [(typeof fakeStripe.received)[number]];
    expect(path).toBe('/v1/checkout/sessions');
    expect(auth).toBe('Bearer sk_test_pams123');
    expect(Object.fromEntries(body)).toMatchObject({
      mode: 'payment',
      'line_items[0][quantity]': '1',
      'line_items[0][price_data][currency]': 'eur',
      'line_items[0][price_data][unit_amount]': '3250',
      'line_items[0][price_data][product_data][name]': `Invoice ${due.number}`,
      'metadata[practiceId]': admin.practiceId,
      'metadata[invoiceId]': due.id,
      'payment_intent_data[metadata][invoiceId]': due.id,
      success_url: `${t.config.appUrl}/billing/invoices/${due.id}?payment=success`,
    });
    // Nothing of the patient goes to Stripe.
    expect([...body.values()].join(' ')).not.toContain(patient.familyName);
    expect((await auditTrail(t, due.id)).map((e) => e.action)).toContain('invoice.payment-link');
  });

  it("is the portal's pay-now for the patient's own invoice; a paid or void invoice has nothing to pay", async () => {
    const patient = await createPatient(t, admin.token, { email: newEmail('payer') });
    const portal = await invitePatientToPortal(t, admin.token, patient.id);
    const due = await invoiceOf(admin.token, item, patient.id, 99);
    expect((await t.client(portal.token).invoices.paymentLink.mutate({ id: due.id })).amount).toBe(99);
    await t.client(admin.token).payments.record.mutate({ patientId: patient.id, amount: 99, method: 'cash', allocations: [{ invoiceId: due.id, amount: 99 }] });
    expect(await rejection(t.client(portal.token).invoices.paymentLink.mutate({ id: due.id }))).toMatchObject({ code: 'CONFLICT', reason: 'invoice-not-payable' });
    const { admin: elsewhere } = await createPractice(t);
    expect((await rejection(t.client(elsewhere.token).invoices.paymentLink.mutate({ id: due.id }))).code).toBe('NOT_FOUND');
  });

  it('charges a zero-decimal currency in whole units, as Stripe takes it', async () => {
    const { admin: yen } = await createPractice(t);
    await t.client(yen.token).practices.update.mutate({ currency: 'JPY' });
    const service = await t.client(yen.token).services.create.mutate({ code: 'C', name: 'Consultation', price: 5500 });
    const due = await invoiceOf(yen.token, service, (await createPatient(t, yen.token)).id, 1);
    fakeStripe.received.length = 0;
    expect(await t.client(yen.token).invoices.paymentLink.mutate({ id: due.id })).toMatchObject({ amount: 5500, currency: 'JPY' });
    expect(fakeStripe.received[0]!.body.get('line_items[0][price_data][unit_amount]')).toBe('5500');
    expect(fakeStripe.received[0]!.body.get('line_items[0][price_data][currency]')).toBe('jpy');
  });
});

describe('the Stripe webhook', () => {
  it('records a paid Checkout session once, however often and however concurrently Stripe delivers it', async () => {
    const patient = await createPatient(t, admin.token);
    const due = await invoiceOf(admin.token, item, patient.id, 3000);
    const event = paidEvent({ eventId: 'evt_once_1', invoiceId: due.id, practiceId: admin.practiceId, amount: 3000, paymentIntent: 'pi_once_1' });
    const responses = [await deliver(event), ...(await Promise.all([deliver(event), deliver(event), deliver(event)])), await deliver(event)];
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    // Another event of the same payment intent (Stripe's async_payment_succeeded after completed) adds nothing.
    const again = {
      ...paidEvent({ eventId: 'evt_once_2', invoiceId: due.id, practiceId: admin.practiceId, amount: 3000, paymentIntent: 'pi_once_1' }),
      type: 'checkout.session.async_payment_succeeded',
    };
    expect((await deliver(again)).status).toBe(200);

    expect(await paymentsOf(patient.id)).toEqual([{ method: 'stripe', amount: 3000, allocated: 3000, stripe_event_id: 'evt_once_1', stripe_payment_intent_id: 'pi_once_1' }]);
    expect(await t.client(admin.token).invoices.byId.query({ id: due.id })).toMatchObject({ status: 'paid', amountPaid: 3000 });
    const [payment] = (await t.client(admin.token).payments.list.query({ patientId: patient.id })).items;
    expect(payment).toMatchObject({
      method: 'stripe',
      number: expect.stringMatching(/^RCT-/),
      recordedBy: null,
      stripePaymentIntentId: 'pi_once_1',
      allocations: [expect.objectContaining({ invoiceId: due.id, amount: 3000 })],
    });
    expect((await auditTrail(t, payment!.id)).map((e) => e.action)).toContain('payment.recorded');
  });

  it('makes credit of what the invoice no longer owes (paid meanwhile by other means)', async () => {
    const patient = await createPatient(t, admin.token);
    const due = await invoiceOf(admin.token, item, patient.id, 500);
    await t.client(admin.token).payments.record.mutate({ patientId: patient.id, amount: 200, method: 'cash', allocations: [{ invoiceId: due.id, amount: 200 }] });
    await deliver(paidEvent({ eventId: 'evt_over_1', invoiceId: due.id, practiceId: admin.practiceId, amount: 500, paymentIntent: 'pi_over_1' }));
    expect(await t.client(admin.token).statements.byPatient.query({ patientId: patient.id })).toMatchObject({ balance: 0, credit: 200, totalPayments: 700 });
  });

  it('refuses a bad signature with 400 and records nothing', async () => {
    const patient = await createPatient(t, admin.token);
    const due = await invoiceOf(admin.token, item, patient.id, 100);
    const event = paidEvent({ eventId: 'evt_forged', invoiceId: due.id, practiceId: admin.practiceId, amount: 100, paymentIntent: 'pi_forged' });
    const forged = await deliver(event, 'whsec_notoursecret');
    expect(forged.status).toBe(400);
    expect(await forged.json()).toEqual({ error: 'invalid signature' });
    const unsigned = await t.fetch(`${t.url}/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) });
    expect(unsigned.status).toBe(400);
    // A signed body altered afterwards does not verify either.
    const payload = JSON.stringify(event);
    const signature = stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET });
    const altered = await t.fetch(`${t.url}/webhooks/stripe`, { method: 'POST', headers: { 'stripe-signature': signature }, body: payload.replace('"amount_total":100', '"amount_total":1') });
    expect(altered.status).toBe(400);
    expect(await paymentsOf(patient.id)).toEqual([]);
  });

  it("acknowledges an event for another practice's invoice, an unknown invoice or an ignored type, records it nowhere, and logs no PHI", async () => {
    const { admin: other } = await createPractice(t);
    const patient = await createPatient(t, other.token);
    const theirs = await invoiceOf(other.token, await t.client(other.token).services.create.mutate({ code: 'U', name: 'U', price: 1 }), patient.id, 100);
    const crossed = paidEvent({ eventId: 'evt_cross', invoiceId: theirs.id, practiceId: admin.practiceId, amount: 100, paymentIntent: 'pi_cross' });
    const unknown = paidEvent({ eventId: 'evt_unknown', invoiceId: '01a20a11-0000-7000-8000-000000000000', practiceId: admin.practiceId, amount: 100, paymentIntent: 'pi_unknown' });
    const ignored = { id: 'evt_ignored', object: 'event', type: 'customer.created', created: 0, data: { object: { id: 'cus_1', object: 'customer' } } };
    for (const event of [crossed, unknown, ignored]) expect((await deliver(event)).status).toBe(200);
    expect(await sql(t, "select count(*)::int as n from payment where stripe_event_id in ('evt_cross', 'evt_unknown', 'evt_ignored')")).toEqual([{ n: 0 }]);
    expect(await t.client(other.token).invoices.byId.query({ id: theirs.id })).toMatchObject({ status: 'issued', amountPaid: 0 });
    const logged = t.logLines.filter((l) => l.includes('evt_cross') || l.includes('evt_unknown')).join('');
    expect(logged).toContain('unknown-invoice');
    expect(logged).not.toContain(patient.familyName);
    expect(logged).not.toContain(theirs.id);
  });
});

describe('without Stripe', () => {
  it('paymentLink answers payments-not-configured, and the webhook is not there', async () => {
    const plain = await startTestServer();
    try {
      const { admin: a } = await createPractice(plain);
      const service = await plain.client(a.token).services.create.mutate({ code: 'U', name: 'U', price: 1 });
      const draft = await plain.client(a.token).invoices.createDraft.mutate({ patientId: (await createPatient(plain, a.token)).id, fromCharges: false });
      await plain.client(a.token).invoices.addLine.mutate({ invoiceId: draft.id, line: { kind: 'service', serviceId: service.id, quantity: 1, discount: 0 } });
      await plain.client(a.token).invoices.issue.mutate({ id: draft.id });
      expect(await rejection(plain.client(a.token).invoices.paymentLink.mutate({ id: draft.id }))).toMatchObject({ code: 'BAD_REQUEST', reason: 'payments-not-configured' });
      expect((await plain.fetch(`${plain.url}/webhooks/stripe`, { method: 'POST', body: '{}' })).status).toBe(404);
    } finally {
      await plain.close();
    }
  });
});
