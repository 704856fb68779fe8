import { defineModule } from '../../module-manifest.ts';
import { BillingSequence } from './billing-sequence.entity.ts';
import { Charge } from './charge.entity.ts';
import { chargesRouter } from './charges.router.ts';
import { CreditNote } from './credit-note.entity.ts';
import { InvoiceLine } from './invoice-line.entity.ts';
import { Invoice } from './invoice.entity.ts';
import { invoicesRouter } from './invoices.router.ts';
import { Organisation } from './organisation.entity.ts';
import { organisationsRouter } from './organisations.router.ts';
import { PaymentAllocation } from './payment-allocation.entity.ts';
import { Payment } from './payment.entity.ts';
import { paymentsRouter } from './payments.router.ts';
import { Refund } from './refund.entity.ts';
import { RevenueDay } from './revenue-day.entity.ts';
import { Service } from './service.entity.ts';
import { servicesRouter } from './services.router.ts';
import { statementsRouter } from './statements.router.ts';
import { TaxRate } from './tax-rate.entity.ts';
import { taxRatesRouter } from './tax-rates.router.ts';

export const billingModule = defineModule({
  routers: {
    services: servicesRouter,
    taxRates: taxRatesRouter,
    organisations: organisationsRouter,
    charges: chargesRouter,
    invoices: invoicesRouter,
    payments: paymentsRouter,
    statements: statementsRouter,
  },
  entities: [TaxRate, Service, Organisation, Charge, Invoice, InvoiceLine, CreditNote, BillingSequence, Payment, PaymentAllocation, Refund, RevenueDay],
});
