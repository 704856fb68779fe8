export const userRoles = ['admin', 'clinician', 'patient'] as const;
export type UserRole = (typeof userRoles)[number];

export const userStatuses = ['invited', 'active', 'deactivated'] as const;
export type UserStatus = (typeof userStatuses)[number];

export const invitableRoles = ['admin', 'clinician'] as const;
export type InvitableRole = (typeof invitableRoles)[number];

export const inviteStatuses = ['pending', 'accepted', 'expired', 'revoked'] as const;
export type InviteStatus = (typeof inviteStatuses)[number];

/** FHIR R4 AdministrativeGender. */
export const administrativeGenders = ['male', 'female', 'other', 'unknown'] as const;
export type AdministrativeGender = (typeof administrativeGenders)[number];

/** `merged`: folded into another record by `patients.merge` (its `mergedIntoId`); kept, read-only, out of default lists. */
export const patientStatuses = ['active', 'archived', 'merged'] as const;
export type PatientStatus = (typeof patientStatuses)[number];

/** Where a change to a patient's details came from: staff (`patients.update`), the patient (`portal.updateProfile`), a CSV import, an HL7 message. */
export const patientRevisionSources = ['staff', 'portal', 'import', 'hl7'] as const;
export type PatientRevisionSource = (typeof patientRevisionSources)[number];

/** Whether anyone may create a patient account at the practice (`auth.signUp`), or only by invite. */
export const patientSignUpModes = ['off', 'open'] as const;
export type PatientSignUpMode = (typeof patientSignUpModes)[number];

/** What a patient's document is. */
export const documentCategories = ['referral', 'result', 'consent', 'letter', 'image', 'other'] as const;
export type DocumentCategory = (typeof documentCategories)[number];
