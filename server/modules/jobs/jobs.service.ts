import type { JobIdInput, JobOutput, JobState, ListJobsInput } from '../../../shared/schemas/jobs.ts';
import type { AuthedCtx } from '../../context.ts';
import { notFound } from '../../errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { EXTRACT_NOTE } from '../notes/extraction-queue.ts';
import { retryExtraction } from '../notes/notes.service.ts';

/** A job as the backend's queryJobs answers it: its data names the practice (the queries filter on it). */
type JobRow = {
  _id: unknown;
  name: string;
  state: JobState;
  data: JobOutput['data'];
  nextRunAt: Date | null;
  lastRunAt?: Date;
  lastFinishedAt?: Date;
  failedAt?: Date;
  failCount?: number;
  failReason?: string;
};

/** Jobs carry ids only (never PHI), so a job's data is shown as it is. */
function toJobDto(j: JobRow): JobOutput {
  const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);
  return {
    id: String(j._id),
    name: j.name,
    state: j.state,
    data: j.data,
    nextRunAt: iso(j.nextRunAt),
    lastRunAt: iso(j.lastRunAt),
    lastFinishedAt: iso(j.lastFinishedAt),
    failedAt: iso(j.failedAt),
    failCount: j.failCount ?? 0,
    failReason: j.failReason ?? null,
  };
}

/** A job id of the backend in use: PostgreSQL's are UUIDs, MongoDB's ObjectIds (the schema accepts either). */
const jobIdShape = (ctx: AuthedCtx) => (ctx.config.mongodbUrl ? /^[0-9a-f]{24}$/i : /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);

/**
 * A practice's jobs are those whose data names it; the recurring sweeps belong to no practice. An id of
 * the other backend's shape names no job here: NOT_FOUND, before the backend would choke on it.
 */
async function findPracticeJob(ctx: AuthedCtx, id: string) {
  if (!jobIdShape(ctx).test(id)) throw notFound('Job');
  const { jobs } = await ctx.agenda.queryJobs({ id, data: { practiceId: ctx.actor.practiceId } });
  const job = jobs[0];
  if (!job) throw notFound('Job');
  return job as unknown as JobRow;
}

export async function listJobs(ctx: AuthedCtx, input: ListJobsInput) {
  const { jobs } = await ctx.agenda.queryJobs({ data: { practiceId: ctx.actor.practiceId }, state: input.state, limit: input.limit, sort: { nextRunAt: 'desc' } });
  return (jobs as unknown as JobRow[]).map(toJobDto);
}

/**
 * Runs a job again now. An extraction goes through `notes.retryExtraction`, so the note starts again
 * from its first attempt; the old job row is removed either way.
 */
export async function retryJob(ctx: AuthedCtx, { id }: JobIdInput) {
  const job = await findPracticeJob(ctx, id);
  const data = job.data as { noteId?: string };
  if (job.name === EXTRACT_NOTE && data.noteId) await retryExtraction(ctx, { id: data.noteId });
  else await ctx.agenda.now(job.name, job.data);
  await ctx.agenda.cancel({ id: String(job._id) });
  recordAudit(ctx, { action: 'job.retried', entityType: 'job', entityId: id, detail: { name: job.name } });
  await ctx.em.flush();
  return { ...toJobDto(job), state: 'retried' as const };
}

export async function cancelJob(ctx: AuthedCtx, { id }: JobIdInput) {
  const job = await findPracticeJob(ctx, id);
  await ctx.agenda.cancel({ id: String(job._id) });
  recordAudit(ctx, { action: 'job.cancelled', entityType: 'job', entityId: id, detail: { name: job.name } });
  await ctx.em.flush();
  return { ...toJobDto(job), state: 'cancelled' as const };
}
