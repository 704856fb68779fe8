/** Lower case without accents: "José Ó Briain" and "jose o briain" match alike. Used when storing and querying. */
export function foldForSearch(value: string): string {
  return value
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The two folded name columns of a patient: for search ("given middle family", each query word is sought
 * anywhere in it, so a middle name finds the patient too) and for sorting ("family given middle").
 */
export function patientNameKeys(givenName: string, familyName: string, middleNames: readonly string[] = []) {
  const given = [givenName, ...middleNames].join(' ');
  return { searchName: foldForSearch(`${given} ${familyName}`), sortName: foldForSearch(`${familyName} ${given}`) };
}

/** A LIKE pattern matching `value` anywhere, with LIKE's own wildcards escaped. */
export const containing = (value: string) => `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Digits only, so "+353 (87) 123-4567", "087 1234567" and "871234567" can meet. */
export const phoneDigits = (phone: string) => phone.replace(/\D/g, '');

/** Every search column of a patient, from their fields as stored: the name keys, and the phone's digits (null without a phone). */
export function patientSearchKeys(p: { givenName: string; familyName: string; middleNames?: readonly string[] | null; phone?: string | null }) {
  return { ...patientNameKeys(p.givenName, p.familyName, p.middleNames ?? []), phoneDigits: p.phone ? phoneDigits(p.phone) : null };
}
