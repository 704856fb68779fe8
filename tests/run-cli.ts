import { spawn } from 'node:child_process';
import path from 'node:path';

/** The repository's root: the folder `pams` runs in, as after a clone. */
export const REPO = path.resolve(import.meta.dirname, '..');
/** The `pams` entry point the tests run, as users do: `node cli/pams.ts …`. */
export const CLI = path.join(REPO, 'cli/pams.ts');

export type CliResult = { code: number; stdout: string; stderr: string; json: () => any };

/** The real `pams` binary in a child process, with its own config dir (its stored login). */
export function runCli(args: string[], { env = {}, stdin = '', cwd }: { env?: Record<string, string>; stdin?: string; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr, json: () => JSON.parse(stdout) }));
    child.stdin.end(stdin);
  });
}

/** `pams …` from the repository root as `user`: the server's URL and the token from the environment, as scripts pass them. */
export function runCliAs(server: { url: string }, user: { token: string }, configDir: string, args: string[]): Promise<CliResult> {
  return runCli(args, { cwd: REPO, env: { PAMS_URL: server.url, PAMS_TOKEN: user.token, PAMS_CONFIG_DIR: configDir } });
}

/** `pams hl7 listen` on a free port, as `user`, until `stop()`: its MLLP port and what it has printed so far. */
export async function startHl7Listener(server: { url: string }, user: { token: string }, configDir: string) {
  const child = spawn(process.execPath, [CLI, 'hl7', 'listen', '--port', '0'], {
    cwd: REPO,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', PAMS_URL: server.url, PAMS_TOKEN: user.token, PAMS_CONFIG_DIR: configDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', () => {
      const m = /listening for MLLP on [\d.]+:(\d+)/.exec(output);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`listener exited with ${code}`)));
  });
  return { port, output: () => output, stop: () => child.kill('SIGTERM') };
}
