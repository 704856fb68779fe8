import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { MllpDecoder, mllpFrame } from '../shared/hl7-framing.ts';
import { cpuBetween, cpuMsOf, memoryOf, postgresBackendsCpu } from './proc.ts';

/**
 * The import part of `npm run bench`: `pams import csv` of N generated patients through the real CLI and
 * server (rows/s, peak RSS of both processes), HL7 v2 messages over MLLP through `pams hl7 listen`
 * (messages/s, and the CPU each message costs the server, the listener and PostgreSQL, which a busy
 * machine does not change as much as it changes the rate), and one large HL7 message (2,000 AL1) posted
 * to /hl7/v2, new and then changed. Runs after the HTTP runs, as it adds patients to the bench practice.
 */

const ROOT = path.resolve(import.meta.dirname, '..');
const HL7_CONNECTIONS = 4;
const LARGE_MESSAGE_ALLERGIES = 2000;
const GIVEN = ['Aoife', 'José', 'Siobhán', 'Wei', 'Anna', 'Liam', 'Fatima', 'Noah', 'Zoë', 'Mateo'];
const FAMILY = ['Ó Briain', 'García', 'Müller', 'Nguyen', "O'Neill", 'Kelly', 'Smith, Jr.', 'Murphy', 'Byrne', 'Walsh'];

export type ImportBench = {
  csv: { rows: number; bytes: number; seconds: number; created: number; cliPeakRssMb: number; serverPeakRssMb: number };
  hl7: { messages: number; connections: number; seconds: number; accepted: number; cpuMsPerMessage: { server: number; listener: number; postgres: number } };
  largeHl7: { allergies: number; created: { seconds: number; text: string }; updated: { seconds: number; text: string } };
};

type Options = { url: string; database: string; token: string; serverPid: number; rows: number; hl7Messages: number; log: (line: string) => void };

