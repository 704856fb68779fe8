import type { InvoiceDocument, InvoiceLine, PracticeParty, ReceiptDocument } from '../../../server/modules/billing/invoice-document.ts';

/** Documents as the billing service would hand them to the renderer: every figure already computed, in paise. */

export const practice: PracticeParty = {
  name: 'Sanjeevani Physiotherapy & Rehab Clinic',
  addressLines: ['2nd Floor, 14 Residency Road', 'Bengaluru, Karnataka 560025', 'India'],
  phone: '+91 80 4123 4567',
  email: 'billing@sanjeevani.example',
  taxId: { label: 'GSTIN', value: '29ABCDE1234F1Z5' },
  timeZone: 'Asia/Kolkata',
};

export const gstInvoice: InvoiceDocument = {
  kind: 'invoice',
  number: 'INV-2026-000123',
  issuedAt: '2026-03-12T04:30:00Z',
  dueAt: '2026-03-26',
  currency: 'INR',
  practice,
  billTo: { name: 'Ananya Rao', addressLines: ['7 Lavelle Road', 'Bengaluru 560001'], onBehalfOf: 'José Núñez' },
  patient: { name: 'José Núñez', dateOfBirth: '1961-07-04' },
  lines: [
    {
      description: 'Physiotherapy session, 45 minutes (knee rehabilitation)',
      serviceCode: 'SAC 999312',
      quantity: 3,
      unitPrice: 1_500_00,
      discount: 500_00,
      net: 4_000_00,
      taxRateName: 'GST 18%',
      tax: 720_00,
      total: 4_720_00,
    },
    {
      description: 'Hinged knee brace, size M',
      serviceCode: 'HSN 9021',
      quantity: 1,
      unitPrice: 2_499_00,
      discount: 0,
      net: 2_499_00,
      taxRateName: 'GST 12%',
      tax: 299_88,
      total: 2_798_88,
    },
    {
      description: 'Consultation, Dr. Élodie Marchand',
      serviceCode: 'SAC 999311',
      quantity: 1,
      unitPrice: 800_00,
      discount: 0,
      net: 800_00,
      taxRateName: 'Exempt',
      tax: 0,
      total: 800_00,
    },
  ],
  taxBreakdown: [
    { rateName: 'GST 18%', component: 'CGST', ratePpm: 90_000, taxable: 4_000_00, tax: 360_00 },
    { rateName: 'GST 18%', component: 'SGST', ratePpm: 90_000, taxable: 4_000_00, tax: 360_00 },
    { rateName: 'GST 12%', component: 'CGST', ratePpm: 60_000, taxable: 2_499_00, tax: 149_94 },
    { rateName: 'GST 12%', component: 'SGST', ratePpm: 60_000, taxable: 2_499_00, tax: 149_94 },
  ],
  subtotal: 7_299_00,
  taxTotal: 1_019_88,
  total: 8_318_88,
  amountPaid: 3_000_00,
  balance: 5_318_88,
  notes: 'Please pay by UPI to sanjeevani@upi or by bank transfer, quoting the invoice number.\nसभी भुगतान रुपये में।',
};

export const creditNote: InvoiceDocument = {
  kind: 'credit-note',
  number: 'CN-2026-000007',
  issuedAt: '2026-03-15T06:00:00Z',
  currency: 'INR',
  practice,
  billTo: gstInvoice.billTo,
  patient: gstInvoice.patient,
  lines: [
    {
      description: 'Physiotherapy session, 45 minutes (knee rehabilitation): session of 14 March cancelled',
      serviceCode: 'SAC 999312',
      quantity: 1,
      unitPrice: -1_500_00,
      discount: 0,
      net: -1_500_00,
      taxRateName: 'GST 18%',
      tax: -270_00,
      total: -1_770_00,
    },
  ],
  taxBreakdown: [
    { rateName: 'GST 18%', component: 'CGST', ratePpm: 90_000, taxable: -1_500_00, tax: -135_00 },
    { rateName: 'GST 18%', component: 'SGST', ratePpm: 90_000, taxable: -1_500_00, tax: -135_00 },
  ],
  subtotal: -1_500_00,
  taxTotal: -270_00,
  total: -1_770_00,
  amountPaid: 0,
  balance: -1_770_00,
  relatedNumber: 'INV-2026-000123',
};

export const receipt: ReceiptDocument = {
  number: 'RCT-2026-000051',
  paidAt: '2026-03-14T11:20:00Z',
  method: 'UPI',
  reference: '406512345678',
  amount: 6_000_00,
  currency: 'INR',
  allocations: [{ invoiceNumber: 'INV-2026-000123', amount: 5_318_88 }],
  credit: 681_12,
  practice,
  payer: { name: 'अनन्या राव (Ananya Rao)', addressLines: ['7 Lavelle Road', 'Bengaluru 560001'] },
};

/** An invoice of `count` lines, numbered so each can be found in the text: line i is i sessions at 1,000.00 plus 18% GST. */
export function longInvoice(count: number): InvoiceDocument {
  const lines: InvoiceLine[] = Array.from({ length: count }, (_, i) => {
    const n = i + 1;
    const net = n * 1_000_00;
    const tax = n * 180_00;
    return {
      description: `Session ${n} of ${count}, physiotherapy`,
      serviceCode: 'SAC 999312',
      quantity: n,
      unitPrice: 1_000_00,
      discount: 0,
      net,
      taxRateName: 'GST 18%',
      tax,
      total: net + tax,
    };
  });
  const net = lines.reduce((s, l) => s + l.net, 0);
  const tax = lines.reduce((s, l) => s + l.tax, 0);
  return {
    ...gstInvoice,
    number: `INV-2026-${String(count).padStart(6, '0')}`,
    lines,
    taxBreakdown: [
      { rateName: 'GST 18%', component: 'CGST', ratePpm: 90_000, taxable: net, tax: tax / 2 },
      { rateName: 'GST 18%', component: 'SGST', ratePpm: 90_000, taxable: net, tax: tax / 2 },
    ],
    subtotal: net,
    taxTotal: tax,
    total: net + tax,
    amountPaid: 0,
    balance: net + tax,
    notes: undefined,
  };
}
