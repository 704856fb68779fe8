/**
 * The procedures scripts use, as the OpenAPI document describes them. Adding one is one line here; its
 * input schema and kind (query or mutation) come from the router.
 */
export const documentedProcedures = [
  'patients.list',
  'patients.search',
  'patients.byId',
  'patients.create',
  'patients.update',
  'patients.fhir',
  'assessments.start',
  'assessments.saveAnswers',
  'assessments.submit',
  'assessments.byId',
  'assessments.list',
  'exports.fhir',
  'imports.begin',
  'imports.add',
  'imports.commit',
  'imports.cancel',
  'hl7.receive',
  'notes.create',
  'notes.byId',
  'notes.list',
  'steps.list',
  'steps.checkIn',
  'reports.assessments',
  'reports.appointments',
  'reports.activity',
  'reports.reminders',
] as const;
