import type { UserRole } from '../../../shared/enums.ts';
import type { Actor } from '../../context.ts';
import { AppError } from '../../errors.ts';

/** Role checks live below the routers: every service that needs a role asserts it itself. */
export function assertRole(actor: Actor, ...roles: UserRole[]): void {
  if (!roles.includes(actor.role)) throw new AppError('FORBIDDEN', `Only ${roles.join(' or ')} users may do this`);
}
