import { Option, type Command } from 'commander';
import { patientSignUpModes, type PatientSignUpMode } from '../../shared/enums.ts';
import type { RouterInputs, RouterOutputs } from '../../shared/client.ts';
import { createCommand, remote, type GlobalOptions } from '../command.ts';
import { CliError } from '../exit-codes.ts';
import { printRecord } from '../output.ts';

export const practiceCommand = createCommand('practice').description(
  "your practice's settings: name, time zone, MFA requirement, review of extracted steps, cancellation window, automatic acceptance of care requests, patient sign-up, billing",
);

/** The settings as key/value lines: the address on one line, the tax registration as `GSTIN 29ABCDE1234F1Z5`. */
function printPractice(practice: RouterOutputs['practices']['current'], json: boolean): void {
  if (json) return printRecord(practice, true);
  const { billingAddressLines: lines, taxRegistration: tax } = practice;
  printRecord({ ...practice, billingAddressLines: lines?.join(', '), taxRegistration: tax && `${tax.label} ${tax.value}` }, false);
}

practiceCommand
  .command('show')
  .description("show the practice's settings")
  .action(async (_opts, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    printPractice(await api.practices.current.query(), json);
  });

/** `GSTIN=29ABCDE1234F1Z5` as { label, value }; "" clears it. */
function taxRegistrationOf(text: string) {
  if (text === '') return null;
  const at = text.indexOf('=');
  if (at < 1 || at === text.length - 1) throw new CliError(`"${text}" is not LABEL=VALUE, e.g. GSTIN=29ABCDE1234F1Z5 or VAT=IE1234567T`);
  return { label: text.slice(0, at), value: text.slice(at + 1) };
}

type UpdateOptions = {
  name?: string;
  timeZone?: string;
  mfaRequired?: boolean;
  reviewExtractedSteps?: boolean;
  autoAcceptCareRequests?: boolean;
  cancellationWindowHours?: number;
  hl7SendingApplication?: string;
  hl7SendingFacility?: string;
  patientSignUp?: PatientSignUpMode;
  slug?: string;
  currency?: string;
  pricesIncludeTax?: boolean;
  invoiceNumberFormat?: string;
  creditNoteNumberFormat?: string;
  chargeCompletedVisits?: boolean;
  paymentTermsDays?: number;
  billingName?: string;
  billingAddressLine?: string[];
  billingPhone?: string;
  billingEmail?: string;
  taxRegistration?: string;
};

/** "" clears a setting: null. */
const orNull = (v: string | undefined) => (v === undefined ? undefined : v || null);

practiceCommand
  .command('update')
  .description("change the practice's settings (admin); only the values given change")
  .option('--name <name>', 'practice name')
  .option('--time-zone <tz>', 'IANA time zone, e.g. Europe/Dublin')
  .option('--mfa-required', 'require two-factor authentication of every user (turn it on for yourself first)')
  .option('--no-mfa-required', 'stop requiring it')
  .option('--review-extracted-steps', 'a clinician reviews the steps extracted from a note before patients see them')
  .option('--no-review-extracted-steps', 'publish extracted steps without review')
  .option('--auto-accept-care-requests', "accept patients' requests to join a clinician's care team at once")
  .option('--no-auto-accept-care-requests', 'the clinician or an admin accepts or declines each request')
  .option('--cancellation-window-hours <hours>', 'patients cancel or move their own visits until this many hours before the start (0-720)', (v) => Number(v))
  .option('--hl7-sending-application <name>', 'MSH-3 of the HL7 ACKs PAMS sends ("" restores the default, PAMS)')
  .option('--hl7-sending-facility <name>', 'MSH-4 of those ACKs ("" restores the default, the practice\'s name)')
  .addOption(new Option('--patient-sign-up <mode>', 'open: anyone may create a patient account here and verify it by email; off: by invite only').choices(patientSignUpModes))
  .option('--slug <slug>', 'the short name a sign-up may give for the practice, besides its id ("" removes it)')
  .option('--currency <code>', 'ISO 4217 currency of every amount billed, e.g. EUR (fixed once an invoice exists)')
  .option('--prices-include-tax', "prices include tax: a line's tax is worked out of its amount")
  .option('--no-prices-include-tax', 'tax is added to prices')
  .option('--invoice-number-format <format>', 'e.g. INV-{YYYY}-{SEQ:6}: {SEQ} or {SEQ:n} once, optionally {YYYY} or {YY} (the sequence then restarts each year)')
  .option('--credit-note-number-format <format>', 'e.g. CN-{YYYY}-{SEQ:6}')
  .option('--charge-completed-visits', "a visit marked completed creates a charge for its type's service")
  .option('--no-charge-completed-visits', 'staff charge visits by hand')
  .option('--payment-terms-days <days>', 'an issued invoice is due this many days later (0-365)', (v) => Number(v))
  .option('--billing-name <name>', 'the legal or trading name invoices carry ("" restores the default, the practice\'s name)')
  .option('--billing-address-line <line>', 'a line of the address invoices show (repeat it for each line, up to 6; "" alone removes the address)', (v: string, prev: string[] = []) => [...prev, v])
  .option('--billing-phone <phone>', 'the phone number invoices show, with its country code ("" removes it)')
  .option('--billing-email <email>', 'the email address invoices show ("" removes it)')
  .option('--tax-registration <label=value>', 'the tax registration invoices show, e.g. GSTIN=29ABCDE1234F1Z5 or VAT=IE1234567T ("" removes it)')
  .action(async (opts: UpdateOptions, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    const input: RouterInputs['practices']['update'] = {
      name: opts.name,
      timeZone: opts.timeZone,
      mfaRequired: opts.mfaRequired,
      reviewExtractedSteps: opts.reviewExtractedSteps,
      autoAcceptCareRequests: opts.autoAcceptCareRequests,
      cancellationWindowHours: opts.cancellationWindowHours,
      hl7SendingApplication: opts.hl7SendingApplication === undefined ? undefined : opts.hl7SendingApplication || null,
      hl7SendingFacility: opts.hl7SendingFacility === undefined ? undefined : opts.hl7SendingFacility || null,
      patientSignUp: opts.patientSignUp,
      slug: opts.slug === undefined ? undefined : opts.slug || null,
      currency: opts.currency,
      pricesIncludeTax: opts.pricesIncludeTax,
      invoiceNumberFormat: opts.invoiceNumberFormat,
      creditNoteNumberFormat: opts.creditNoteNumberFormat,
      chargeCompletedVisits: opts.chargeCompletedVisits,
      paymentTermsDays: opts.paymentTermsDays,
      billingName: orNull(opts.billingName),
      billingAddressLines: opts.billingAddressLine && (opts.billingAddressLine.join('') === '' ? null : opts.billingAddressLine),
      billingPhone: orNull(opts.billingPhone),
      billingEmail: orNull(opts.billingEmail),
      taxRegistration: opts.taxRegistration === undefined ? undefined : taxRegistrationOf(opts.taxRegistration),
    };
    if (Object.values(input).every((v) => v === undefined)) throw new CliError('Nothing to update: pass at least one setting (see `pams practice update --help`)');
    printPractice(await api.practices.update.mutate(input), json);
  });
