import { careRequestOutput, careRequestPageOutput, createCareRequestInput, declineCareRequestInput, listCareRequestsInput } from '../../../shared/schemas/care-requests.ts';
import { idInput } from '../../../shared/schemas/common.ts';
import { authedProcedure, clinicianProcedure, patientProcedure, router } from '../../trpc.ts';
import { acceptCareRequest, cancelCareRequest, createCareRequest, declineCareRequest, listCareRequests } from './care-requests.service.ts';

/** A patient chooses a clinician: the portal asks, the clinician asked (or an admin) answers. */
export const careRequestsRouter = router({
  create: patientProcedure
    .meta({ phi: true })
    .input(createCareRequestInput)
    .output(careRequestOutput)
    .mutation(({ ctx, input }) => createCareRequest(ctx, input)),
  list: authedProcedure
    .meta({ phi: true })
    .input(listCareRequestsInput)
    .output(careRequestPageOutput)
    .query(({ ctx, input }) => listCareRequests(ctx, input)),
  accept: clinicianProcedure
    .meta({ phi: true })
    .input(idInput)
    .output(careRequestOutput)
    .mutation(({ ctx, input }) => acceptCareRequest(ctx, input)),
  decline: clinicianProcedure
    .meta({ phi: true })
    .input(declineCareRequestInput)
    .output(careRequestOutput)
    .mutation(({ ctx, input }) => declineCareRequest(ctx, input)),
  cancel: patientProcedure
    .meta({ phi: true })
    .input(idInput)
    .output(careRequestOutput)
    .mutation(({ ctx, input }) => cancelCareRequest(ctx, input)),
});
