import cliProgress from 'cli-progress';

export type Progress = { add: (n: number) => void; stop: () => void };

/**
 * Progress of long work, on stderr so stdout stays clean for --json: a live line with the count and
 * rate on a terminal (cli-progress); without a terminal, one quiet line at the end.
 * With `total`, the terminal line also shows a bar and an ETA.
 */
export function startProgress(label: string, total?: number): Progress {
  const started = performance.now();
  let count = 0;
  const rate = () => Math.round(count / Math.max((performance.now() - started) / 1000, 0.001));
  if (!process.stderr.isTTY) {
    return {
      add: (n) => void (count += n),
      stop: () => void process.stderr.write(`${label}: ${count} in ${((performance.now() - started) / 1000).toFixed(1)} s (${rate()}/s)\n`),
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: total === undefined ? `${label} {value} | {rate}/s` : `${label} [{bar}] {value}/{total} | {rate}/s | ETA {eta_formatted}`,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total ?? 0, 0, { rate: 0 });
  return {
    add: (n) => {
      count += n;
      bar.update(count, { rate: rate() });
    },
    stop: () => bar.stop(),
  };
}
