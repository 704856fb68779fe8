import type { UserOutput } from '../../../shared/schemas/users.ts';
import type { User } from './user.entity.ts';

/** Takes an entity or any row of the same shape (the session lookup builds one from plain SQL). */
export function toUserDto(u: Pick<User, 'id' | 'email' | 'name' | 'role' | 'status' | 'mfaEnabled' | 'createdAt'>): UserOutput {
  return {
    id: u.id,
    email: u.email,
    name: u.name ?? null,
    role: u.role,
    status: u.status,
    mfaEnabled: Boolean(u.mfaEnabled),
    createdAt: u.createdAt.toISOString(),
  };
}
