import { readdirSync, readFileSync } from 'node:fs';

/** What a process has used, from /proc (Linux): the bench's figures of CPU and memory per process. */

const CLOCK_TICKS = 100; // USER_HZ: 100 on every Linux this runs on

/** User + system CPU time of a process in ms; null when it is gone. */
export function cpuMsOf(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** The whole machine's busy CPU time so far (all but idle and iowait), in ms, from /proc/stat. */
export function machineBusyMs(): number {
  const [user, nice, system, , , irq, softirq] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/).slice(1).map(Number) as number[];
  return ((user! + nice! + system! + irq! + softirq!) * 1000) / CLOCK_TICKS;
}

/** VmRSS (now) and VmHWM (peak) of a process in MB, from /proc; 0 where there is none. */
export function memoryOf(pid: number): { rss: number; peak: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return { rss: 0, peak: 0 };
  }
}

/**
 * CPU time (ms) of each PostgreSQL backend serving `database` (their title reads "postgres: user database
 * …"), by pid: sampled before and after a run, the difference is what the run cost the database server.
 */
export function postgresBackendsCpu(database: string): Map<number, number> {
  const backends = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const title = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!title.startsWith('postgres: ') || !title.split(' ').includes(database)) continue;
      const cpu = cpuMsOf(Number(entry));
      if (cpu !== null) backends.set(Number(entry), cpu);
    } catch {
      // the process ended meanwhile
    }
  }
  return backends;
}

/** What the backends used between two samples (a backend started meanwhile counts from zero). */
export const cpuBetween = (before: Map<number, number>, after: Map<number, number>) => [...after].reduce((sum, [pid, ms]) => sum + ms - (before.get(pid) ?? 0), 0);
