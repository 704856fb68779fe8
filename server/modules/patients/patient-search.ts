import { calendarDate } from '../../../shared/schemas/common.ts';
import type { SearchPatientsInput } from '../../../shared/schemas/patients.ts';
import type { AuthedCtx } from '../../context.ts';
import { decodeCursor, type SortKey } from '../../pagination.ts';
import { visiblePatientsSql, type SqlCondition } from './patient-access.ts';
import { PATIENT_COLUMNS, patientFromRow, selectPatientColumns, type PatientColumnsRow } from './patient-columns.ts';
import type { PatientFields } from './patient.dto.ts';
import { containing, foldForSearch, phoneDigits } from './search-text.ts';

export const byName: SortKey[] = [{ field: 'sortName', dir: 'asc' }];

/**
 * Past this many matches, walking the name index until a page is full is cheaper than sorting the
 * matches; below it, reading the matches through the trigram index and sorting them is.
 */
const CANDIDATE_CAP = 2000;

type Row = PatientColumnsRow & { sortName: string };
const COLUMNS = `${PATIENT_COLUMNS}, ${selectPatientColumns('p', ['sortName'])}`;

const DATE_SHAPE = /^\d{4}-\d{2}-\d{2}$/;
const like = (column: string, value: string): SqlCondition => ({ sql: `${column} like ?`, params: [containing(value)] });
const equals = (column: string, value: string): SqlCondition => ({ sql: `${column} = ?`, params: [value] });
const either = (a: SqlCondition, b: SqlCondition): SqlCondition => ({ sql: `(${a.sql} or ${b.sql})`, params: [...a.params, ...b.params] });
/** An MRN matches whole, in any case: MRNs are stored upper-case, so this is an equality an index serves. */
const mrnIs = (column: string, term: string) => equals(column, term.toUpperCase());
const phoneLike = (digits: string) => like('p.phone_digits', digits.replace(/^0+/, ''));

/**
 * Where a search reads the keys it tests most: the patient table itself (`p`), or, for a clinician, the
 * copies of them on their care-team rows (`c`), which an index holds in the clinician's name order.
 */
type Keys = { searchName: string; mrn: string; status: string; sortName: string; id: string };
const PATIENT_KEYS: Keys = { searchName: 'p.search_name', mrn: 'p.mrn', status: 'p.status', sortName: 'p.sort_name', id: 'p.id' };
const CARE_TEAM_KEYS: Keys = { searchName: 'c.search_name', mrn: 'c.mrn', status: 'c.patient_status', sortName: 'c.sort_name', id: 'c.patient_id' };

/**
 * The terms of one query string, split on spaces, except that a run of number-like words is one term:
 * "murphy 087 123 4567" is a name and a phone number, not a name and three numbers.
 */
function queryTerms(query: string): string[] {
  const terms: string[] = [];
  let inNumber = false;
  for (const word of query.split(/\s+/).filter(Boolean)) {
    const numberLike = /^[\d()+.-]+$/.test(word) && /\d/.test(word) && !DATE_SHAPE.test(word);
    if (numberLike && inNumber) terms[terms.length - 1] += ` ${word}`;
    else terms.push(word);
    inNumber = numberLike;
  }
  return terms;
}

/**
 * One term of a query string: a birth date, an email, phone digits or an MRN, or part of a name or an MRN.
 * Each term tests the columns of one table, so an index of that table can serve it.
 */
function queryTerm(term: string, keys: Keys): SqlCondition {
  // A date-shaped term that is no date ("2024-02-30") is not a birth date; PostgreSQL would refuse it.
  if (DATE_SHAPE.test(term) && calendarDate.safeParse(term).success) return equals('p.birth_date', term);
  if (term.includes('@')) return like('p.email', term.toLowerCase());
  const digits = phoneDigits(term);
  if (/^[\d\s()+.-]+$/.test(term) && digits.length >= 4) return either(phoneLike(digits), mrnIs('p.mrn', term));
  return either(like(keys.searchName, foldForSearch(term)), mrnIs(keys.mrn, term));
}