export async function benchImports({ url, database, token, serverPid, rows, hl7Messages, log }: Options): Promise<ImportBench> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pams-bench-import-'));
  try {
    const env = { PATH: process.env.PATH ?? '', HOME: dir, PAMS_URL: url, PAMS_TOKEN: token, PAMS_CONFIG_DIR: dir };
    const csv = await benchCsv(dir, env, serverPid, rows, log);
    const hl7 = await benchHl7(env, { serverPid, database }, hl7Messages, log);
    return { csv, hl7, largeHl7: await benchLargeHl7(url, token, log) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A patients CSV as practices send them: a BOM, quoted names with commas and quotes, some empty cells. */
async function writeCsv(file: string, rows: number): Promise<number> {
  const out = createWriteStream(file);
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  out.write('\uFEFFMRN,External ID,First name,Surname,DOB,Sex,Email,Phone,Address,Town,Country\r\n');
  for (let i = 0; i < rows; i++) {
    const given = GIVEN[i % GIVEN.length]!;
    const family = FAMILY[Math.floor(i / GIVEN.length) % FAMILY.length]!;
    const birth = `19${40 + (i % 60)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
    const line = [
      `CSV-${i}`,
      `src-${i}`,
      given,
      family,
      birth,
      'MFOU'[i % 4]!,
      i % 3 ? `p${i}@example.test` : '',
      i % 2 ? `+353 87 ${String(1_000_000 + i).slice(-7)}` : '',
      `${i} Main St, Apt ${i % 9}`,
      'Dublin',
      'IE',
    ];
    if (!out.write(`${line.map(quote).join(',')}\r\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return out.bytesWritten;
}

async function benchCsv(dir: string, env: Record<string, string>, serverPid: number, rows: number, log: (line: string) => void) {
  const file = path.join(dir, 'patients.csv');
  const bytes = await writeCsv(file, rows);
  log(`CSV import: ${rows.toLocaleString('en')} patients (${(bytes / 2 ** 20).toFixed(1)} MB) through \`pams import csv\``);
  const started = performance.now();
  const child = spawn(process.execPath, ['cli/pams.ts', 'import', 'csv', file, '--type', 'patients', '--json'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  let cliPeak = 0;
  let serverPeak = 0;
  const sample = setInterval(() => {
    cliPeak = Math.max(cliPeak, memoryOf(child.pid!).peak);
    serverPeak = Math.max(serverPeak, memoryOf(serverPid).rss);
  }, 100);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearInterval(sample);
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`pams import csv exited with ${code}: ${stdout.slice(0, 500)}`);
  const result = JSON.parse(stdout) as { created: number };
  if (result.created !== rows) throw new Error(`pams import csv created ${result.created} of ${rows} patients`);
  return { rows, bytes, seconds, created: result.created, cliPeakRssMb: cliPeak, serverPeakRssMb: serverPeak };
}

/** ADT^A04 registering patient i, with an allergy, then ORU^R01 with two results for them. */
function hl7Pair(i: number): [string, string] {
  const mrn = `HL7-${i}`;
  const pid = `PID|1||${mrn}^^^HOSP^MR||${FAMILY[i % FAMILY.length]!.replace(/,/g, '')}^${GIVEN[i % GIVEN.length]}||19800101|F|||1 Main St^^Dublin^^D01^IE||+353871234567`;
  return [
    [`MSH|^~\\&|ENGINE|HOSP|PAMS|CLINIC|20240301093000||ADT^A04^ADT_A01|B-ADT-${i}|P|2.5`, pid, 'AL1|1|DA|1191^Aspirin^RXNORM|MO|Hives'].join('\r'),
    [
      `MSH|^~\\&|LAB|HOSP|PAMS|CLINIC|20240301100000||ORU^R01^ORU_R01|B-ORU-${i}|P|2.5`,
      `PID|1||${mrn}^^^HOSP^MR`,
      `OBR|1|O${i}|F${i}|24323-8^Panel^LN|||20240301083000`,
      'OBX|1|NM|2823-3^Potassium^LN||4.4|mmol/L|3.5-5.1|N|||F',
      'OBX|2|NM|2345-7^Glucose^LN||5.2|mmol/L|3.9-7.8|N|||F',
    ].join('\r'),
  ];
}

async function benchHl7(env: Record<string, string>, server: { serverPid: number; database: string }, messages: number, log: (line: string) => void) {
  const listener = spawn(process.execPath, ['cli/pams.ts', 'hl7', 'listen', '--port', '0'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      listener.stdout.on('data', (d: Buffer) => {
        out += d;
        const m = /listening for MLLP on [\d.]+:(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      listener.once('exit', (code) => reject(new Error(`pams hl7 listen exited with ${code}`)));
    });
    const pairs = Math.max(1, Math.floor(messages / 2));
    log(`HL7 over MLLP: ${(pairs * 2).toLocaleString('en')} messages (ADT^A04 + ORU^R01 per patient) on ${HL7_CONNECTIONS} connections through \`pams hl7 listen\``);
    const cpuBefore = { server: cpuMsOf(server.serverPid) ?? 0, listener: cpuMsOf(listener.pid!) ?? 0, postgres: postgresBackendsCpu(server.database) };
    const started = performance.now();
    const acks = await Promise.all(
      Array.from({ length: HL7_CONNECTIONS }, (_, c) =>
        sendAll(
          port,
          Array.from({ length: pairs }, (_, i) => i)
            .filter((i) => i % HL7_CONNECTIONS === c)
            .flatMap(hl7Pair),
        ),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    const perMessage = (ms: number) => ms / (pairs * 2);
    const cpuMsPerMessage = {
      server: perMessage((cpuMsOf(server.serverPid) ?? 0) - cpuBefore.server),
      listener: perMessage((cpuMsOf(listener.pid!) ?? 0) - cpuBefore.listener),
      postgres: perMessage(cpuBetween(cpuBefore.postgres, postgresBackendsCpu(server.database))),
    };
    const all = acks.flat();
    const accepted = all.filter((a) => /\rMSA\|AA\|/.test(a)).length;
    if (accepted !== pairs * 2) throw new Error(`${pairs * 2 - accepted} HL7 messages were not accepted, e.g. ${all.find((a) => !/\rMSA\|AA\|/.test(a))?.replace(/\r/g, ' | ')}`);
    return { messages: pairs * 2, connections: HL7_CONNECTIONS, seconds, accepted, cpuMsPerMessage };
  } finally {
    listener.kill('SIGTERM');
  }
}

/** An ADT^A04 for a new patient with `allergies` AL1 segments (a distinct allergen each), at severity `severity`. */
function largeAdt(controlId: string, allergies: number, severity: string): string {
  const segments = [
    `MSH|^~\\&|ENGINE|HOSP|PAMS|CLINIC|20240301093000||ADT^A04^ADT_A01|${controlId}|P|2.5`,
    'PID|1||HL7-LARGE^^^HOSP^MR||Kelly^Ann||19800101|F|||1 Main St^^Dublin^^D01^IE||+353871234567',
  ];
  for (let i = 1; i <= allergies; i++) segments.push(`AL1|${i}|DA|${100000 + i}^Allergen ${i}^RXNORM|${severity}|Hives~Wheezing|20100101`);
  return segments.join('\r');
}

/** One message of 2,000 AL1 posted to /hl7/v2: first for a new patient, then again (a new control id) with every severity changed. */
async function benchLargeHl7(url: string, token: string, log: (line: string) => void) {
  log(`HL7 large message: ADT^A04 with ${LARGE_MESSAGE_ALLERGIES.toLocaleString('en')} AL1 segments, posted to /hl7/v2, new then changed`);
  const post = async (message: string) => {
    const started = performance.now();
    const response = await fetch(`${url}/hl7/v2`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'x-application/hl7-v2+er7' }, body: message });
    const ack = await response.text();
    const seconds = (performance.now() - started) / 1000;
    const msa = ack.split('\r').find((s) => s.startsWith('MSA|')) ?? '';
    if (response.status !== 200 || !msa.startsWith('MSA|AA|')) throw new Error(`the large HL7 message was not accepted (HTTP ${response.status}): ${ack.slice(0, 300)}`);
    return { seconds, text: msa.split('|')[3] ?? '' };
  };
  const created = await post(largeAdt('B-LARGE-1', LARGE_MESSAGE_ALLERGIES, 'MO'));
  const updated = await post(largeAdt('B-LARGE-2', LARGE_MESSAGE_ALLERGIES, 'SV'));
  return { allergies: LARGE_MESSAGE_ALLERGIES, created, updated };
}

/** Sends the messages on one connection, all at once (the listener applies them in order), and collects the ACKs. */
async function sendAll(port: number, messages: string[]): Promise<string[]> {
  if (!messages.length) return [];
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const decoder = new MllpDecoder();
  const acks: string[] = [];
  const done = new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      acks.push(...decoder.push(chunk));
      if (acks.length === messages.length) resolve();
    });
    socket.once('close', () => reject(new Error(`connection closed after ${acks.length} of ${messages.length} ACKs`)));
  });
  for (const message of messages) if (!socket.write(mllpFrame(message))) await once(socket, 'drain');
  await done;
  socket.destroy();
  return acks;
}

export function renderImports({ csv, hl7, largeHl7 }: ImportBench): string {
  const n = (x: number) => Math.round(x).toLocaleString('en');
  const cpu = hl7.cpuMsPerMessage;
  return `
## Imports

| run | items | seconds | items/s | peak RSS |
|---|---:|---:|---:|---|
| \`pams import csv --type patients\` (${(csv.bytes / 2 ** 20).toFixed(1)} MB, batches of 1,000) | ${n(csv.rows)} rows | ${csv.seconds.toFixed(1)} | ${n(csv.rows / csv.seconds)} | CLI ${n(csv.cliPeakRssMb)} MB, server ${n(csv.serverPeakRssMb)} MB |
| HL7 v2 over MLLP (\`pams hl7 listen\`, ${hl7.connections} connections; ADT^A04 + AL1, ORU^R01 with 2 OBX) | ${n(hl7.messages)} messages | ${hl7.seconds.toFixed(1)} | ${n(hl7.messages / hl7.seconds)} | |
| HL7 v2 large message, \`POST /hl7/v2\`: ADT^A04 with ${n(largeHl7.allergies)} AL1, new (${largeHl7.created.text}) | 1 message | ${largeHl7.created.seconds.toFixed(2)} | | |
| the same ${n(largeHl7.allergies)} AL1 again, every severity changed (${largeHl7.updated.text}) | 1 message | ${largeHl7.updated.seconds.toFixed(2)} | | |

CPU per HL7 message over MLLP (the rate above depends on what else the machine runs; this less so):
server ${cpu.server.toFixed(2)} ms, \`pams hl7 listen\` ${cpu.listener.toFixed(2)} ms, PostgreSQL ${cpu.postgres.toFixed(2)} ms.

Aim: 100,000 CSV rows in under 60 s. The CSV is read as a stream and sent in batches that the server stages
(\`imports.add\`); \`imports.commit\` writes them all in one set-based statement, so the CLI's memory stays flat
whatever the file's size. \`pams hl7 listen\` sends the messages waiting on a connection in one
\`hl7.receiveBatch\` call, which applies them in order, each read and validated first, then written in one
prepared statement (an ORU, or the registration of a new patient) or a short transaction (any other ADT), its
patient, allergies or observations with their revisions, audit rows and the record of the message set-based,
however many segments it has. Aim: a 2,000-AL1 message in under 2 s; MLLP throughput at least 4× the 265
messages/s measured when issue 11 was filed, on an AMD EPYC (on the Intel Xeon of the 2026-12-01 runs the code of then, 73d5c8f, did 162).
`;
}
