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

export const patientStatuses = ['active', 'archived'] as const;
export type PatientStatus = (typeof patientStatuses)[number];
