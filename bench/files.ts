import { createHash, randomBytes } from 'node:crypto';
import { request, type IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { memoryOf } from './proc.ts';

/**
 * The documents part of `npm run bench`: one large PDF-looking file uploaded to `POST /files` and downloaded
 * back from `GET /files/:id`, a few times, against a server started for it alone (with FILE_MAX_MB raised
 * past the file's size). Measures throughput both ways and the server's RSS (sampled from /proc every 50 ms)
 * before and during each transfer, and checks the bytes come back as sent. The client streams both ways
 * with node:http (Node's fetch holds on to every chunk of a streamed request body until the response),
 * holding a few 1 MiB chunks at a time whatever the file's size.
 */

const MiB = 2 ** 20;
const SAMPLE_MS = 50;
/** What the server's type detection reads as a PDF: the header with its binary-comment line, and the trailer. */
const PDF_HEAD = Buffer.from('%PDF-1.7\n%âãÏÓ\n', 'latin1');
const PDF_TAIL = Buffer.from('\n%%EOF\n', 'latin1');

export type FileTransfer = { seconds: number; mibPerSecond: number; serverPeakRssMb: number };
export type FileRun = { serverBaselineRssMb: number; upload: FileTransfer; download: FileTransfer; serverSha256Agrees: boolean };
export type FilesBench = { bytes: number; runs: FileRun[]; serverHwmMb: number; clientPeakRssMb: number };

type Options = { url: string; token: string; serverPid: number; mebibytes: number; runs: number; log: (line: string) => void };
type Uploaded = { id: string; mediaType: string; size: number; sha256: string };

export async function benchFiles({ url, token, serverPid, mebibytes, runs, log }: Options): Promise<FilesBench> {
  const bytes = mebibytes * MiB;
  const auth = { authorization: `Bearer ${token}` };
  const clientPeak = sampleMax(() => process.memoryUsage.rss() / MiB);
  const results: FileRun[] = [];
  try {
    for (let run = 1; run <= runs; run++) {
      const serverBaselineRssMb = memoryOf(serverPid).rss;
      const source = pdfStream(bytes);
      const up = await timed(serverPid, async () => {
        const post = request(`${url}/files`, { method: 'POST', headers: { ...auth, 'content-type': 'application/octet-stream' } });
        const answered = new Promise<IncomingMessage>((resolve) => post.once('response', resolve));
        const sendError = await pipeline(source.stream, post).then(
          () => null,
          (e: Error) => e,
        );
        // A server that answers before the body's end (404, 413) closes the connection under the upload: its answer says why.
        const response = await (sendError ? Promise.race([answered, sleep(2000).then(() => Promise.reject(sendError))]) : answered);
        const text = await textOf(response);
        if (response.statusCode !== 201) throw new Error(`POST /files answered ${response.statusCode}: ${text.slice(0, 500)}`);
        return JSON.parse(text) as Uploaded;
      });
      const uploaded = up.result;
      if (uploaded.size !== bytes || uploaded.mediaType !== 'application/pdf') throw new Error(`POST /files stored ${uploaded.size} bytes as ${uploaded.mediaType}, not ${bytes} as application/pdf`);
      const down = await timed(serverPid, async () => {
        const response = await new Promise<IncomingMessage>((resolve, reject) => request(`${url}/files/${uploaded.id}`, { headers: auth }, resolve).once('error', reject).end());
        if (response.statusCode !== 200) throw new Error(`GET /files/${uploaded.id} answered ${response.statusCode}: ${(await textOf(response)).slice(0, 500)}`);
        const hash = createHash('sha256');
        let received = 0;
        for await (const chunk of response as AsyncIterable<Buffer>) {
          hash.update(chunk);
          received += chunk.length;
        }
        return { sha256: hash.digest('hex'), received };
      });
      const sent = source.sha256();
      if (down.result.received !== bytes || down.result.sha256 !== sent)
        throw new Error(`GET /files/${uploaded.id} gave back ${down.result.received} bytes with sha256 ${down.result.sha256}, not the ${bytes} sent (${sent})`);
      const transfer = ({ seconds, serverPeakRssMb }: { seconds: number; serverPeakRssMb: number }) => ({ seconds, mibPerSecond: mebibytes / seconds, serverPeakRssMb });
      results.push({ serverBaselineRssMb, upload: transfer(up), download: transfer(down), serverSha256Agrees: uploaded.sha256 === sent });
      log(
        `  run ${run}: up ${up.seconds.toFixed(2)} s, down ${down.seconds.toFixed(2)} s; server RSS ${serverBaselineRssMb.toFixed(0)} MB before, peaks ${up.serverPeakRssMb.toFixed(0)} / ${down.serverPeakRssMb.toFixed(0)} MB`,
      );
    }
  } finally {
    clientPeak.stop();
  }
  return { bytes, runs: results, serverHwmMb: memoryOf(serverPid).peak, clientPeakRssMb: clientPeak.max() };
}

/** A PDF header, `bytes` in all of fresh random data in 1 MiB chunks, a PDF trailer: made as it is sent, hashed as it goes. */
function pdfStream(bytes: number) {
  const hash = createHash('sha256');
  const middle = bytes - PDF_HEAD.length - PDF_TAIL.length;
  async function* chunks() {
    yield PDF_HEAD;
    for (let made = 0; made < middle; made += MiB) yield randomBytes(Math.min(MiB, middle - made));
    yield PDF_TAIL;
  }
  async function* hashed() {
    for await (const chunk of chunks()) {
      hash.update(chunk);
      yield chunk;
    }
  }
  return { stream: Readable.from(hashed()), sha256: () => hash.digest('hex') };
}

async function textOf(response: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of response) text += chunk;
  return text;
}

