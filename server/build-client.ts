import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { appRouterDeclarations } from './modules/openapi/app-router-declarations.ts';
import { procedureSchemas } from './modules/openapi/procedure-schemas.ts';

/**
 * `npm run build`, first step: writes the client package's AppRouter declarations (shared/dist/app-router.d.ts) from
 * the router; tsc -p tsconfig.build.json then emits the package's JavaScript and the rest of its declarations beside it.
 */
const dist = path.resolve(import.meta.dirname, '../shared/dist');
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
const declarations = await appRouterDeclarations(procedureSchemas());
writeFileSync(path.join(dist, 'app-router.d.ts'), declarations);
