import { z } from 'zod';
import { instantOutput, text } from './common.ts';

export const jobStates = ['running', 'scheduled', 'queued', 'completed', 'failed', 'repeating', 'paused'] as const;
export type JobState = (typeof jobStates)[number];

export const listJobsInput = z.object({
  state: z.enum(jobStates).optional(),
  limit: z.number().int().min(1).max(100).default(50),
});
export type ListJobsInput = z.infer<typeof listJobsInput>;

/** A UUID on the PostgreSQL backend, an ObjectId on the MongoDB one. */
export const jobId = text()
  .max(36)
  .regex(/^([0-9a-f]{24}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i, 'must be a job id');
export const jobIdInput = z.object({ id: jobId });
export type JobIdInput = z.infer<typeof jobIdInput>;

export const jobOutput = z.object({
  id: z.string(),
  name: z.string(),
  state: z.enum([...jobStates, 'retried', 'cancelled']).describe('The state now; retry and cancel answer `retried` and `cancelled`'),
  data: z.looseObject({ practiceId: z.string() }).describe("The job's data, by its name: ids only, never PHI"),
  nextRunAt: instantOutput.nullable(),
  lastRunAt: instantOutput.nullable(),
  lastFinishedAt: instantOutput.nullable(),
  failedAt: instantOutput.nullable(),
  failCount: z.number(),
  failReason: z.string().nullable(),
});
export type JobOutput = z.infer<typeof jobOutput>;

export const jobListOutput = z.array(jobOutput);
