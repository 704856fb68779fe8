import type { Organization } from '@medplum/fhirtypes';
import type { z } from 'zod';
import type { OrganisationOutput } from '../../../../shared/schemas/billing.ts';
import type { address } from '../../../../shared/schemas/patients.ts';
import { compact, type Exported, type FhirSource, instant } from '../fhir-source.ts';
import { pamsSystem } from './billing-money.ts';

type Row = {
  id: string;
  practice_id: string;
  name: string;
  kind: OrganisationOutput['kind'];
  address: z.infer<typeof address> | null;
  tax_id: string | null;
  email: string | null;
  active: boolean;
  updated_at: string;
};

const types: Record<OrganisationOutput['kind'], { code: string; display: string }> = {
  insurer: { code: 'ins', display: 'Insurance Company' },
  employer: { code: 'bus', display: 'Non-Healthcare Business or Corporation' },
  other: { code: 'other', display: 'Other' },
};

/**
 * A payer invoices may be addressed to (billing's organisations: insurers, employers) as an Organization.
 * A patient's $everything holds those their invoices and payments name.
 */
export const organizationSource: FhirSource<Row> = {
  resourceType: 'Organization',
  columns: 't.id, t.practice_id, t.name, t.kind, t.address, t.tax_id, t.email, t.active, t.updated_at',
  from: 'organisation t where t.practice_id = ?',
  ofPatient: `t.id in (select x.organisation_id from (
      select i.bill_to_organisation_id as organisation_id, i.patient_id from invoice i union all select y.payer_organisation_id, y.patient_id from payment y
    ) x where x.patient_id = ?)`,
  changedAt: 't.updated_at',
  toResource: (r): Exported<Organization> =>
    compact({
      resourceType: 'Organization',
      id: r.id,
      meta: { lastUpdated: instant(r.updated_at) },
      identifier: r.tax_id ? [{ system: pamsSystem(r.practice_id, 'organisation-tax-id'), value: r.tax_id }] : undefined,
      active: r.active,
      type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/organization-type', ...types[r.kind] }], text: r.kind }],
      name: r.name,
      telecom: r.email ? [{ system: 'email' as const, value: r.email }] : undefined,
      address: r.address ? [compact({ line: r.address.lines, city: r.address.city, state: r.address.region, postalCode: r.address.postalCode, country: r.address.country })] : undefined,
    }),
};
