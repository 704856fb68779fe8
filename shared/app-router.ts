export type { AppRouter } from '../server/root-router.ts';
