import { defineModule } from '../../module-manifest.ts';
import { Step } from './step.entity.ts';
import { stepsRouter } from './steps.router.ts';

export const stepsModule = defineModule({ routers: { steps: stepsRouter }, entities: [Step] });
