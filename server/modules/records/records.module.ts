import { defineModule } from '../../module-manifest.ts';
import { ClinicalRecord } from './clinical-record.entity.ts';
import { RecordRevision } from './record-revision.entity.ts';
import { allergiesRouter, conditionsRouter, historyEntriesRouter, medicationsRouter, observationsRouter } from './records.router.ts';

export const recordsModule = defineModule({
  routers: { allergies: allergiesRouter, medications: medicationsRouter, conditions: conditionsRouter, observations: observationsRouter, historyEntries: historyEntriesRouter },
  entities: [ClinicalRecord, RecordRevision],
});
