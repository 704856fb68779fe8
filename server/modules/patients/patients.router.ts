import { idInput } from '../../../shared/schemas/common.ts';
import { addRelatedPersonInput, careTeamInput, createPatientInput, guardianInput, invitePatientInput, patientIdInput, searchPatientsInput, updatePatientInput, updateRelatedPersonInput } from '../../../shared/schemas/patients.ts';
import { patientEverything } from '../fhir/fhir.service.ts';
import { authedProcedure, clinicianProcedure, patientProcedure, router } from '../../trpc.ts';
import { addToCareTeam, listCareTeam, removeFromCareTeam } from './care-team.service.ts';
import { getChart } from './chart.service.ts';
import { createPatient, getPatient, searchPatients, setPatientStatus, updatePatient } from './patients.service.ts';
import { addGuardian, invitePatient, portalRecords, removeGuardian } from './portal.service.ts';
import { addRelatedPerson, listRelatedPersons, removeRelatedPerson, updateRelatedPerson } from './related-persons.service.ts';

export const patientsRouter = router({
  list: clinicianProcedure.input(searchPatientsInput).query(({ ctx, input }) => searchPatients(ctx, input)),
  search: clinicianProcedure.input(searchPatientsInput).query(({ ctx, input }) => searchPatients(ctx, input)),
  byId: authedProcedure.input(idInput).query(({ ctx, input }) => getPatient(ctx, input)),
  chart: clinicianProcedure.input(idInput).query(({ ctx, input }) => getChart(ctx, input)),
  /** The patient's record as a FHIR R4 Bundle (Patient/$everything). */
  fhir: clinicianProcedure.input(idInput).query(({ ctx, input }) => patientEverything(ctx, input)),
  create: clinicianProcedure.input(createPatientInput).mutation(({ ctx, input }) => createPatient(ctx, input)),
  update: clinicianProcedure.input(updatePatientInput).mutation(({ ctx, input }) => updatePatient(ctx, input)),
  archive: clinicianProcedure.input(idInput).mutation(({ ctx, input }) => setPatientStatus(ctx, input, 'archived')),
  restore: clinicianProcedure.input(idInput).mutation(({ ctx, input }) => setPatientStatus(ctx, input, 'active')),
  invitePortal: clinicianProcedure.input(invitePatientInput).mutation(({ ctx, input }) => invitePatient(ctx, input)),
  addGuardian: clinicianProcedure.input(guardianInput).mutation(({ ctx, input }) => addGuardian(ctx, input)),
  removeGuardian: clinicianProcedure.input(guardianInput).mutation(({ ctx, input }) => removeGuardian(ctx, input)),
});

/** The patient portal: a patient's own record and their dependents', as a safe subset. */
export const portalRouter = router({
  records: patientProcedure.query(({ ctx }) => portalRecords(ctx)),
});

export const careTeamsRouter = router({
  list: clinicianProcedure.input(patientIdInput).query(({ ctx, input }) => listCareTeam(ctx, input)),
  add: clinicianProcedure.input(careTeamInput).mutation(({ ctx, input }) => addToCareTeam(ctx, input)),
  remove: clinicianProcedure.input(careTeamInput).mutation(({ ctx, input }) => removeFromCareTeam(ctx, input)),
});

export const relatedPersonsRouter = router({
  list: authedProcedure.input(patientIdInput).query(({ ctx, input }) => listRelatedPersons(ctx, input)),
  create: clinicianProcedure.input(addRelatedPersonInput).mutation(({ ctx, input }) => addRelatedPerson(ctx, input)),
  update: clinicianProcedure.input(updateRelatedPersonInput).mutation(({ ctx, input }) => updateRelatedPerson(ctx, input)),
  remove: clinicianProcedure.input(idInput).mutation(({ ctx, input }) => removeRelatedPerson(ctx, input)),
});
