import sharp from 'sharp';
import type { TestServer } from './harness.ts';

/** A small real PNG (a gradient, so it does not compress to nothing), `width`×`height`. */
export async function pngOf(width = 800, height = 600): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 31) % 251;
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

export const jpegOf = async (width = 640, height = 480) =>
  sharp(await pngOf(width, height))
    .jpeg()
    .withMetadata({ exif: { IFD0: { Copyright: 'GPS 53.27N 9.05W' } } })
    .toBuffer();

/** A minimal valid PDF: one empty page, with `text` in a comment so tests can look for it. */
export function pdfOf(text = 'Referral letter for Ana Moran'): Buffer {
  const objects = ['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>', '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>'];
  let body = `%PDF-1.4\n% ${text}\n`;
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

/** POST /files with the raw bytes, as a client uploads. */
export function upload(t: TestServer, token: string | null, bytes: Buffer | ReadableStream<Uint8Array>, headers: Record<string, string> = {}) {
  return t.fetch(`${t.url}/files`, {
    method: 'POST',
    headers: { ...(token && { authorization: `Bearer ${token}` }), 'content-type': 'application/octet-stream', ...headers },
    body: bytes,
    ...(!(bytes instanceof Buffer) && { duplex: 'half' }),
  } as RequestInit);
}

/** Uploads and returns the file's id, failing the test on anything but a 201. */
export async function uploaded(t: TestServer, token: string, bytes: Buffer): Promise<string> {
  const response = await upload(t, token, bytes);
  if (response.status !== 201) throw new Error(`upload answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}

export const download = (t: TestServer, token: string | null, path: string) => t.fetch(`${t.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
