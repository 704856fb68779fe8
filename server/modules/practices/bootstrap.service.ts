import type { EntityManager } from '@mikro-orm/postgresql';
import type { UserRole } from '../../../shared/enums.ts';
import type { BootstrapInput } from '../../../shared/schemas/practices.ts';
import { hashPassword } from '../../auth/password.ts';
import { AppError } from '../../errors.ts';
import { AuditEvent } from '../audit/audit-event.entity.ts';
import { User } from '../users/user.entity.ts';
import { Practice } from './practice.entity.ts';

/** A new practice with its first admin: a local operation (`pams admin bootstrap`), no caller. */
export async function bootstrapPractice(em: EntityManager, input: Omit<BootstrapInput, 'timeZone'> & { timeZone?: string }) {
  return em.transactional(async (tx) => {
    if (await tx.count(User, { email: input.email }, { filters: false })) {
      throw new AppError('CONFLICT', `${input.email} already has an account`, 'email-taken');
    }
    const practice = tx.create(Practice, { name: input.practiceName, timeZone: input.timeZone ?? 'UTC' });
    const admin = await createActiveUser(tx, practice, { email: input.email, name: input.name, password: input.password, role: 'admin' });
    tx.create(AuditEvent, { practiceId: practice.id, actorId: admin.id, action: 'practice.bootstrapped', entityType: 'practice', entityId: practice.id, requestId: null, ip: null, detail: null });
    return { practice, admin };
  });
}

export async function createActiveUser(em: EntityManager, practice: Practice, u: { email: string; name: string; password: string; role: UserRole }) {
  return em.create(User, { practice, email: u.email, name: u.name, role: u.role, status: 'active', passwordHash: await hashPassword(u.password) });
}
