import { idInput } from '../../../shared/schemas/common.ts';
import { clinicianOutput, clinicianPageOutput, listCliniciansInput, updateClinicianProfileInput } from '../../../shared/schemas/clinicians.ts';
import { authedProcedure, clinicianProcedure, router } from '../../trpc.ts';
import { getClinician, listClinicians, updateClinicianProfile } from './clinicians.service.ts';

/** The practice's directory of clinicians: every logged-in user of the practice may read it. */
export const cliniciansRouter = router({
  directory: authedProcedure
    .input(listCliniciansInput)
    .output(clinicianPageOutput)
    .query(({ ctx, input }) => listClinicians(ctx, input)),
  byId: authedProcedure
    .input(idInput)
    .output(clinicianOutput)
    .query(({ ctx, input }) => getClinician(ctx, input)),
  updateProfile: clinicianProcedure
    .input(updateClinicianProfileInput)
    .output(clinicianOutput)
    .mutation(({ ctx, input }) => updateClinicianProfile(ctx, input)),
});
