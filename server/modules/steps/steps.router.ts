import { idInput } from '../../../shared/schemas/common.ts';
import { cancelStepInput, listStepsInput, stepOutput, stepPageOutput, updateStepInput } from '../../../shared/schemas/steps.ts';
import { authedProcedure, clinicianProcedure, router } from '../../trpc.ts';
import { acceptStep, cancelStep, checkIn, listSteps, rejectStep, tickStep, updateStep } from './steps.service.ts';

export const stepsRouter = router({
  list: authedProcedure
    .meta({ phi: true })
    .input(listStepsInput)
    .output(stepPageOutput)
    .query(({ ctx, input }) => listSteps(ctx, input)),
  update: clinicianProcedure
    .meta({ phi: true })
    .input(updateStepInput)
    .output(stepOutput)
    .mutation(({ ctx, input }) => updateStep(ctx, input)),
  accept: clinicianProcedure
    .meta({ phi: true })
    .input(idInput)
    .output(stepOutput)
    .mutation(({ ctx, input }) => acceptStep(ctx, input)),
  reject: clinicianProcedure
    .meta({ phi: true })
    .input(idInput)
    .output(stepOutput)
    .mutation(({ ctx, input }) => rejectStep(ctx, input)),
  cancel: clinicianProcedure
    .meta({ phi: true })
    .input(cancelStepInput)
    .output(stepOutput)
    .mutation(({ ctx, input }) => cancelStep(ctx, input)),
  tick: authedProcedure
    .meta({ phi: true })
    .input(idInput)
    .output(stepOutput)
    .mutation(({ ctx, input }) => tickStep(ctx, input)),
  checkIn: authedProcedure
    .meta({ phi: true })
    .input(idInput)
    .output(stepOutput)
    .mutation(({ ctx, input }) => checkIn(ctx, input)),
});
