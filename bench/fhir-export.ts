import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** Bulk FHIR export aims: memory stays under this, whatever the practice's size. */
export const EXPORT_AIM_RSS_MB = 300;

export type FhirExportRun = {
  resources: number;
  seconds: number;
  perSecond: number;
  files: { type: string; count: number }[];
  cliPeakRssMb: number | null;
  serverPeakRssMb: number | null;
};

/** The process's peak RSS so far (VmHWM in /proc/<pid>/status), in MB. */
function procStatusMb(pid: number, field: 'VmHWM'): number | null {
  try {
    const kb = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))?.[1];
    return kb ? Number(kb) / 1024 : null;
  } catch {
    return null;
  }
}

/**
 * `pams export fhir` as an admin runs it: the real CLI in its own process against the running server,
 * writing NDJSON to a temp folder, against a server started for it alone. Measures resources/s and the
 * peak RSS (VmHWM, read every 100 ms until the CLI exits) of the CLI and of the server.
 */
export async function benchFhirExport(url: string, token: string, serverPid: number, root: string): Promise<FhirExportRun> {
  const out = await mkdtemp(path.join(os.tmpdir(), 'pams-bench-fhir-'));
  try {
    const started = performance.now();
    const child = spawn(process.execPath, [path.join(root, 'cli/pams.ts'), 'export', 'fhir', '--out', out, '--json', '--url', url, '--token', token], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PAMS_CONFIG_DIR: out },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    let cliPeakRssMb: number | null = null;
    let serverPeakRssMb: number | null = null;
    const sample = () => {
      const cli = procStatusMb(child.pid!, 'VmHWM');
      const server = procStatusMb(serverPid, 'VmHWM');
      if (cli !== null) cliPeakRssMb = Math.max(cliPeakRssMb ?? 0, cli);
      if (server !== null) serverPeakRssMb = Math.max(serverPeakRssMb ?? 0, server);
    };
    const timer = setInterval(sample, 100);
    const [code] = (await once(child, 'close')) as [number];
    clearInterval(timer);
    const seconds = (performance.now() - started) / 1000;
    if (code !== 0) throw new Error(`pams export fhir exited with ${code}`);
    const summary = JSON.parse(stdout) as { total: number; files: { type: string; count: number }[] };
    return { resources: summary.total, seconds, perSecond: summary.total / seconds, files: summary.files.map(({ type, count }) => ({ type, count })), cliPeakRssMb, serverPeakRssMb };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

const mb = (v: number | null) => (v === null ? 'n/a' : `${v.toFixed(0)} MB`);

export function renderFhirExport(run: FhirExportRun, patients: number): string {
  const peak = Math.max(run.cliPeakRssMb ?? 0, run.serverPeakRssMb ?? 0);
  return `
## Bulk FHIR export

\`pams export fhir\` (the real CLI, in its own process, streaming \`GET /fhir/$export\`, which the server reads 1,000 resources at a time) of
all ${patients.toLocaleString('en')} patients: **${run.resources.toLocaleString('en')} resources in ${run.seconds.toFixed(1)} s, ${Math.round(run.perSecond).toLocaleString('en')} resources/s**.
Aim: memory under ${EXPORT_AIM_RSS_MB} MB at any size: ${peak < EXPORT_AIM_RSS_MB ? '**Met**' : '**Not met**'}.

| process | peak RSS |
|---|---:|
| CLI (VmHWM) | ${mb(run.cliPeakRssMb)} |
| server, started for the export (VmHWM) | ${mb(run.serverPeakRssMb)} |

| resource type | resources |
|---|---:|
${run.files.map((f) => `| ${f.type} | ${f.count.toLocaleString('en')} |`).join('\n')}
`;
}
