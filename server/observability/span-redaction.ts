import type { NodeSDKConfiguration } from '@opentelemetry/sdk-node';
import { loadModule, normalizeSync } from 'libpg-query';

type SpanExporter = NonNullable<NodeSDKConfiguration['traceExporter']>;
type ReadableSpan = Parameters<SpanExporter['export']>[0][number];

/**
 * What leaves the process in a span must carry no PHI, as no log line does. MikroORM 7 sends its SQL
 * with the values inlined as literals (Platform.formatQuery), so a pg span's `db.query.text` would hold
 * names, dates of birth and note text: the text is replaced by PostgreSQL's own normalised form (every
 * constant a `$n`, as pg_stat_statements shows it), or dropped when it does not parse. A database error's
 * message may quote a value too ("invalid input syntax for type uuid: …"): the status keeps its code
 * only (the span's `error.type`). Query strings (tRPC's `input`, FHIR search parameters) are dropped.
 */
export async function redactingExporter(exporter: SpanExporter): Promise<SpanExporter> {
  await loadModule(); // the parser's WebAssembly, once
  return {
    export: (spans, done) => exporter.export(spans.map(redactSpan), done),
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
}

/** The SQL with its constants replaced by placeholders; undefined when it cannot be parsed. */
export function normalisedSql(sql: string): string | undefined {
  try {
    return normalizeSync(sql);
  } catch {
    return undefined;
  }
}

function redactSpan(span: ReadableSpan): ReadableSpan {
  const { 'url.query': _query, ...attributes } = span.attributes;
  let { status } = span;
  if (typeof attributes['url.full'] === 'string') attributes['url.full'] = attributes['url.full'].split('?')[0];
  if (typeof attributes['db.query.text'] === 'string') {
    const sql = normalisedSql(attributes['db.query.text']);
    if (sql === undefined) delete attributes['db.query.text'];
    else attributes['db.query.text'] = sql;
  }
  if (attributes['db.system.name'] === 'postgresql' && status.message) status = { code: status.code };
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => span.spanContext(),
    parentSpanContext: span.parentSpanContext,
    startTime: span.startTime,
    endTime: span.endTime,
    status,
    attributes,
    links: span.links,
    events: span.events,
    duration: span.duration,
    ended: span.ended,
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}
