/**
 * Who is a practitioner, said once, for the user aliased `user` and their profile (left-joined) `profile`:
 * a clinician, with or without a profile, or an admin who gave themselves one (an admin who sees patients).
 * The directory shows the active ones; the FHIR export (Practitioner, PractitionerRole) the deactivated
 * too (as inactive: past visits name them), never the invited (no account yet).
 */
export const practitionerSql = (user: string, profile: string) => `(${user}.role = 'clinician' or (${user}.role = 'admin' and ${profile}.id is not null))`;
