/** Stable machine strings in `error.data.reason`: clients branch on these, people read the message. */
export const errorReasons = [
  'invalid-credentials',
  'mfa-required',
  'mfa-enrolment-required',
  'mfa-invalid-code',
  'mfa-not-enabled',
  'mfa-already-enabled',
  'invite-invalid',
  'invite-expired',
  'invite-revoked',
  'invite-accepted',
  'email-taken',
  'reset-token-invalid',
  'sign-up-closed',
  'slug-taken',
  'verification-link-invalid',
  'patient-merged',
  'merge-conflict',
  'rate-limited',
  'origin-mismatch',
  'last-admin',
  'self-action',
  'mrn-taken',
  'assessment-submitted',
  'assessment-not-submitted',
  'assessment-abandoned',
  'portal-account-exists',
  'no-portal-account',
  'slot-taken',
  'outside-availability',
  'invalid-transition',
  'too-early',
  'in-the-past',
  'inside-cancellation-window',
  'not-bookable-by-patients',
  'not-accepting-new-patients',
  'already-on-care-team',
  'care-request-pending',
  'last-care-team-member',
  'medication-not-active',
  'import-invalid-rows',
  'import-conflict',
  'database-unavailable',
  'database-timeout',
  'invalid-encoding',
  'link-malformed',
  'link-invalid',
  'link-expired',
] as const;
export type ErrorReason = (typeof errorReasons)[number];

/** The extra fields PAMS puts in every tRPC error's `data`. */
export type PamsErrorData = {
  requestId: string | null;
  reason: ErrorReason | null;
  fieldErrors: Record<string, string[]> | null;
};
