import { defineEntity, p } from '@mikro-orm/core';
import { patientSignUpModes } from '../../../shared/enums.ts';
import { newId } from '../../ids.ts';

export const PracticeSchema = defineEntity({
  name: 'Practice',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    name: p.string().length(200),
    timeZone: p.string().length(64).default('UTC'),
    mfaRequired: p.boolean().default(false),
    /** Hold care steps extracted from notes as proposed until a clinician accepts them (off: they start at once). */
    reviewExtractedSteps: p.boolean().default(false),
    /** Accept a patient's request to join a clinician's care team at once (off: the clinician or an admin decides). */
    autoAcceptCareRequests: p.boolean().default(false),
    /** Patients cancel or move their own visits until this many hours before the start; the practice can at any time. */
    cancellationWindowHours: p.smallint().default(24),
    /** MSH-3 and MSH-4 of the HL7 ACKs PAMS sends; null: PAMS, and the practice's name. */
    hl7SendingApplication: p.string().length(180).nullable().fieldName('hl7_sending_application'),
    hl7SendingFacility: p.string().length(180).nullable().fieldName('hl7_sending_facility'),
    /** `open`: anyone may create a patient account here (`auth.signUp`), verified by email; `off`: by invite only. */
    patientSignUp: p.enum(patientSignUpModes).default('off'),
    /** The practice's short public name (unique), which `auth.signUp` accepts besides its id. */
    slug: p.string().length(63).nullable().unique(),
    /** Shown with every SOS: for a life-threatening emergency the patient must call it. 112 works across Europe and on most mobile networks. */
    emergencyNumber: p.string().length(16).default('112'),
    /** An SOS unacknowledged this long goes to every clinician and admin, and again each such period. */
    sosEscalationMinutes: p.smallint().default(2),
    /** ISO 4217: every amount of billing is an integer of its minor units. Fixed once an invoice exists. */
    currency: p.string().length(3).default('EUR'),
    /** Prices (and discounts) include tax: a line's tax is worked out of its amount (billing/line-tax.ts). */
    pricesIncludeTax: p.boolean().default(false),
    invoiceNumberFormat: p.string().length(40).default('INV-{YYYY}-{SEQ:6}'),
    creditNoteNumberFormat: p.string().length(40).default('CN-{YYYY}-{SEQ:6}'),
    /** A visit marked completed creates a charge for its type's service. */
    chargeCompletedVisits: p.boolean().default(true),
    /** An issued invoice is due this many days later. */
    paymentTermsDays: p.smallint().default(30),
    /** What invoices show of the practice (each null when not set): the name (else `name`), address lines, phone (E.164), email, tax registration. */
    billingName: p.string().length(200).nullable(),
    billingAddressLines: p.json<string[]>().nullable(),
    billingPhone: p.string().length(16).nullable(),
    billingEmail: p.string().length(320).nullable(),
    taxRegistration: p.json<{ label: string; value: string }>().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class Practice extends PracticeSchema.class {}
PracticeSchema.setClass(Practice);
