import { chargeOutput, chargePageOutput, createChargeInput, listChargesInput, updateChargeInput, voidChargeInput } from '../../../shared/schemas/billing.ts';
import { clinicianProcedure, router } from '../../trpc.ts';
import { createCharge, listCharges, updateCharge, voidCharge } from './charges.service.ts';

/** Staff charge the patients they see (clinicians their care team's, admins any); patients never see charges, only invoices. */
export const chargesRouter = router({
  list: clinicianProcedure
    .meta({ phi: true })
    .input(listChargesInput)
    .output(chargePageOutput)
    .query(({ ctx, input }) => listCharges(ctx, input)),
  create: clinicianProcedure
    .meta({ phi: true })
    .input(createChargeInput)
    .output(chargeOutput)
    .mutation(({ ctx, input }) => createCharge(ctx, input)),
  update: clinicianProcedure
    .meta({ phi: true })
    .input(updateChargeInput)
    .output(chargeOutput)
    .mutation(({ ctx, input }) => updateCharge(ctx, input)),
  void: clinicianProcedure
    .meta({ phi: true })
    .input(voidChargeInput)
    .output(chargeOutput)
    .mutation(({ ctx, input }) => voidCharge(ctx, input)),
});
