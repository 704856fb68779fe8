import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export type CapturedMail = { to: string; raw: string };

/** A local SMTP server that keeps every message, so tests read links out of real mail. */
export async function startSmtpCapture() {
  const mails: CapturedMail[] = [];
  const waiters: Array<() => void> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        for (const rcpt of session.envelope.rcptTo) mails.push({ to: rcpt.address, raw });
        waiters.splice(0).forEach((wake) => wake());
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;

  /** Waits for the next mail to `to` that matches, and returns its text with soft line breaks undone. */
  async function waitForMail(to: string, match: RegExp = /./, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = mails.find((m) => m.to === to && match.test(decode(m.raw)));
      if (found) {
        mails.splice(mails.indexOf(found), 1);
        return decode(found.raw);
      }
      if (Date.now() > deadline) throw new Error(`no mail to ${to} matching ${match} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    waitForMail,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Undo quoted-printable soft breaks and escapes, enough to read links. */
function decode(raw: string): string {
  return raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** The `token=` value of the first link in a mail. */
export function tokenFromMail(mail: string): string {
  const token = mail.match(/token=([a-z0-9]+\.[a-z0-9]+)/)?.[1];
  if (!token) throw new Error('no token link in mail');
  return token;
}

/** A reminder mail's link to `path` under APP_URL (http://pams.test in tests), and its token. */
export function linkFromMail(mail: string, path: 'check-in' | 'unsubscribe'): { url: string; token: string } {
  const match = mail.match(new RegExp(`(http://pams\\.test/${path}\\?token=([A-Za-z0-9_.-]+))`));
  if (!match) throw new Error(`no ${path} link in mail`);
  return { url: match[1]!, token: match[2]! };
}
