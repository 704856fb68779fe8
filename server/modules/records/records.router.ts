import { createRecordInput, listRecordsInput, recordIdInput, setRecordStatusInput, updateRecordInput, type RecordKindName } from '../../../shared/schemas/records.ts';
import { clinicianProcedure, router } from '../../trpc.ts';
import { createRecord, listRecords, recordHistory, setRecordStatus, updateRecord } from './records.service.ts';

type Validated = { fields: Record<string, unknown> };

/**
 * Every kind of clinical record gets the same five procedures. Clients see each kind's own input and
 * output types; the service, shared by all kinds, takes the already validated fields as plain data.
 */
function recordRouter<K extends RecordKindName>(kind: K) {
  return router({
    list: clinicianProcedure
      .meta({ phi: true })
      .input(listRecordsInput)
      .query(({ ctx, input }) => listRecords(ctx, kind, input)),
    create: clinicianProcedure
      .meta({ phi: true })
      .input(createRecordInput(kind))
      .mutation(({ ctx, input }) => createRecord(ctx, kind, input as typeof input & Validated)),
    update: clinicianProcedure
      .meta({ phi: true })
      .input(updateRecordInput(kind))
      .mutation(({ ctx, input }) => updateRecord(ctx, kind, input as typeof input & Validated)),
    setStatus: clinicianProcedure
      .meta({ phi: true })
      .input(setRecordStatusInput(kind))
      .mutation(({ ctx, input }) => setRecordStatus(ctx, kind, input)),
    history: clinicianProcedure
      .meta({ phi: true })
      .input(recordIdInput)
      .query(({ ctx, input }) => recordHistory(ctx, kind, input)),
  });
}

export const allergiesRouter = recordRouter('allergy');
export const medicationsRouter = recordRouter('medication');
export const conditionsRouter = recordRouter('condition');
export const observationsRouter = recordRouter('observation');
export const historyEntriesRouter = recordRouter('history');
