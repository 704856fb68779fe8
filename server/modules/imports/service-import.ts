import type { EntityManager } from '@mikro-orm/postgresql';
import { parseAmount } from '../../../shared/money.ts';
import { serviceCode } from '../../../shared/schemas/billing.ts';
import type { ImportRowError } from '../../../shared/schemas/imports.ts';
import type { Actor } from '../../context.ts';
import { pgArray } from '../../pg-array.ts';
import { auditCte } from '../audit/audit-sql.ts';
import { currencyDigits } from '../../../shared/money.ts';
import type { CommitAudit } from './commit-audit.ts';
import { firstPerField, present, unknownFields } from './import-rows.ts';

type Row = { line: number; values: Record<string, string> };
type Staged = { code: string; name: string; price: number; taxRateId: string | null; active: boolean };

const yes = new Set(['yes', 'y', 'true', '1']);
const no = new Set(['no', 'n', 'false', '0']);

/**
 * Price-list rows: a service by its code, its name, its price (a decimal in the practice's currency, read
 * exactly into minor units), its tax rate (by name or id, of the practice and not archived; empty: exempt)
 * and whether it is active (empty: as it is, or yes for a new one). A code the practice has updates that
 * service, a new code creates one; a code twice in one import is an error on the second.
 */
export async function stageServiceRows(em: EntityManager, actor: Actor, sessionId: string, rows: Row[]) {
  const errors: ImportRowError[] = [];
  const digits = currencyDigits(actor.identity.practice.currency);
  const rates = await em.execute<{ id: string; name: string; active: boolean }[]>('select id, name, active from tax_rate where practice_id = ?', [actor.practiceId]);
  const rateOf = (ref: string) => rates.find((r) => r.id === ref) ?? rates.filter((r) => r.name.toLowerCase() === ref.toLowerCase()).sort((a, b) => Number(b.active) - Number(a.active))[0];

  const parsed = rows.flatMap((r) => {
    const rowErrors = unknownFields('services', r.line, r.values);
    const fail = (field: string, message: string) => rowErrors.push({ line: r.line, field, message });
    const v = present(r.values);
    const code = serviceCode.safeParse(v.code ?? '');
    if (!code.success) fail('code', v.code === undefined ? 'is required' : code.error.issues[0]!.message);
    if (!v.name) fail('name', 'is required');
    else if (v.name.length > 200) fail('name', 'must be at most 200 characters');
    const price = v.price === undefined ? { error: 'is required' } : parseAmount(v.price, digits);
    if ('error' in price) fail('price', price.error);
    const rate = v.taxRate === undefined ? null : rateOf(v.taxRate);
    if (rate === undefined) fail('taxRate', `no tax rate is named ${v.taxRate} (leave it empty for none: exempt)`);
    else if (rate && !rate.active) fail('taxRate', `${rate.name} is archived`);
    const active = v.active === undefined ? null : yes.has(v.active.toLowerCase()) ? true : no.has(v.active.toLowerCase()) ? false : undefined;
    if (active === undefined) fail('active', 'must be yes or no');
    if (rowErrors.length || !code.success || 'error' in price) return (errors.push(...firstPerField(rowErrors)), []);
    return [{ line: r.line, code: code.data, name: v.name!, price: price.minor, taxRateId: rate?.id ?? null, active }];
  });

  const existing = await em.execute<{ id: string; code: string; active: boolean }[]>('select id, code, active from service where practice_id = ? and code = any(?::text[])', [
    actor.practiceId,
    pgArray(parsed.map((r) => r.code)),
  ]);
  const byCode = new Map(existing.map((s) => [s.code, s]));
  const earlier = await em.execute<{ line: number; record_key: string }[]>('select line, record_key from import_row where session_id = ? and record_key = any(?::text[])', [
    sessionId,
    pgArray(parsed.map((r) => r.code)),
  ]);
  const lineOf = new Map(earlier.map((r) => [r.record_key, r.line]));
  const staged = parsed.flatMap(({ line, active, ...row }) => {
    const duplicate = lineOf.get(row.code);
    if (duplicate) return (errors.push({ line, field: 'code', message: `is the same service as line ${duplicate}` }), []);
    lineOf.set(row.code, line);
    const target = byCode.get(row.code);
    const data: Staged = { ...row, active: active ?? target?.active ?? true };
    return [{ line, record_key: row.code, target_id: target?.id ?? null, data }];
  });
  if (staged.length) {
    await em.execute(
      `insert into import_row (session_id, line, record_key, target_id, data)
       select ?, x.line, x.record_key, x.target_id, x.data from jsonb_to_recordset(?::jsonb) as x(line int, record_key text, target_id uuid, data jsonb)`,
      [sessionId, JSON.stringify(staged)],
    );
  }
  return { staged: staged.length, errors };
}

const COMMIT_SERVICE_ROWS = `with args as (select ?::uuid as session_id, ?::uuid as practice_id, ?::uuid as actor_id, ?::text as request_id, ?::text as ip),
     incoming as (
       select r.target_id, r.data->>'code' as code, r.data->>'name' as name, (r.data->>'price')::int as price, (r.data->>'taxRateId')::uuid as tax_rate_id, (r.data->>'active')::boolean as active
       from import_row r, args where r.session_id = args.session_id),
     inserted as (
       insert into service (id, practice_id, code, name, price, tax_rate_id, active, created_at, updated_at)
       select uuidv7(), args.practice_id, i.code, i.name, i.price, i.tax_rate_id, i.active, now(), now() from incoming i, args where i.target_id is null
       returning id),
     updated as (
       update service s set name = i.name, price = i.price, tax_rate_id = i.tax_rate_id, active = i.active, updated_at = now()
       from incoming i, args
       where s.id = i.target_id and s.practice_id = args.practice_id and (s.name, s.price, s.tax_rate_id, s.active) is distinct from (i.name, i.price, i.tax_rate_id, i.active)
       returning s.id),
     ${auditCte('audited', { action: 'w.action', entityType: "'service'", entityId: 'w.id::text', detail: "jsonb_build_object('importId', args.session_id)" }, "(select id, 'service.created' as action from inserted union all select id, 'service.updated' from updated) w, args")}
     select (select count(*) from incoming)::int as total, (select count(*) from inserted)::int as created, (select count(*) from updated)::int as updated`;

/** One statement: the new services inserted, the matched ones updated where they differ (a price change applies to what is charged after it), each audited. */
export async function commitServiceRows(em: EntityManager, audit: CommitAudit) {
  const [counts] = await em.execute<{ total: number; created: number; updated: number }[]>(COMMIT_SERVICE_ROWS, [audit.importId, audit.practiceId, audit.actorId, audit.requestId, audit.ip]);
  return { created: counts!.created, updated: counts!.updated, unchanged: counts!.total - counts!.created - counts!.updated };
}
