/**
 * HL7 v2 message boundaries, shared by the CLI (files, the MLLP listener) and the server (POST /hl7/v2).
 * MLLP frames a message as <VT> message <FS><CR>; files hold messages with segments ended by \r, \n or \r\n.
 */
const MLLP_START = 0x0b;
const MLLP_END = 0x1c;
const CR = 0x0d;

/** Every message of a text: MLLP framing dropped, segments ended by \r, a new message at each MSH. */
export function splitHl7Messages(text: string): string[] {
  const segments = text
    .replace(/[\x0b\x1c]/g, '\r')
    .split(/\r\n|\r|\n/)
    .map((s) => s.replace(/^\uFEFF/, ''))
    .filter((s) => s.trim() !== '');
  const messages: string[][] = [];
  for (const segment of segments) {
    if (segment.startsWith('MSH') || messages.length === 0) messages.push([]);
    messages[messages.length - 1]!.push(segment);
  }
  return messages.map((m) => m.join('\r'));
}

/** One message in an MLLP frame. */
export const mllpFrame = (message: string): Buffer => Buffer.concat([Buffer.from([MLLP_START]), Buffer.from(message.endsWith('\r') ? message : `${message}\r`, 'utf8'), Buffer.from([MLLP_END, CR])]);

/** Reassembles MLLP frames from a byte stream, however the stream splits them; bytes outside a frame are dropped. */
export class MllpDecoder {
  private buffer = Buffer.alloc(0);

  /** The complete messages that this chunk finishes. */
  push(chunk: Buffer): string[] {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    const messages: string[] = [];
    for (;;) {
      const start = this.buffer.indexOf(MLLP_START);
      if (start < 0) {
        this.buffer = Buffer.alloc(0);
        break;
      }
      const end = this.buffer.indexOf(MLLP_END, start + 1);
      if (end < 0) {
        this.buffer = this.buffer.subarray(start);
        break;
      }
      messages.push(this.buffer.subarray(start + 1, end).toString('utf8'));
      this.buffer = this.buffer.subarray(this.buffer[end + 1] === CR ? end + 2 : end + 1);
    }
    return messages;
  }
}
