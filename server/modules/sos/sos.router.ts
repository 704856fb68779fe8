import { idInput } from '../../../shared/schemas/common.ts';
import { listSosInput, onCallOutput, raiseSosInput, resolveSosInput, setOnCallInput, sosOutput, sosPageOutput } from '../../../shared/schemas/sos.ts';
import { adminProcedure, authedProcedure, clinicianProcedure, patientProcedure, router } from '../../trpc.ts';
import { listOnCall, setOnCall } from './on-call.service.ts';
import { acknowledgeSos, getSos, listSos, raiseSos, resolveSos } from './sos.service.ts';

/** Patients (and guardians) raise SOS requests from the portal; the staff it was sent to, or who see the patient, answer them. */
export const sosRouter = router({
  raise: patientProcedure
    .meta({ phi: true })
    .input(raiseSosInput)
    .output(sosOutput)
    .mutation(({ ctx, input }) => raiseSos(ctx, input)),
  acknowledge: clinicianProcedure
    .meta({ phi: true })
    .input(idInput)
    .output(sosOutput)
    .mutation(({ ctx, input }) => acknowledgeSos(ctx, input)),
  resolve: clinicianProcedure
    .meta({ phi: true })
    .input(resolveSosInput)
    .output(sosOutput)
    .mutation(({ ctx, input }) => resolveSos(ctx, input)),
  list: authedProcedure
    .meta({ phi: true })
    .input(listSosInput)
    .output(sosPageOutput)
    .query(({ ctx, input }) => listSos(ctx, input)),
  byId: authedProcedure
    .meta({ phi: true })
    .input(idInput)
    .output(sosOutput)
    .query(({ ctx, input }) => getSos(ctx, input)),
});

/** The practice's weekly on-call roster: staff read it, admins set it. */
export const onCallRouter = router({
  list: clinicianProcedure.output(onCallOutput).query(({ ctx }) => listOnCall(ctx)),
  set: adminProcedure
    .input(setOnCallInput)
    .output(onCallOutput)
    .mutation(({ ctx, input }) => setOnCall(ctx, input)),
});
