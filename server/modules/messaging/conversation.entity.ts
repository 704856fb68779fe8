import { defineEntity, p } from '@mikro-orm/core';
import { conversationKinds } from '../../../shared/schemas/conversations.ts';
import { practiceFilter } from '../../tenant-filter.ts';
import { Patient } from '../patients/patient.entity.ts';
import { Practice } from '../practices/practice.entity.ts';

/**
 * A conversation about one patient: with the patient and their guardians (`care-team`), or among staff
 * (`staff`). It holds no participant list: who may read and who is told is worked out from the patient's
 * access rules at each read and send (conversation-access.ts), so a clinician who joins the care team sees
 * its history and one who leaves sees no more. It has no title: a subject would be PHI in every list, and
 * the first message says what it is about, sealed.
 */
export const ConversationSchema = defineEntity({
  name: 'Conversation',
  properties: {
    id: p.uuid().primary(),
    practice: () => p.manyToOne(Practice),
    patient: () => p.manyToOne(Patient),
    kind: p.enum(conversationKinds),
    createdBy: p.uuid(),
    createdAt: p.datetime(),
    /** When it began or last had a message: the lists' sort key. */
    lastActivityAt: p.datetime(),
  },
  indexes: [{ properties: ['patient', 'lastActivityAt', 'id'] }, { properties: ['lastActivityAt', 'id'] }],
  filters: practiceFilter(),
});
export class Conversation extends ConversationSchema.class {}
ConversationSchema.setClass(Conversation);
