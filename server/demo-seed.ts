import type { EntityManager } from '@mikro-orm/postgresql';
import { bootstrapPractice, createActiveUser } from './modules/practices/bootstrap.service.ts';
import { Practice } from './modules/practices/practice.entity.ts';

export const DEMO_PASSWORD = 'pams-demo-password';
export const demoLogins = [
  { email: 'admin@demo.pams.test', role: 'admin', name: 'Ada Admin' },
  { email: 'clinician@demo.pams.test', role: 'clinician', name: 'Dr Carys Jones' },
  { email: 'clinician2@demo.pams.test', role: 'clinician', name: 'Dr Tomás Ruiz' },
] as const;

/** Demo data for the quick start, written only into an empty database. Returns false when it had data. */
export async function seedDemo(em: EntityManager): Promise<boolean> {
  if (await em.count(Practice, {})) return false;
  const [admin, ...clinicians] = demoLogins;
  const { practice } = await bootstrapPractice(em, { practiceName: 'Demo Practice', timeZone: 'Europe/Dublin', email: admin.email, name: admin.name, password: DEMO_PASSWORD });
  for (const c of clinicians) await createActiveUser(em, practice, { ...c, password: DEMO_PASSWORD });
  await em.flush();
  return true;
}
