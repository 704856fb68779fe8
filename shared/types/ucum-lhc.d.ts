/** The part of @lhncbc/ucum-lhc (which ships no types) that shared/ucum.ts uses. */
declare module '@lhncbc/ucum-lhc' {
  type Validation = { status: 'valid' | 'invalid' | 'error'; ucumCode: string | null; msg: string[] };
  type Conversion = { status: 'succeeded' | 'failed' | 'error'; toVal: number | null; msg: string[] };
  interface UcumLhcUtils {
    validateUnitString(unit: string, suggest?: boolean): Validation;
    convertUnitTo(fromUnit: string, fromValue: number, toUnit: string): Conversion;
  }
  const ucum: { UcumLhcUtils: { getInstance(): UcumLhcUtils } };
  export default ucum;
}
