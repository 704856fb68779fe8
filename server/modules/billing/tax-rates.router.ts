import { createTaxRateInput, listTaxRatesInput, taxRateListOutput, taxRateOutput } from '../../../shared/schemas/billing.ts';
import { idInput } from '../../../shared/schemas/common.ts';
import { adminProcedure, router } from '../../trpc.ts';
import { archiveTaxRate, createTaxRate, listTaxRates } from './tax-rates.service.ts';

/** The practice's tax rates, for admins. A rate never changes once made: a new one replaces it. */
export const taxRatesRouter = router({
  list: adminProcedure
    .input(listTaxRatesInput)
    .output(taxRateListOutput)
    .query(({ ctx, input }) => listTaxRates(ctx, input)),
  create: adminProcedure
    .input(createTaxRateInput)
    .output(taxRateOutput)
    .mutation(({ ctx, input }) => createTaxRate(ctx, input)),
  archive: adminProcedure
    .input(idInput)
    .output(taxRateOutput)
    .mutation(({ ctx, input }) => archiveTaxRate(ctx, input)),
});
