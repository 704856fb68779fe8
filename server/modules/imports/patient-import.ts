import type { EntityManager } from '@mikro-orm/postgresql';
import type { ImportRowError } from '../../../shared/schemas/imports.ts';
import type { Actor } from '../../context.ts';
import { newId } from '../../ids.ts';
import { newMrn } from '../patients/mrn.ts';
import { patientNameKeys, phoneDigits } from '../patients/search-text.ts';
import { parsePatientRow } from './import-rows.ts';
import { pgArray } from '../../pg-array.ts';
import type { CommitAudit } from './staging.ts';

type Row = { line: number; values: Record<string, string> };
type Existing = { id: string; mrn: string; external_id: string | null; middle_names: string[] };

/**
 * Patient rows: each matches an existing patient by MRN or external id (an update) or is a new patient.
 * Staged with what the commit needs: the fields, the folded name keys, and the patient it updates.
 */
export async function stagePatientRows(em: EntityManager, actor: Actor, sessionId: string, rows: Row[]) {
  const errors: ImportRowError[] = [];
  const valid = rows.flatMap((r) => {
    const parsed = parsePatientRow(r.line, r.values);
    if (!parsed.ok) return errors.push(...parsed.errors), [];
    return [{ line: r.line, ...parsed.row }];
  });
  const mrns = pgArray(valid.flatMap((r) => (r.fields.mrn ? [r.fields.mrn] : [])));
  const externalIds = pgArray(valid.flatMap((r) => (r.externalId ? [r.externalId] : [])));
  const existing = await em.execute<Existing[]>(
    'select id, mrn, external_id, middle_names from patient where practice_id = ? and (mrn = any(?::text[]) or external_id = any(?::text[]))',
    [actor.practiceId, mrns, externalIds],
  );
  const byMrn = new Map(existing.map((p) => [p.mrn, p]));
  const byExternalId = new Map(existing.filter((p) => p.external_id).map((p) => [p.external_id!, p]));
  // Earlier rows of this import, in earlier batches and in this one: the same patient twice is an error.
  const earlier = await em.execute<{ line: number; mrn: string | null; external_id: string | null }[]>(
    'select line, mrn, external_id from import_row where session_id = ? and (mrn = any(?::text[]) or external_id = any(?::text[]))',
    [sessionId, mrns, externalIds],
  );
  const lineOfMrn = new Map(earlier.filter((r) => r.mrn).map((r) => [r.mrn!, r.line]));
  const lineOfExternalId = new Map(earlier.filter((r) => r.external_id).map((r) => [r.external_id!, r.line]));

  const staged = valid.flatMap((row) => {
    const { line, fields, externalId } = row;
    const mrn = fields.mrn ?? null;
    const fail = (field: string, message: string) => (errors.push({ line, field, message }), []);
    if (mrn && lineOfMrn.has(mrn)) return fail('mrn', `is the same MRN as line ${lineOfMrn.get(mrn)}`);
    if (externalId && lineOfExternalId.has(externalId)) return fail('externalId', `is the same external id as line ${lineOfExternalId.get(externalId)}`);
    if (mrn) lineOfMrn.set(mrn, line);
    if (externalId) lineOfExternalId.set(externalId, line);
    const byThisMrn = mrn ? byMrn.get(mrn) : undefined;
    const byThisExternalId = externalId ? byExternalId.get(externalId) : undefined;
    if (byThisMrn && byThisExternalId && byThisMrn.id !== byThisExternalId.id) return fail('externalId', `belongs to the patient with MRN ${byThisExternalId.mrn}, not to MRN ${mrn}`);
    if (byThisMrn && externalId && byThisMrn.external_id && byThisMrn.external_id !== externalId) return fail('externalId', `the patient with MRN ${mrn} has another external id`);
    const target = byThisMrn ?? byThisExternalId;
    const data = {
      ...fields,
      ...(!target && { id: newId() }),
      // A row without middle names keeps the stored ones (an empty cell keeps a value), and so do the name keys.
      ...patientNameKeys(fields.givenName, fields.familyName, fields.middleNames ?? target?.middle_names),
      ...(fields.phone && { phoneDigits: phoneDigits(fields.phone) }),
    };
    return [{ line, mrn: mrn ?? (target ? null : newMrn()), external_id: externalId, target_id: target?.id ?? null, data }];
  });
  if (staged.length) {
    await em.execute(
      `insert into import_row (session_id, line, mrn, external_id, target_id, data)
       select ?, x.line, x.mrn, x.external_id, x.target_id, x.data
       from jsonb_to_recordset(?::jsonb) as x(line int, mrn text, external_id text, target_id uuid, data jsonb)`,
      [sessionId, JSON.stringify(staged)],
    );
  }
  return { staged: staged.length, errors };
}

