// `@pams/client/schemas`: the zod schemas of every procedure's input and output, for forms that validate as the
// server does. Opt-in, apart from the client, since zod and the phone and unit tables they use are large.
export * from './schemas/assessments.ts';
export * from './schemas/audit.ts';
export * from './schemas/auth.ts';
export * from './schemas/care-requests.ts';
export * from './schemas/clinicians.ts';
export * from './schemas/common.ts';
export * from './schemas/deliveries.ts';
export * from './schemas/documents.ts';
export * from './schemas/fhir.ts';
export * from './schemas/files.ts';
export * from './schemas/hl7.ts';
export * from './schemas/imports.ts';
export * from './schemas/invites.ts';
export * from './schemas/jobs.ts';
export * from './schemas/notes.ts';
export * from './schemas/notifications.ts';
export * from './schemas/patients.ts';
export * from './schemas/practices.ts';
export * from './schemas/questionnaires.ts';
export * from './schemas/records.ts';
export * from './schemas/reminders.ts';
export * from './schemas/reports.ts';
export * from './schemas/scheduling.ts';
export * from './schemas/steps.ts';
export * from './schemas/tokens.ts';
export * from './schemas/users.ts';
