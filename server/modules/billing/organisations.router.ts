import { createOrganisationInput, listOrganisationsInput, organisationListOutput, organisationOutput, updateOrganisationInput } from '../../../shared/schemas/billing.ts';
import { idInput } from '../../../shared/schemas/common.ts';
import { adminProcedure, router } from '../../trpc.ts';
import { archiveOrganisation, createOrganisation, listOrganisations, updateOrganisation } from './organisations.service.ts';

/** Payers an invoice may be addressed to (insurers, employers), for admins. */
export const organisationsRouter = router({
  list: adminProcedure
    .input(listOrganisationsInput)
    .output(organisationListOutput)
    .query(({ ctx, input }) => listOrganisations(ctx, input)),
  create: adminProcedure
    .input(createOrganisationInput)
    .output(organisationOutput)
    .mutation(({ ctx, input }) => createOrganisation(ctx, input)),
  update: adminProcedure
    .input(updateOrganisationInput)
    .output(organisationOutput)
    .mutation(({ ctx, input }) => updateOrganisation(ctx, input)),
  archive: adminProcedure
    .input(idInput)
    .output(organisationOutput)
    .mutation(({ ctx, input }) => archiveOrganisation(ctx, input)),
});
