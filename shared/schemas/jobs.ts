import { z } from 'zod';
import { text } from './common.ts';

export const jobStates = ['running', 'scheduled', 'queued', 'completed', 'failed', 'repeating', 'paused'] as const;

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
