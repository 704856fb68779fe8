import { TRPCClientError } from '@trpc/client';
import { createCommand, remote, type GlobalOptions } from '../command.ts';
import { CliError } from '../exit-codes.ts';
import { printJson } from '../output.ts';

type Procedure = { query: (input: unknown) => Promise<unknown>; mutate: (input: unknown) => Promise<unknown> };

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The input: the JSON argument, else standard input (`-`, or whatever a pipe brings), else none. */
async function readInput(arg: string | undefined): Promise<unknown> {
  const text = arg !== undefined && arg !== '-' ? arg : arg === '-' || !process.stdin.isTTY ? await readStdin() : '';
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliError(`The input is not JSON: ${(e as Error).message}`);
  }
}

/**
 * Any procedure, for what has no command of its own (as `gh api` does). Whether it is a query or a
 * mutation is the router's to say: it is sent as a mutation (a POST, so the input never lands in a URL),
 * and a query answers that with METHOD_NOT_SUPPORTED before running, so it is then sent as a query.
 */
export const apiCommand = createCommand('api')
  .description('call any API procedure with JSON input (argument or stdin) and print the result as JSON')
  .argument('<procedure>', 'e.g. patients.search or practices.current')
  .argument('[json]', 'the input as JSON, e.g. \'{"query":"smith"}\' (`-` or a pipe: read from standard input)')
  .action(async (path: string, json: string | undefined, opts: GlobalOptions) => {
    if (!/^[A-Za-z][\w-]*(\.[A-Za-z][\w-]*)+$/.test(path)) throw new CliError(`Not a procedure name: ${path} (e.g. patients.search)`);
    const input = await readInput(json);
    const { api } = remote(opts);
    const procedure = path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], api) as Procedure;
    const result = await procedure.mutate(input).catch((e: unknown) => {
      if (e instanceof TRPCClientError && (e.data as { code?: string } | undefined)?.code === 'METHOD_NOT_SUPPORTED') return procedure.query(input);
      throw e;
    });
    printJson(result ?? null);
  });
