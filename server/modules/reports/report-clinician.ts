import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound } from '../../errors.ts';
import { User } from '../users/user.entity.ts';

/** A report narrowed to one clinician names a staff member of the practice (any status: reports look back). */
export async function assertReportClinician(em: EntityManager, clinicianId: string | undefined): Promise<void> {
  if (clinicianId && !(await em.count(User, { id: clinicianId, role: { $in: ['clinician', 'admin'] } }))) throw notFound('Clinician');
}
