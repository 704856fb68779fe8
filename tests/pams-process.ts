import { spawn } from 'node:child_process';
import { CLI } from './run-cli.ts';

export type PamsProcess = ReturnType<typeof startPams>;

/**
 * A long-running `pams` command (serve, worker, hl7 listen) as a real child process: its output is kept,
 * and `exit` resolves with its code (or the signal that ended it), so a test sees the process die.
 */
export function startPams(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', LOG_LEVEL: 'warn', ...env } });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d));
  child.stderr.on('data', (d: Buffer) => (output += d));
  let exitCode: number | string | null = null;
  const exit = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve((exitCode = code ?? signal ?? -1))));
  return {
    pid: child.pid!,
    output: () => output,
    /** The exit code, or null while it runs. */
    exitCode: () => exitCode,
    exit,
    /** Waits (up to `timeoutMs`) for the output to match; fails early if the process ends first. */
    async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(output)) {
        if (exitCode !== null) throw new Error(`pams ${args[0]} exited (${exitCode}) before ${pattern}:\n${output}`);
        if (Date.now() > deadline) throw new Error(`no ${pattern} in the output of pams ${args[0]}:\n${output}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return output.match(pattern)!;
    },
    signal: (name: NodeJS.Signals) => child.kill(name),
    /** For clean-up: a last SIGKILL if a test left it running. */
    kill: () => (exitCode === null ? (child.kill('SIGKILL'), exit) : exit),
  };
}
