import { defineModule } from '../../module-manifest.ts';
import { OnCallShift } from './on-call-shift.entity.ts';
import { SosMail } from './sos-mail.entity.ts';
import { SosRequest } from './sos-request.entity.ts';
import { defineSosJobs, scheduleSosJobs } from './sos.jobs.ts';
import { onCallRouter, sosRouter } from './sos.router.ts';

export const sosModule = defineModule({
  routers: { sos: sosRouter, onCall: onCallRouter },
  entities: [SosRequest, SosMail, OnCallShift],
  defineJobs: defineSosJobs,
  scheduleJobs: (agenda) => scheduleSosJobs(agenda),
});
