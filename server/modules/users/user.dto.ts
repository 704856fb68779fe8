import type { User } from './user.entity.ts';

export type UserDto = ReturnType<typeof toUserDto>;

export function toUserDto(u: User) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    status: u.status,
    mfaEnabled: Boolean(u.mfaEnabled),
    createdAt: u.createdAt.toISOString(),
  };
}
