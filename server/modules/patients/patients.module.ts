import { defineModule } from '../../module-manifest.ts';
import { CareTeamMember } from './care-team-member.entity.ts';
import { Guardianship } from './guardianship.entity.ts';
import { Patient } from './patient.entity.ts';
import { PatientRevision } from './patient-revision.entity.ts';
import { careTeamsRouter, patientsRouter, portalRouter, relatedPersonsRouter } from './patients.router.ts';
import { RelatedPerson } from './related-person.entity.ts';

export const patientsModule = defineModule({
  routers: { patients: patientsRouter, careTeams: careTeamsRouter, relatedPersons: relatedPersonsRouter, portal: portalRouter },
  entities: [Patient, PatientRevision, CareTeamMember, RelatedPerson, Guardianship],
});
