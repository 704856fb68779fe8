/// <reference path="./types/ucum-lhc.d.ts" />
import ucum from '@lhncbc/ucum-lhc';

/**
 * UCUM, the units FHIR quantities are coded in (system http://unitsofmeasure.org). Validation is the
 * National Library of Medicine's ucum-lhc, with the UCUM tables it ships (offline).
 */
export const UCUM_SYSTEM = 'http://unitsofmeasure.org';

const utils = ucum.UcumLhcUtils.getInstance();
/** Units seen, bounded: a lab uses a few hundred, and callers choose these strings. */
const seen = new Map<string, boolean>();

/**
 * The library prints a parse that fails inside it with console.log, and PAMS's stdout is its JSON log: the
 * call is synchronous, so silencing console.log around it silences nothing else.
 */
function quietly<T>(call: () => T): T {
  const log = console.log;
  console.log = () => {};
  try {
    return call();
  } finally {
    console.log = log;
  }
}

/** Whether `code` is a case-sensitive UCUM code: "mg/dL", "10*9/L", "mm[Hg]", "%"; not "mmHg", "IU/L". */
export function isUcumCode(code: string): boolean {
  let valid = seen.get(code);
  if (valid === undefined) {
    // UCUM codes are printable ASCII without spaces: anything else is not one.
    valid = /^[!-~]+$/.test(code) && quietly(() => utils.validateUnitString(code).status === 'valid');
    if (seen.size >= 5000) seen.clear();
    seen.set(code, valid);
  }
  return valid;
}

/**
 * The UCUM code a unit as written is, or null. A unit in capitals only may be an old case-insensitive
 * spelling: "MG" (milligram) is megagauss in UCUM and "ML" megalitre, so it counts only when its
 * lower-case reading is no other unit ("L", "10*9/L" count; "MG", "U/L" do not).
 */
export function ucumCodeOf(unit: string): string | null {
  if (!isUcumCode(unit)) return null;
  const lower = unit.toLowerCase();
  if (/[A-Z]/.test(unit) && !/[a-z]/.test(unit) && isUcumCode(lower) && quietly(() => utils.convertUnitTo(unit, 1, lower)).toVal !== 1) return null;
  return unit;
}
