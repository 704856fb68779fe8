import type { Options } from '@mikro-orm/postgresql';
import type { AnyRouter } from '@trpc/server';
import type { Agenda } from 'agenda';
import type { JobDeps } from './jobs.ts';

/**
 * What a domain module (server/modules/<domain>/) gives the composition root: each module says it once,
 * in `<domain>.module.ts`, and server/modules.ts lists the modules. Its procedures say the rest about
 * themselves in their tRPC `meta` (server/trpc.ts): whether the OpenAPI document carries them, whether they touch PHI.
 */
export type ModuleManifest = {
  /** Its routers, keyed by their name in the AppRouter (the API's first path segment). */
  routers: Record<string, AnyRouter>;
  /** Its entities, for the ORM (server/orm.ts). */
  entities: readonly NonNullable<Options['entities']>[number][];
  /** Defines its job handlers on every worker's queue (server/jobs.ts). */
  defineJobs?: (agenda: Agenda, deps: JobDeps) => void;
  /** Makes sure its recurring jobs exist, once the worker has started. */
  scheduleJobs?: (agenda: Agenda, deps: JobDeps) => Promise<void>;
};

/** Checks a manifest and keeps its exact type, so that the AppRouter built from the list keeps every router's own type. */
export const defineModule = <M extends ModuleManifest>(manifest: M): M => manifest;
