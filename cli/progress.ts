import cliProgress from 'cli-progress';

const QUIET_EVERY_MS = 5000;

/** cli-progress's ETA is 'NULL' or 'INF' until it has a rate, which its own formatter cuts to `LLs`/`NFs`. */
const formatEta: cliProgress.TimeFormatter = (t, options, roundTo) => (Number.isFinite(t) ? cliProgress.Format.TimeFormat(t, options, roundTo) : '--');

export type Progress = {
  /** `done` of `total` work units (bytes, messages), and `count` items (rows, messages) so far. */
  update(done: number, count: number): void;
  stop(): void;
};

/**
 * Progress of long work on stderr, so stdout stays clean for --json: a bar with items/s and ETA on a
 * terminal (a count and items/s when the total is not known, `null`); otherwise (a pipe, a log) a quiet
 * line every few seconds and one when done, so scripts and CI logs are not flooded.
 */
export function startProgress(label: string, unit: string, total: number | null): Progress {
  const started = Date.now();
  const rate = (count: number) => Math.round(count / Math.max((Date.now() - started) / 1000, 0.001));
  if (process.stderr.isTTY) {
    const format = total === null ? `${label} {count} ${unit} | {rate} ${unit}/s` : `${label} {bar} {percentage}% | {count} ${unit} | {rate} ${unit}/s | ETA {eta_formatted}`;
    const bar = new cliProgress.SingleBar({ format, formatTime: formatEta, stream: process.stderr, hideCursor: true, etaBuffer: 50, fps: 5 }, cliProgress.Presets.shades_classic);
    bar.start(Math.max(total ?? 0, 1), 0, { count: 0, rate: 0 });
    return {
      update: (done, count) => bar.update(total === null ? 0 : Math.min(done, total), { count, rate: rate(count) }),
      stop: () => bar.stop(),
    };
  }
  let lastLine = started;
  let last = 0;
  return {
    update(done, count) {
      last = count;
      if (Date.now() - lastLine < QUIET_EVERY_MS) return;
      lastLine = Date.now();
      process.stderr.write(`${label}: ${count} ${unit}${total ? `, ${Math.floor((100 * done) / total)}%` : ''}, ${rate(count)} ${unit}/s\n`);
    },
    stop: () => void process.stderr.write(`${label}: ${last} ${unit} in ${((Date.now() - started) / 1000).toFixed(1)} s (${rate(last)} ${unit}/s)\n`),
  };
}
