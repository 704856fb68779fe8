import { createServiceInput, listServicesInput, serviceListOutput, serviceOutput, updateServiceInput } from '../../../shared/schemas/billing.ts';
import { idInput } from '../../../shared/schemas/common.ts';
import { adminProcedure, clinicianProcedure, router } from '../../trpc.ts';
import { archiveService, createService, listServices, updateService } from './price-list.service.ts';

/** The price list: staff read it (to charge), admins keep it. */
export const servicesRouter = router({
  list: clinicianProcedure
    .input(listServicesInput)
    .output(serviceListOutput)
    .query(({ ctx, input }) => listServices(ctx, input)),
  create: adminProcedure
    .input(createServiceInput)
    .output(serviceOutput)
    .mutation(({ ctx, input }) => createService(ctx, input)),
  update: adminProcedure
    .input(updateServiceInput)
    .output(serviceOutput)
    .mutation(({ ctx, input }) => updateService(ctx, input)),
  archive: adminProcedure
    .input(idInput)
    .output(serviceOutput)
    .mutation(({ ctx, input }) => archiveService(ctx, input)),
});
