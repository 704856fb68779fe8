export const userRoles = ['admin', 'clinician', 'patient'] as const;
export type UserRole = (typeof userRoles)[number];

export const userStatuses = ['invited', 'active', 'deactivated'] as const;
export type UserStatus = (typeof userStatuses)[number];

export const invitableRoles = ['admin', 'clinician'] as const;
export type InvitableRole = (typeof invitableRoles)[number];

export const inviteStatuses = ['pending', 'accepted', 'expired', 'revoked'] as const;
export type InviteStatus = (typeof inviteStatuses)[number];
