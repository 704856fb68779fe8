import { calendarDate, type SearchPatientsInput } from '../../../shared/schemas/patients.ts';
import type { AuthedCtx } from '../../context.ts';
import { decodeCursor, type SortKey } from '../../pagination.ts';
import { visiblePatientsSql, type SqlCondition } from './patient-access.ts';
import { PATIENT_COLUMNS, patientFromRow, type PatientColumnsRow } from './patient-columns.ts';
import type { PatientFields } from './patient.dto.ts';
import { containing, foldForSearch, phoneDigits } from './search-text.ts';

export const byName: SortKey[] = [{ field: 'sortName', dir: 'asc' }];

/**
 * Past this many matches, walking the name index until a page is full is cheaper than sorting the
 * matches; below it, reading the matches through the trigram index and sorting them is.
 */
const CANDIDATE_CAP = 2000;


type Row = PatientColumnsRow & { sortName: string };
const COLUMNS = `${PATIENT_COLUMNS}, p.sort_name as "sortName"`;

const DATE_SHAPE = /^\d{4}-\d{2}-\d{2}$/;
const like = (column: string, value: string): SqlCondition => ({ sql: `p.${column} like ?`, params: [containing(value)] });
const equals = (column: string, value: string): SqlCondition => ({ sql: `p.${column} = ?`, params: [value] });
const either = (a: SqlCondition, b: SqlCondition): SqlCondition => ({ sql: `(${a.sql} or ${b.sql})`, params: [...a.params, ...b.params] });
/** An MRN matches whole, in any case: MRNs are stored upper-case, so this is an equality the unique index serves. */
const mrnIs = (term: string) => equals('mrn', term.toUpperCase());
const phoneLike = (digits: string) => like('phone_digits', digits.replace(/^0+/, ''));

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

/** One term of a query string: a birth date, an email, phone digits or an MRN, or part of a name. */
function queryTerm(term: string): SqlCondition {
  // A date-shaped term that is no date ("2024-02-30") is not a birth date; PostgreSQL would refuse it.
  if (DATE_SHAPE.test(term) && calendarDate.safeParse(term).success) return equals('birth_date', term);
  if (term.includes('@')) return like('email', term.toLowerCase());
  const digits = phoneDigits(term);
  if (/^[\d\s()+.-]+$/.test(term) && digits.length >= 4) return either(phoneLike(digits), mrnIs(term));
  return either(like('search_name', foldForSearch(term)), mrnIs(term));
}

/** Everything the input asks for, ANDed: the practice, the status, the terms and the cursor. */
function matching(ctx: AuthedCtx, input: SearchPatientsInput): SqlCondition {
  const conditions: SqlCondition[] = [
    equals('practice_id', ctx.actor.practiceId),
    equals('status', input.status),
    ...queryTerms(input.query ?? '').map(queryTerm),
    ...(input.name ?? '').split(/\s+/).filter(Boolean).map((w) => like('search_name', foldForSearch(w))),
    ...(input.mrn ? [mrnIs(input.mrn)] : []),
    ...(input.email ? [equals('email', input.email.toLowerCase())] : []),
    ...(input.phone && phoneDigits(input.phone) ? [phoneLike(phoneDigits(input.phone))] : []),
    ...(input.birthDate ? [equals('birth_date', input.birthDate)] : []),
  ];
  if (input.cursor) {
    const after = decodeCursor(input.cursor, byName);
    conditions.push({ sql: '(p.sort_name, p.id) > (?, ?)', params: [after[0], after.id] });
  }
  return { sql: conditions.map((c) => c.sql).join(' and '), params: conditions.flatMap((c) => c.params) };
}

/**
 * The page of patients the actor may see that match, in name order, `limit + 1` rows for `toPage`.
 * PostgreSQL's planner guesses poorly how a name fragment's matches spread through the alphabet, so the
 * two plans are chosen here: the matches are gathered through the indexes of the terms (capped) and
 * sorted; only when there are more than the cap does a second query walk the name index instead.
 */
export async function findPatientsPage(ctx: AuthedCtx, input: SearchPatientsInput): Promise<(PatientFields & { sortName: string })[]> {
  const where = matching(ctx, input);
  const visible = visiblePatientsSql(ctx.actor);
  const [first, ...rest] = await ctx.em.execute<(Row & { candidates: string })[]>(
    `with m as materialized (select p.id, p.sort_name from patient p where ${where.sql} limit ${CANDIDATE_CAP + 1})
     select c.candidates, page.* from (select count(*) as candidates from m) c
     left join lateral (
       select ${COLUMNS} from m join patient p on p.id = m.id where ${visible.sql} order by m.sort_name, m.id limit ?
     ) page on true
     order by page."sortName", page.id`,
    [...where.params, ...visible.params, input.limit + 1],
  );
  // One row always comes back, with the count of matches, even when the actor may see none of them.
  if (Number(first!.candidates) <= CANDIDATE_CAP) return first!.id ? [first!, ...rest].map(({ candidates: _, ...row }) => patientFromRow(row)) : [];
  const walked = await ctx.em.execute<Row[]>(
    `select ${COLUMNS} from patient p where ${where.sql} and ${visible.sql} order by p.sort_name, p.id limit ?`,
    [...where.params, ...visible.params, input.limit + 1],
  );
  return walked.map(patientFromRow);
}
