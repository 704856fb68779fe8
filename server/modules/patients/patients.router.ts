import { idInput, okOutput } from '../../../shared/schemas/common.ts';
import { portalCareTeamOutput } from '../../../shared/schemas/clinicians.ts';
import { fhirBundleOutput } from '../../../shared/schemas/fhir.ts';
import { sentInviteOutput } from '../../../shared/schemas/invites.ts';
import {
  addRelatedPersonInput,
  careTeamInput,
  careTeamOutput,
  chartOutput,
  createPatientInput,
  guardianInput,
  invitePatientInput,
  mergePatientsInput,
  mergePatientsOutput,
  patientIdInput,
  patientHistoryOutput,
  patientOutput,
  patientPageOutput,
  portalPatientOutput,
  portalRecordsOutput,
  relatedPersonListOutput,
  relatedPersonOutput,
  searchPatientsInput,
  updatePatientInput,
  updateProfileInput,
  updateRelatedPersonInput,
} from '../../../shared/schemas/patients.ts';
import { careTeamDirectory } from '../clinicians/clinicians.service.ts';
import { patientEverything } from '../fhir/fhir.service.ts';
import { adminProcedure, authedProcedure, clinicianProcedure, patientProcedure, router } from '../../trpc.ts';
import { addToCareTeam, leaveCareTeam, listCareTeam, removeFromCareTeam } from './care-team.service.ts';
import { getChart } from './chart.service.ts';
import { createPatient, getPatient, searchPatients, setPatientStatus, updatePatient } from './patients.service.ts';
import { mergePatients } from './patient-merge.service.ts';
import { patientHistory } from './patient-revisions.ts';
import { addGuardian, invitePatient, portalRecords, removeGuardian, updateProfile } from './portal.service.ts';
import { addRelatedPerson, listRelatedPersons, removeRelatedPerson, updateRelatedPerson } from './related-persons.service.ts';

export const patientsRouter = router({
  list: clinicianProcedure
    .meta({ phi: true })
    .input(searchPatientsInput)
    .output(patientPageOutput)
    .query(({ ctx, input }) => searchPatients(ctx, input)),
  search: clinicianProcedure
    .meta({ phi: true })
    .input(searchPatientsInput)
    .output(patientPageOutput)
    .query(({ ctx, input }) => searchPatients(ctx, input)),
  byId: authedProcedure
    .meta({ phi: true })
    .input(idInput)
    .output(patientOutput)
    .query(({ ctx, input }) => getPatient(ctx, input)),
  chart: clinicianProcedure
    .meta({ phi: true })
    .input(idInput)
    .output(chartOutput)
    .query(({ ctx, input }) => getChart(ctx, input)),
  create: clinicianProcedure
    .meta({ phi: true })
    .input(createPatientInput)
    .output(patientOutput)
    .mutation(({ ctx, input }) => createPatient(ctx, input)),
  update: clinicianProcedure
    .meta({ phi: true })
    .input(updatePatientInput)
    .output(patientOutput)
    .mutation(({ ctx, input }) => updatePatient(ctx, input)),
  /** Every change to the patient's details (patients.update, portal.updateProfile), oldest first. */
  history: clinicianProcedure
    .meta({ phi: true })
    .input(idInput)
    .output(patientHistoryOutput)
    .query(({ ctx, input }) => patientHistory(ctx, input)),
  /** The patient's record as a FHIR R4 Bundle (Patient/$everything). */
  fhir: clinicianProcedure
    .meta({ phi: true })
    .input(idInput)
    .output(fhirBundleOutput)
    .query(({ ctx, input }) => patientEverything(ctx, input)),
  archive: clinicianProcedure
    .meta({ phi: true })
    .input(idInput)
    .output(patientOutput)
    .mutation(({ ctx, input }) => setPatientStatus(ctx, input, 'archived')),
  restore: clinicianProcedure
    .meta({ phi: true })
    .input(idInput)
    .output(patientOutput)
    .mutation(({ ctx, input }) => setPatientStatus(ctx, input, 'active')),
  /** Folds one record (a self-registered duplicate, say) into another: its data and portal account move; it stays, marked merged. */
  merge: adminProcedure
    .meta({ phi: true })
    .input(mergePatientsInput)
    .output(mergePatientsOutput)
    .mutation(({ ctx, input }) => mergePatients(ctx, input)),
  invitePortal: clinicianProcedure
    .input(invitePatientInput)
    .output(sentInviteOutput)
    .mutation(({ ctx, input }) => invitePatient(ctx, input)),
  addGuardian: clinicianProcedure
    .meta({ phi: true })
    .input(guardianInput)
    .output(okOutput)
    .mutation(({ ctx, input }) => addGuardian(ctx, input)),
  removeGuardian: clinicianProcedure
    .meta({ phi: true })
    .input(guardianInput)
    .output(okOutput)
    .mutation(({ ctx, input }) => removeGuardian(ctx, input)),
});

/** The patient portal: a patient's own record and their dependents', as a safe subset. */
export const portalRouter = router({
  records: patientProcedure
    .meta({ phi: true })
    .output(portalRecordsOutput)
    .query(({ ctx }) => portalRecords(ctx)),
  /** Who is on the care team of the patient's own record, or a dependent's: the directory's public entries. */
  careTeam: patientProcedure
    .input(patientIdInput)
    .output(portalCareTeamOutput)
    .query(({ ctx, input }) => careTeamDirectory(ctx, input)),
  /** The contact details of the patient's own record, or a dependent's: nothing staff-only. */
  updateProfile: patientProcedure
    .meta({ phi: true })
    .input(updateProfileInput)
    .output(portalPatientOutput)
    .mutation(({ ctx, input }) => updateProfile(ctx, input)),
});

export const careTeamsRouter = router({
  list: clinicianProcedure
    .input(patientIdInput)
    .output(careTeamOutput)
    .query(({ ctx, input }) => listCareTeam(ctx, input)),
  add: clinicianProcedure
    .meta({ phi: true })
    .input(careTeamInput)
    .output(careTeamOutput)
    .mutation(({ ctx, input }) => addToCareTeam(ctx, input)),
  remove: clinicianProcedure
    .meta({ phi: true })
    .input(careTeamInput)
    .output(okOutput)
    .mutation(({ ctx, input }) => removeFromCareTeam(ctx, input)),
  /** The patient, or a guardian for a dependent, leaves a clinician's care (never the last clinician's). */
  leave: patientProcedure
    .meta({ phi: true })
    .input(careTeamInput)
    .output(okOutput)
    .mutation(({ ctx, input }) => leaveCareTeam(ctx, input)),
});

export const relatedPersonsRouter = router({
  list: authedProcedure
    .meta({ phi: true })
    .input(patientIdInput)
    .output(relatedPersonListOutput)
    .query(({ ctx, input }) => listRelatedPersons(ctx, input)),
  create: clinicianProcedure
    .meta({ phi: true })
    .input(addRelatedPersonInput)
    .output(relatedPersonOutput)
    .mutation(({ ctx, input }) => addRelatedPerson(ctx, input)),
  update: clinicianProcedure
    .meta({ phi: true })
    .input(updateRelatedPersonInput)
    .output(relatedPersonOutput)
    .mutation(({ ctx, input }) => updateRelatedPerson(ctx, input)),
  remove: clinicianProcedure
    .meta({ phi: true })
    .input(idInput)
    .output(okOutput)
    .mutation(({ ctx, input }) => removeRelatedPerson(ctx, input)),
});
