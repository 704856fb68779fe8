import type { Hl7Message } from '@medplum/core';
import { newId } from '../../ids.ts';
import type { AckCode } from '../../../shared/schemas/hl7.ts';
import { read } from './hl7-text.ts';

/** What an ERR segment says: an HL7 table 0357 code, a message, and where (ERR-2). */
export type Hl7Issue = { readonly code: number; readonly message: string; readonly location: string | null };

/**
 * Why a message was not applied. `code` is from HL7 table 0357 (100 segment sequence error, 101 required
 * field missing, 102 data type error, 103 table value not found, 200 unsupported message type, 204 unknown
 * key identifier, 207 application internal error); `location` is ERR-2 (segment^sequence^field^^component).
 */
export class Hl7Error extends Error {
  readonly ackCode: 'AE' | 'AR';
  readonly code: number;
  readonly location: string | null;
  constructor(ackCode: 'AE' | 'AR', code: number, message: string, location: string | null = null) {
    super(message);
    this.ackCode = ackCode;
    this.code = code;
    this.location = location;
  }
}

const errorNames: Record<number, string> = {
  100: 'Segment sequence error',
  101: 'Required field missing',
  102: 'Data type error',
  103: 'Table value not found',
  200: 'Unsupported message type',
  204: 'Unknown key identifier',
  207: 'Application internal error',
};

/** Text escaped for an ER7 field. */
// biome-ignore lint/suspicious/noShadowRestrictedNames: HL7's own word; the deprecated global is never used
const escape = (text: string) =>
  text
    .replace(/\\/g, '\\E\\')
    .replace(/\|/g, '\\F\\')
    .replace(/\^/g, '\\S\\')
    .replace(/&/g, '\\T\\')
    .replace(/~/g, '\\R\\')
    .replace(/[\r\n]+/g, ' ');

const now = () =>
  new Date()
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d+Z$/, '');

/** Who sends the ACK (MSH-3 and MSH-4): the practice's HL7 settings. */
export type AckSender = { application: string; facility: string };

/**
 * The ACK for `message` (or, when it could not be read, a bare one): MSH, MSA, and an ERR per issue. The
 * issues of an AE or AR are why it was refused (ERR-4 severity E); those of an AA are warnings (W): parts
 * of the message that were left out while the rest was applied.
 */
export function buildAck(sender: AckSender, message: Hl7Message | null, ackCode: AckCode, text: string, issues: readonly Hl7Issue[] = []): string {
  const h = message?.header;
  const field = (n: number, c = 1) => (h ? escape(read(h, n, c)) : '');
  const event = field(9, 2);
  const msh = [
    'MSH',
    '^~\\&',
    escape(sender.application),
    escape(sender.facility),
    field(3),
    field(4),
    now(),
    '',
    `ACK${event ? `^${event}` : ''}^ACK`,
    newId().replaceAll('-', '').slice(0, 20),
    field(11) || 'P',
    field(12) || '2.5',
  ];
  const segments = [msh.join('|'), ['MSA', ackCode, field(10), escape(text)].join('|')];
  const severity = ackCode === 'AA' ? 'W' : 'E';
  for (const issue of issues) segments.push(['ERR', '', issue.location ?? '', `${issue.code}^${errorNames[issue.code] ?? ''}^HL70357`, severity, '', '', '', escape(issue.message)].join('|'));
  return `${segments.join('\r')}\r`;
}
