import { idInput } from '../../../shared/schemas/common.ts';
import { createDeliveryInput, deliveryOutput, deliveryPageOutput, listDeliveriesInput, updateDeliveryStatusInput } from '../../../shared/schemas/deliveries.ts';
import { authedProcedure, patientProcedure, router } from '../../trpc.ts';
import { createDelivery, getDelivery, listDeliveries, updateDeliveryStatus } from './deliveries.service.ts';

/**
 * Patients (and guardians) ask for deliveries and may cancel them; staff who see the patient work the
 * queue. Which status change is whose is the service's rule (deliveries.service.ts).
 */
export const deliveriesRouter = router({
  create: patientProcedure
    .meta({ phi: true })
    .input(createDeliveryInput)
    .output(deliveryOutput)
    .mutation(({ ctx, input }) => createDelivery(ctx, input)),
  list: authedProcedure
    .meta({ phi: true })
    .input(listDeliveriesInput)
    .output(deliveryPageOutput)
    .query(({ ctx, input }) => listDeliveries(ctx, input)),
  byId: authedProcedure
    .meta({ phi: true })
    .input(idInput)
    .output(deliveryOutput)
    .query(({ ctx, input }) => getDelivery(ctx, input)),
  updateStatus: authedProcedure
    .meta({ phi: true })
    .input(updateDeliveryStatusInput)
    .output(deliveryOutput)
    .mutation(({ ctx, input }) => updateDeliveryStatus(ctx, input)),
});
