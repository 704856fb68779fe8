import { SingleBar } from 'cli-progress';

/** A progress bar on stderr (stdout stays clean for --json); on a pipe, a line every couple of seconds. */
export function progressBar(label: string) {
  const bar = new SingleBar({ format: `${label} [{bar}] {value}/{total}`, stream: process.stderr, noTTYOutput: true, notTTYSchedule: 2000, hideCursor: true });
  let started = false;
  return {
    update(done: number, total: number) {
      if (!started) {
        bar.start(total, done);
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(done);
      }
    },
    stop: () => started && bar.stop(),
  };
}
