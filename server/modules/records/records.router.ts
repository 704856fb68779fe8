import type { z } from 'zod';
import type { Page } from '../../../shared/schemas/common.ts';
import {
  createRecordInput,
  listRecordsInput,
  recordHistoryOutputs,
  recordIdInput,
  recordOutputs,
  recordPageOutputs,
  setRecordStatusInput,
  updateRecordInput,
  type RecordHistoryOutput,
  type RecordKindName,
  type RecordOutput,
} from '../../../shared/schemas/records.ts';
import { clinicianProcedure, router } from '../../trpc.ts';
import { createRecord, listRecords, recordHistory, setRecordStatus, updateRecord } from './records.service.ts';

type Validated = { fields: Record<string, unknown> };
/**
 * A kind's output schema, typed by what it answers. TypeScript cannot check a return against a schema
 * picked by a generic kind, so that check is the services' declared return types (`RecordOutput<K>`).
 */
const answering = <T>(schema: z.ZodType) => schema as z.ZodType<T, unknown>;

/**
 * Every kind of clinical record gets the same five procedures. Clients see each kind's own input and
 * output types; the service, shared by all kinds, takes the already validated fields as plain data.
 */
function recordRouter<K extends RecordKindName>(kind: K) {
  const record = answering<RecordOutput<K>>(recordOutputs[kind]);
  return router({
    list: clinicianProcedure
      .meta({ phi: true })
      .input(listRecordsInput)
      .output(answering<Page<RecordOutput<K>>>(recordPageOutputs[kind]))
      .query(({ ctx, input }) => listRecords(ctx, kind, input)),
    create: clinicianProcedure
      .meta({ phi: true })
      .input(createRecordInput(kind))
      .output(record)
      .mutation(({ ctx, input }) => createRecord(ctx, kind, input as typeof input & Validated)),
    update: clinicianProcedure
      .meta({ phi: true })
      .input(updateRecordInput(kind))
      .output(record)
      .mutation(({ ctx, input }) => updateRecord(ctx, kind, input as typeof input & Validated)),
    setStatus: clinicianProcedure
      .meta({ phi: true })
      .input(setRecordStatusInput(kind))
      .output(record)
      .mutation(({ ctx, input }) => setRecordStatus(ctx, kind, input)),
    history: clinicianProcedure
      .meta({ phi: true })
      .input(recordIdInput)
      .output(answering<RecordHistoryOutput<K>>(recordHistoryOutputs[kind]))
      .query(({ ctx, input }) => recordHistory(ctx, kind, input)),
  });
}

export const allergiesRouter = recordRouter('allergy');
export const medicationsRouter = recordRouter('medication');
export const conditionsRouter = recordRouter('condition');
export const observationsRouter = recordRouter('observation');
export const historyEntriesRouter = recordRouter('history');
