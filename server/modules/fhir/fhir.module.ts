import { defineModule } from '../../module-manifest.ts';
import { exportsRouter } from './fhir.router.ts';

/** FHIR reads the other modules' tables through plain SQL (fhir-sources.ts): it has no entities of its own. */
export const fhirModule = defineModule({ routers: { exports: exportsRouter }, entities: [] });
