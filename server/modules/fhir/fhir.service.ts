import type { EntityManager } from '@mikro-orm/postgresql';
import { uuid, type IdInput, type Page } from '../../../shared/schemas/common.ts';
import type { ExportFhirInput, FhirBundleOutput } from '../../../shared/schemas/fhir.ts';
import type { AuthedCtx } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { auditRead } from '../audit/audit.service.ts';
import { findVisiblePatient } from '../patients/patient-access.ts';
import type { Exported, FhirSource } from './fhir-source.ts';
import { fhirSources } from './fhir-sources.ts';

const rowsOf = (em: EntityManager, sql: string, params: unknown[]) => em.getConnection().execute<Record<string, unknown>[]>(sql, params);

/**
 * FHIR Patient/$everything: the patient and everything recorded about them, as a searchset Bundle.
 * Who may read it is patient-access.ts's rule (admins, and clinicians on the care team).
 */
export async function patientEverything(ctx: AuthedCtx, { id }: IdInput): Promise<FhirBundleOutput> {
  await findVisiblePatient(ctx.em, ctx.actor, id);
  const perSource = await Promise.all(
    fhirSources.map(async (source) => {
      const rows = await rowsOf(ctx.em, `select ${source.columns} from ${source.from} and ${source.ofPatient} order by t.id`, [ctx.actor.practiceId, id]);
      return rows.map((row) => source.toResource(row, ctx.config));
    }),
  );
  await auditRead(ctx, { action: 'patient.fhir-read', entityType: 'patient', entityId: id });
  // Every source's resource has its row's id.
  const resources = perSource.flat();
  const base = `${ctx.config.appUrl}/fhir`;
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    timestamp: new Date().toISOString(),
    total: resources.length,
    link: [{ relation: 'self', url: `${base}/Patient/${id}/$everything` }],
    entry: resources.map((resource) => ({
      fullUrl: `${base}/${resource.resourceType}/${resource.id}`,
      resource,
      search: { mode: resource.resourceType === 'Patient' ? 'match' : 'include' },
    })),
  };
}

/** Where a bulk export page stops: the source (of the type's sources) and the last id read from it. */
type ExportCursor = { s: number; id: string | null };

const encodeCursor = (c: ExportCursor) => Buffer.from(JSON.stringify(c)).toString('base64url');
function decodeCursor(cursor: string | undefined, sourceCount: number): ExportCursor {
  if (!cursor) return { s: 0, id: null };
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as ExportCursor;
    if (Number.isInteger(c.s) && c.s >= 0 && c.s < sourceCount && (c.id === null || uuid.safeParse(c.id).success)) return c;
  } catch {
    // fall through
  }
  throw new AppError('BAD_REQUEST', 'Invalid cursor');
}

function pageQuery(source: FhirSource, after: string | null, since: string | undefined) {
  return `select ${source.columns} from ${source.from}${after ? ' and t.id > ?' : ''}${since ? ` and ${source.changedAt} >= ?::timestamptz` : ''} order by t.id limit ?`;
}

/**
 * One page of a bulk export of one resource type, in id order (ids are time-ordered UUIDs), read with
 * a keyset so that memory stays flat and a page costs the same at any depth. Admins only; the first
 * page of a run is audited.
 */
export async function exportFhirPage(ctx: AuthedCtx, input: ExportFhirInput): Promise<Page<Exported>> {
  const sources = fhirSources.filter((s) => s.resourceType === input.type);
  let { s, id: after } = decodeCursor(input.cursor, sources.length);
  const items: Exported[] = [];
  while (s < sources.length) {
    const source = sources[s]!;
    const want = input.limit - items.length;
    const params = [ctx.actor.practiceId, ...(after ? [after] : []), ...(input.since ? [input.since] : []), want];
    const rows = await rowsOf(ctx.em, pageQuery(source, after, input.since), params);
    items.push(...rows.map((row) => source.toResource(row, ctx.config)));
    if (rows.length === want) {
      after = rows.at(-1)!.id as string;
      break;
    }
    s += 1;
    after = null;
  }
  if (!input.cursor) {
    await auditRead(ctx, { action: 'fhir.bulk-export', entityType: 'practice', entityId: ctx.actor.practiceId, detail: { type: input.type, since: input.since ?? null } });
  }
  return { items, nextCursor: s < sources.length ? encodeCursor({ s, id: after }) : null };
}
