/**
 * The procedures scripts use, as the OpenAPI document describes them. Adding one (say, the imports
 * when they land) is one line here; its input schema and kind (query or mutation) come from the router.
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
] as const;
