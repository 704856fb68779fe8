import nodemailer from 'nodemailer';
import type { Config } from './config.ts';

/** `headers`: extra header fields (a reminder's `List-Unsubscribe`, say). */
export type Mail = { to: string; subject: string; text: string; headers?: Record<string, string> };
export type Mailer = { send: (mail: Mail) => Promise<void>; close: () => void };

/**
 * SMTP when SMTP_URL is set. Otherwise (development only) each message is printed as plain text, so a
 * newcomer can follow an invite link. `print` must not write to the log's stream (stdout): a log shipper
 * would carry the links. `pams serve` and `pams worker` pass one that writes to stderr.
 */
export function createMailer(config: Pick<Config, 'smtpUrl' | 'mailFrom'>, print: (text: string) => void): Mailer {
  if (config.smtpUrl) {
    const transport = nodemailer.createTransport(config.smtpUrl);
    return {
      send: async (mail) => void (await transport.sendMail({ from: config.mailFrom, ...mail })),
      close: () => transport.close(),
    };
  }
  return {
    send: async ({ to, subject, text }) => print(`\n--- mail to ${to}: ${subject}\n${text}\n---\n`),
    close: () => {},
  };
}
