import { encodeBase32UpperCaseNoPadding } from '@oslojs/encoding';

/** An MRN for a patient registered without one: M and 8 random base32 characters. */
export const newMrn = () => `M${encodeBase32UpperCaseNoPadding(crypto.getRandomValues(new Uint8Array(5)))}`;
