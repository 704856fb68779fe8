import { defineModule } from '../../module-manifest.ts';
import { ClinicianProfile } from './clinician-profile.entity.ts';
import { cliniciansRouter } from './clinicians.router.ts';

export const cliniciansModule = defineModule({ routers: { clinicians: cliniciansRouter }, entities: [ClinicianProfile] });
