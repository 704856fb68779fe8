import { jobIdInput, jobListOutput, jobOutput, listJobsInput } from '../../../shared/schemas/jobs.ts';
import { adminProcedure, router } from '../../trpc.ts';
import { cancelJob, listJobs, retryJob } from './jobs.service.ts';

export const jobsRouter = router({
  list: adminProcedure
    .input(listJobsInput)
    .output(jobListOutput)
    .query(({ ctx, input }) => listJobs(ctx, input)),
  retry: adminProcedure
    .input(jobIdInput)
    .output(jobOutput)
    .mutation(({ ctx, input }) => retryJob(ctx, input)),
  cancel: adminProcedure
    .input(jobIdInput)
    .output(jobOutput)
    .mutation(({ ctx, input }) => cancelJob(ctx, input)),
});
