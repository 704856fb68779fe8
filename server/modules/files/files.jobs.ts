import type { Agenda } from 'agenda';
import type { JobDeps } from '../../jobs.ts';
import { sweepFiles } from './file-sweep.ts';

/** Removes uploads nobody claimed, replaced photos, and stored bytes with no row (file-sweep.ts). */
export const SWEEP_FILES = 'files.sweep' as const;

export function defineFileJobs(agenda: Agenda, deps: JobDeps): void {
  agenda.define(
    SWEEP_FILES,
    async () => {
      await sweepFiles(deps);
    },
    { concurrency: 1 },
  );
}

export async function scheduleFileJobs(agenda: Agenda): Promise<void> {
  await agenda.every('1 hour', SWEEP_FILES);
}
