import { defineModule } from '../../module-manifest.ts';
import { DeliveryEvent } from './delivery-event.entity.ts';
import { DeliveryRequest } from './delivery-request.entity.ts';
import { defineDeliveryJobs, scheduleDeliveryJobs } from './deliveries.jobs.ts';
import { deliveriesRouter } from './deliveries.router.ts';

export const deliveriesModule = defineModule({
  routers: { deliveries: deliveriesRouter },
  entities: [DeliveryRequest, DeliveryEvent],
  defineJobs: defineDeliveryJobs,
  scheduleJobs: (agenda) => scheduleDeliveryJobs(agenda),
});