/** Everything the input asks for, ANDed: the practice, the status, the terms and the cursor. */
function matching(ctx: AuthedCtx, input: SearchPatientsInput, keys: Keys): SqlCondition {
  const conditions: SqlCondition[] = [
    equals('p.practice_id', ctx.actor.practiceId),
    equals(keys.status, input.status),
    ...queryTerms(input.query ?? '').map((term) => queryTerm(term, keys)),
    ...(input.name ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map((w) => like(keys.searchName, foldForSearch(w))),
    ...(input.mrn ? [mrnIs(keys.mrn, input.mrn)] : []),
    ...(input.email ? [equals('p.email', input.email.toLowerCase())] : []),
    ...(input.phone && phoneDigits(input.phone) ? [phoneLike(phoneDigits(input.phone))] : []),
    ...(input.birthDate ? [equals('p.birth_date', input.birthDate)] : []),
    ...(input.selfRegistered === undefined ? [] : [{ sql: 'p.self_registered = ?', params: [input.selfRegistered] }]),
  ];
  if (input.cursor) {
    const after = decodeCursor(input.cursor, byName);
    conditions.push({ sql: `(${keys.sortName}, ${keys.id}) > (?, ?)`, params: [after[0], after.id] });
  }
  return { sql: conditions.map((c) => c.sql).join(' and '), params: conditions.flatMap((c) => c.params) };
}

/**
 * The page of patients the actor may see that match, in name order, `limit + 1` rows for `toPage`.
 * A clinician's search walks their own care-team rows (see `CareTeamMember`): an index holds them in name
 * order with the name and MRN, so a page costs about the same whatever the practice's size.
 */
export async function findPatientsPage(ctx: AuthedCtx, input: SearchPatientsInput): Promise<(PatientFields & { sortName: string })[]> {
  if (ctx.actor.role !== 'clinician') return findInPractice(ctx, input);
  const where = matching(ctx, input, CARE_TEAM_KEYS);
  const rows = await ctx.em.execute<Row[]>(
    `select ${COLUMNS} from care_team_member c join patient p on p.id = c.patient_id
     where c.clinician_id = ? and ${where.sql} order by c.sort_name, c.patient_id limit ?`,
    [ctx.actor.userId, ...where.params, input.limit + 1],
  );
  return rows.map(patientFromRow);
}

/**
 * The same page read from the practice's patients, for an admin (`visiblePatientsSql` keeps it right for
 * any other role). PostgreSQL's planner guesses poorly how a name fragment's matches spread through the
 * alphabet, so the two plans are chosen here: the matches are gathered through the indexes of the terms
 * (capped) and sorted; only when there are more than the cap does a second query walk the name index.
 * Both find the page's ids and sort names first and read the page's patients last, by their ids: read
 * with the matches, the planner hashed the whole table to join them (40 ms at 100,000 patients), and
 * a walk that reads the table for each row it tests (not only the index, which holds the name and MRN)
 * took 100 ms where a name's matches sit late in the alphabet.
 */
async function findInPractice(ctx: AuthedCtx, input: SearchPatientsInput): Promise<(PatientFields & { sortName: string })[]> {
  const where = matching(ctx, input, PATIENT_KEYS);
  const visible = visiblePatientsSql(ctx.actor);
  const params = [...where.params, ...visible.params, input.limit + 1];
  const [first, ...rest] = await ctx.em.execute<(Row & { candidates: string })[]>(
    `with m as materialized (select p.id, p.sort_name from patient p where ${where.sql} and ${visible.sql} limit ${CANDIDATE_CAP + 1})
     select c.candidates, page.* from (select count(*) as candidates from m) c
     left join lateral (
       select ${COLUMNS} from (select id, sort_name from m order by sort_name, id limit ?) top join patient p on p.id = top.id order by top.sort_name, top.id
     ) page on true
     order by page."sortName", page.id`,
    params,
  );
  // One row always comes back, with the count of matches, even when the actor may see none of them.
  if (Number(first!.candidates) <= CANDIDATE_CAP) return first!.id ? [first!, ...rest].map(({ candidates: _, ...row }) => patientFromRow(row)) : [];
  const walked = await ctx.em.execute<Row[]>(
    `select ${COLUMNS} from (select p.id, p.sort_name from patient p where ${where.sql} and ${visible.sql} order by p.sort_name, p.id limit ?) w
     join patient p on p.id = w.id order by w.sort_name, w.id`,
    params,
  );
  return walked.map(patientFromRow);
}
