import { defineModule } from '../../module-manifest.ts';
import { CareRequest } from './care-request.entity.ts';
import { careRequestsRouter } from './care-requests.router.ts';

export const careRequestsModule = defineModule({ routers: { careRequests: careRequestsRouter }, entities: [CareRequest] });
