import { defineModule } from '../../module-manifest.ts';
import { defineFileJobs, scheduleFileJobs } from './files.jobs.ts';
import { filesRouter } from './files.router.ts';
import { StoredFile } from './stored-file.entity.ts';

export const filesModule = defineModule({
  routers: { files: filesRouter },
  entities: [StoredFile],
  defineJobs: defineFileJobs,
  scheduleJobs: (agenda) => scheduleFileJobs(agenda),
});
