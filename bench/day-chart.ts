import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** One second of a run of the day: answered 2xx, p99 of all answers, and failures (non-2xx, errors, timeouts). */
export type ChartPoint = { t: number; run: string; requestsPerSecond: number; p99: number; failed: number };

/**
 * bench/day.svg: throughput, p99 and the server's RSS over the day's runs, one time axis (seconds since
 * the warm-up started), the runs told apart by colour and the soak's start and the PostgreSQL restart
 * marked. Vega-Lite compiled to Vega and rendered headless to SVG.
 */
export async function renderDayChart(points: ChartPoint[], rss: { t: number; mb: number }[], marks: { t: number; label: string }[]): Promise<string> {
  const width = 760;
  const x = { field: 't', type: 'quantitative', title: 'seconds since the warm-up began' } as const;
  const colour = { field: 'run', type: 'nominal', title: 'run', sort: ['peak', 'aim', 'soak', 'fault'] } as const;
  const rules = {
    data: { values: marks },
    mark: { type: 'rule', strokeDash: [4, 3], color: '#888' },
    encoding: { x: { field: 't', type: 'quantitative' } },
  } as const;
  const panel = (field: string, title: string, scale?: object) => ({
    width,
    height: 170,
    layer: [
      // A log scale has no zero: a second without answers (the outage) is left out of the p99 panel.
      {
        data: { values: scale ? points.filter((p) => p.p99 > 0) : points },
        mark: { type: 'line', strokeWidth: 1, interpolate: 'step-after' },
        encoding: { x, y: { field, type: 'quantitative', title, ...(scale && { scale }) }, color: colour },
      },
      rules,
    ],
  });
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: "A practice's day: throughput, p99 and server memory",
    config: { font: 'sans-serif' },
    vconcat: [
      panel('requestsPerSecond', 'answered 2xx per second'),
      panel('p99', 'p99 per second (ms, log)', { type: 'log' }),
      {
        width,
        height: 120,
        layer: [
          { data: { values: rss }, mark: { type: 'line', color: '#555', strokeWidth: 1 }, encoding: { x, y: { field: 'mb', type: 'quantitative', title: 'server RSS (MB)', scale: { zero: false } } } },
          { ...rules, mark: { ...rules.mark }, encoding: { ...rules.encoding } },
          {
            data: { values: marks },
            mark: { type: 'text', align: 'left', dx: 3, dy: -50, fontSize: 10, color: '#555' },
            encoding: { x: { field: 't', type: 'quantitative' }, text: { field: 'label' } },
          },
        ],
      },
    ],
  } as TopLevelSpec;
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
