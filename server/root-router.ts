import type { ModuleManifest } from './module-manifest.ts';
import { modules } from './modules.ts';
import { router } from './trpc.ts';

type Merged<M extends readonly ModuleManifest[]> = M extends readonly [infer First extends ModuleManifest, ...infer Rest extends readonly ModuleManifest[]] ? First['routers'] & Merged<Rest> : unknown;
/** The modules' routers as one record, each with its own type: the AppRouter keeps every procedure's type. */
type RoutersOf<M extends readonly ModuleManifest[]> = { [K in keyof Merged<M>]: Merged<M>[K] };

function routersOf<const M extends readonly ModuleManifest[]>(list: M): RoutersOf<M> {
  const routers: Record<string, ModuleManifest['routers'][string]> = {};
  for (const module of list) {
    for (const [name, moduleRouter] of Object.entries(module.routers)) {
      if (name in routers) throw new Error(`two modules export a router named ${name}`);
      routers[name] = moduleRouter;
    }
  }
  return routers as RoutersOf<M>;
}

/** Every module's router, from the module list (server/modules.ts): this is the public API (see shared/app-router.ts). */
export const appRouter = router(routersOf(modules));

export type AppRouter = typeof appRouter;
