import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { SetOnCallInput } from '../../../shared/schemas/sos.ts';
import type { AuthedCtx } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { pgArray } from '../../pg-array.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { Practice } from '../practices/practice.entity.ts';
import { OnCallShift } from './on-call-shift.entity.ts';

/** The database keeps `time` values as HH:MM:SS; the API speaks HH:MM. */
const toDatabaseTime = (time: string) => `${time}:00`;

/** The active clinicians of the practice whose shift covers `at`, in the practice's time zone. */
export async function onCallAt(em: EntityManager, practiceId: string, at: Date): Promise<string[]> {
  const rows = await em.execute<{ id: string }[]>(
    `select distinct s.clinician_id as id from on_call_shift s join practice pr on pr.id = s.practice_id join users u on u.id = s.clinician_id
     cross join lateral (select ?::timestamptz at time zone pr.time_zone as local) l
     where s.practice_id = ? and u.status = 'active' and s.weekday = extract(isodow from l.local) and s.start_time <= l.local::time and l.local::time < s.end_time
     order by 1`,
    [at, practiceId],
  );
  return rows.map((r) => r.id);
}

async function roster(ctx: AuthedCtx) {
  const shifts = await ctx.em.find(OnCallShift, {}, { orderBy: { weekday: 'asc', startTime: 'asc', clinician: 'asc' } });
  return {
    timeZone: ctx.actor.identity.practice.timeZone,
    shifts: shifts.map((s) => ({ clinicianId: s.clinician.id, weekday: s.weekday, start: s.startTime.slice(0, 5), end: s.endTime.slice(0, 5) })),
    onCallNow: await onCallAt(ctx.em, ctx.actor.practiceId, ctx.clock.now()),
  };
}

export const listOnCall = (ctx: AuthedCtx) => roster(ctx);

/**
 * Replaces the practice's whole weekly roster. Each shift's clinician must be an active clinician of the
 * practice (an unknown one is a field error). Overlaps are fine: two clinicians may be on call at once.
 */
export async function setOnCall(ctx: AuthedCtx, { shifts }: SetOnCallInput) {
  const ids = [...new Set(shifts.map((s) => s.clinicianId))];
  const found = ids.length
    ? await ctx.em.execute<{ id: string }[]>(`select id from users where id = any(?::uuid[]) and practice_id = ? and role = 'clinician' and status = 'active'`, [pgArray(ids), ctx.actor.practiceId])
    : [];
  const known = new Set(found.map((r) => r.id));
  const unknown = shifts.flatMap((s, i) => (known.has(s.clinicianId) ? [] : [i]));
  if (unknown.length) {
    throw new AppError('BAD_REQUEST', 'Invalid input', null, Object.fromEntries(unknown.map((i) => [`shifts.${i}.clinicianId`, ['is not an active clinician of the practice']])));
  }
  await ctx.em.transactional(async (em) => {
    // Locking the practice serialises two replacements, which would otherwise both delete and both insert.
    await em.findOneOrFail(Practice, { id: ctx.actor.practiceId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    await em.nativeDelete(OnCallShift, {});
    for (const s of shifts) {
      em.create(OnCallShift, { practice: ctx.actor.practiceId, clinician: s.clinicianId, weekday: s.weekday, startTime: toDatabaseTime(s.start), endTime: toDatabaseTime(s.end) });
    }
    recordAudit({ ...ctx, em }, { action: 'on-call.set', entityType: 'practice', entityId: ctx.actor.practiceId, detail: { shifts: shifts.length } });
  });
  return roster(ctx);
}