/**
 * One statement: insert the new patients, update the matched ones whose values differ (a cell left empty
 * keeps the stored value), and audit each patient written. Returns the counts.
 */
export async function commitPatientRows(em: EntityManager, audit: CommitAudit, practiceTimeZone: string) {
  const [counts] = await em.execute<{ total: number; created: number; updated: number }[]>(
    `with args as (select ?::uuid as session_id, ?::uuid as practice_id, ?::uuid as actor_id, ?::text as request_id, ?::text as ip, ?::text as time_zone),
     incoming as (select r.* from import_row r, args where r.session_id = args.session_id),
     inserted as (
       insert into patient (id, practice_id, mrn, external_id, given_name, middle_names, family_name, birth_date, gender, email, phone, address,
                            preferred_language, time_zone, status, search_name, sort_name, phone_digits, created_at, updated_at)
       select (i.data->>'id')::uuid, args.practice_id, i.mrn, i.external_id, i.data->>'givenName', coalesce(i.data->'middleNames', '[]'), i.data->>'familyName', (i.data->>'birthDate')::date,
              i.data->>'gender', i.data->>'email', i.data->>'phone', i.data->'address', i.data->>'preferredLanguage',
              coalesce(i.data->>'timeZone', args.time_zone), 'active', i.data->>'searchName', i.data->>'sortName', i.data->>'phoneDigits', now(), now()
       from incoming i, args where i.target_id is null
       returning id),
     incoming_values as (
       select p.id, coalesce(i.mrn, p.mrn) as mrn, coalesce(i.external_id, p.external_id) as external_id,
              i.data->>'givenName' as given_name, coalesce(i.data->'middleNames', p.middle_names) as middle_names, i.data->>'familyName' as family_name, (i.data->>'birthDate')::date as birth_date, i.data->>'gender' as gender,
              coalesce(i.data->>'email', p.email) as email, coalesce(i.data->>'phone', p.phone) as phone, coalesce(i.data->'address', p.address) as address,
              coalesce(i.data->>'preferredLanguage', p.preferred_language) as preferred_language, coalesce(i.data->>'timeZone', p.time_zone) as time_zone,
              i.data->>'searchName' as search_name, i.data->>'sortName' as sort_name, coalesce(i.data->>'phoneDigits', p.phone_digits) as phone_digits
       from incoming i join patient p on p.id = i.target_id, args where p.practice_id = args.practice_id),
     updated as (
       update patient p set mrn = v.mrn, external_id = v.external_id, given_name = v.given_name, middle_names = v.middle_names, family_name = v.family_name, birth_date = v.birth_date,
              gender = v.gender, email = v.email, phone = v.phone, address = v.address, preferred_language = v.preferred_language, time_zone = v.time_zone,
              search_name = v.search_name, sort_name = v.sort_name, phone_digits = v.phone_digits, updated_at = now()
       from incoming_values v
       where p.id = v.id
         and (p.mrn, p.external_id, p.given_name, p.middle_names, p.family_name, p.birth_date, p.gender, p.email, p.phone, p.address, p.preferred_language, p.time_zone)
             is distinct from (v.mrn, v.external_id, v.given_name, v.middle_names, v.family_name, v.birth_date, v.gender, v.email, v.phone, v.address, v.preferred_language, v.time_zone)
       returning p.id),
     audited as (
       insert into audit_event (id, at, practice_id, actor_id, action, entity_type, entity_id, request_id, ip, detail)
       select uuidv7(), now(), args.practice_id, args.actor_id, w.action, 'patient', w.id::text, args.request_id, args.ip, jsonb_build_object('importId', args.session_id)
       from (select id, 'patient.created' as action from inserted union all select id, 'patient.updated' from updated) w, args)
     select (select count(*) from incoming)::int as total, (select count(*) from inserted)::int as created, (select count(*) from updated)::int as updated`,
    [audit.importId, audit.practiceId, audit.actorId, audit.requestId, audit.ip, practiceTimeZone],
  );
  return { created: counts!.created, updated: counts!.updated, unchanged: counts!.total - counts!.created - counts!.updated };
}