/** Runs `work`, timing it and sampling the server's RSS meanwhile. */
async function timed<T>(serverPid: number, work: () => Promise<T>): Promise<{ result: T; seconds: number; serverPeakRssMb: number }> {
  const peak = sampleMax(() => memoryOf(serverPid).rss);
  const started = performance.now();
  try {
    const result = await work();
    return { result, seconds: (performance.now() - started) / 1000, serverPeakRssMb: peak.max() };
  } finally {
    peak.stop();
  }
}

/** The largest value `read` gives, read now and every SAMPLE_MS until stopped. */
function sampleMax(read: () => number) {
  let max = read();
  const timer = setInterval(() => (max = Math.max(max, read())), SAMPLE_MS);
  return { max: () => Math.max(max, read()), stop: () => clearInterval(timer) };
}

export function renderFiles({ bytes, runs, serverHwmMb, clientPeakRssMb }: FilesBench): string {
  const f = (x: number, digits = 0) => x.toFixed(digits);
  const mib = bytes / MiB;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const rows = runs
    .map(
      (r, i) =>
        `| ${i + 1} | ${f(r.upload.seconds, 2)} | ${f(r.upload.mibPerSecond)} | ${f(r.download.seconds, 2)} | ${f(r.download.mibPerSecond)} | ${f(r.serverBaselineRssMb)} MB | ${f(r.upload.serverPeakRssMb)} MB | ${f(r.download.serverPeakRssMb)} MB |`,
    )
    .join('\n');
  const disagree = runs.filter((r) => !r.serverSha256Agrees).length;
  return `
## Documents

One ${f(mib)} MiB PDF (a PDF header and trailer around random bytes, made while it is sent) uploaded to \`POST /files\` as
one streamed \`application/octet-stream\` body and downloaded back from \`GET /files/:id\`, ${runs.length} times, against a server
started for these runs alone (\`FILE_MAX_MB=128\`, the Dockerfile's heap sizes, the local file store). Median: upload
**${f(median(runs.map((r) => r.upload.mibPerSecond)))} MiB/s**, download **${f(median(runs.map((r) => r.download.mibPerSecond)))} MiB/s**. Every download's sha256 equals the upload's${disagree ? `; the sha256 the server reported differed in ${disagree} of ${runs.length} runs` : ', as does the sha256 the server reported'}.

| run | upload s | upload MiB/s | download s | download MiB/s | server RSS before | server peak RSS, upload | server peak RSS, download |
|---:|---:|---:|---:|---:|---:|---:|---:|
${rows}

Server RSS is read from /proc every ${SAMPLE_MS} ms (it counts chunks already sent that the GC has not yet collected); its
high-water mark (VmHWM) after all runs: ${f(serverHwmMb)} MB. The bench client, which streams both ways too: ${f(clientPeakRssMb)} MB at its peak.
Client and server share the machine's CPU.
`;
}
