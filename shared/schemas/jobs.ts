import { z } from 'zod';
import { uuid } from './common.ts';

export const jobStates = ['running', 'scheduled', 'queued', 'completed', 'failed', 'repeating', 'paused'] as const;

export const listJobsInput = z.object({
  state: z.enum(jobStates).optional(),
  limit: z.number().int().min(1).max(100).default(50),
});
export type ListJobsInput = z.infer<typeof listJobsInput>;

export const jobIdInput = z.object({ id: uuid });
export type JobIdInput = z.infer<typeof jobIdInput>;
