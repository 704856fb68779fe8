import { defineModule } from '../../module-manifest.ts';
import { jobsRouter } from './jobs.router.ts';

/** The job queue's own view for admins: its rows are Agenda's tables, which the ORM does not manage. */
export const jobsModule = defineModule({ routers: { jobs: jobsRouter }, entities: [] });
