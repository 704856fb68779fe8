import { Hl7Message, type Hl7Segment } from '@medplum/core';
import { DateTime } from 'luxon';

/**
 * Reading HL7 v2 values. @medplum/core's parser splits a message into segments, fields, repetitions,
 * components and subcomponents (with the separators MSH-1/MSH-2 declare); it leaves escape sequences as
 * they are, so every value read here is decoded with `unescape`.
 */
export { Hl7Message, type Hl7Segment };

/** HL7 v2 escape sequences (v2.5 §2.7): separators, the escape character, hex bytes, line breaks; formatting dropped. */
// biome-ignore lint/suspicious/noShadowRestrictedNames: HL7's own word; the deprecated global is never used
export function unescape(value: string, segment: Hl7Segment): string {
  const c = segment.context;
  const esc = c.escapeCharacter;
  if (!value.includes(esc)) return value;
  const e = esc.replace(/[\\^$.*+?()[\]{}|-]/g, '\\$&');
  const pattern = new RegExp(`${e}([^${e}]*)${e}`, 'g');
  return value.replace(pattern, (whole, code: string) => {
    switch (code) {
      case 'F':
        return c.fieldSeparator;
      case 'S':
        return c.componentSeparator;
      case 'T':
        return c.subcomponentSeparator;
      case 'R':
        return c.repetitionSeparator;
      case 'E':
        return esc;
      case '.br':
        return '\n';
      case 'H':
      case 'N':
        return '';
      default:
        if (/^X([0-9A-Fa-f]{2})+$/.test(code)) return Buffer.from(code.slice(1), 'hex').toString('utf8');
        if (/^[CMZ]/.test(code) || code.startsWith('.')) return '';
        return whole;
    }
  });
}

/**
 * The message, or null when its MSH does not declare usable separators (MSH-1 and the four characters of
 * MSH-2: distinct, and neither letters, digits nor spaces), which no parse could make sense of.
 */
export function parseMessage(text: string): Hl7Message | null {
  const separators = text.slice(3, 8);
  if (!text.startsWith('MSH') || separators.length < 5 || new Set(separators).size !== 5 || /[A-Za-z0-9\s]/.test(separators)) return null;
  return Hl7Message.parse(text);
}

/** A decoded value: field (1-based), component (1-based), repetition (0-based), subcomponent (1-based). */
export function read(segment: Hl7Segment | undefined, field: number, component = 1, repetition = 0, subcomponent?: number): string {
  if (!segment) return '';
  return unescape(segment.getField(field)?.getComponent(component, subcomponent, repetition) ?? '', segment).trim();
}

/** How many repetitions a field has (0 when empty). */
export function repetitions(segment: Hl7Segment, field: number): number {
  const f = segment.getField(field);
  if (!f || f.toString() === '') return 0;
  return f.components.length;
}

const TS = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.(\d{1,4}))?(?:([+-])(\d{2})(\d{2}))?$/;

/**
 * Years PAMS can store: PostgreSQL's date and timestamptz have no year 0000, and past 9999 their ISO form
 * needs more digits. A value outside them is no HL7 time PAMS takes, so it is refused as a value, here,
 * and never reaches the database.
 */
const storableYear = (year: number) => year >= 1 && year <= 9999;

/**
 * An HL7 TS/DTM as an ISO instant; without an offset it is a local time of `zone` (the practice's). Null
 * when not a time: an impossible date or clock time, an offset beyond ±15:59, a year outside 0001-9999.
 */
export function instant(value: string, zone: string): string | null {
  const m = TS.exec(value);
  if (!m) return null;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', s = '00', frac = '0', sign, offsetHours, offsetMinutes] = m;
  if (sign && (+offsetHours! > 15 || +offsetMinutes! > 59)) return null;
  const at = DateTime.fromObject(
    { year: +y!, month: +mo, day: +d, hour: +h, minute: +mi, second: +s, millisecond: Math.round(Number(`0.${frac}`) * 1000) },
    { zone: sign ? `UTC${sign}${offsetHours}:${offsetMinutes}` : zone },
  ).toUTC();
  return at.isValid && storableYear(at.year) ? at.toISO() : null;
}

/** An HL7 DT/TS as a calendar date, YYYY-MM-DD (the time, if any, dropped); null outside years 0001-9999. */
export function calendarDate(value: string): string | null {
  const m = /^(\d{4})(\d{2})(\d{2})/.exec(value);
  return m && storableYear(+m[1]!) ? `${m[1]}-${m[2]}-${m[3]}` : null;
}
