import { jobIdInput, listJobsInput } from '../../../shared/schemas/jobs.ts';
import { adminProcedure, router } from '../../trpc.ts';
import { cancelJob, listJobs, retryJob } from './jobs.service.ts';

export const jobsRouter = router({
  list: adminProcedure.input(listJobsInput).query(({ ctx, input }) => listJobs(ctx, input)),
  retry: adminProcedure.input(jobIdInput).mutation(({ ctx, input }) => retryJob(ctx, input)),
  cancel: adminProcedure.input(jobIdInput).mutation(({ ctx, input }) => cancelJob(ctx, input)),
});
