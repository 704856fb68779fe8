import type { EntityManager } from '@mikro-orm/postgresql';
import { DateTime } from 'luxon';
import { startAssessmentInput, submitAssessmentInput } from '../shared/schemas/assessments.ts';
import { addLineInput, createDraftInput, createServiceInput, createTaxRateInput } from '../shared/schemas/billing.ts';
import { createPatientInput } from '../shared/schemas/patients.ts';
import { createRecordInput } from '../shared/schemas/records.ts';
import { bookAppointmentInput, createAppointmentTypeInput, setWeeklyHoursInput, type WeeklyHours } from '../shared/schemas/scheduling.ts';
import { localActor } from './auth/session.ts';
import { createContextInner, type AuthedCtx, type ServiceDeps } from './context.ts';
import { demoNote, demoPatients } from './demo-patients.ts';
import { newId } from './ids.ts';
import { pgArray } from './pg-array.ts';
import { startAssessment, submitAssessment } from './modules/assessments/assessments.service.ts';
import { recordAudit } from './modules/audit/audit.service.ts';
import { addLine, createDraft, issueInvoice } from './modules/billing/invoices.service.ts';
import { createService } from './modules/billing/price-list.service.ts';
import { createTaxRate } from './modules/billing/tax-rates.service.ts';
import { sealNote, sealPassage } from './modules/notes/note-crypto.ts';
import { Note } from './modules/notes/note.entity.ts';
import { createPatient } from './modules/patients/patients.service.ts';
import { bootstrapPractice, createActiveUser } from './modules/practices/bootstrap.service.ts';
import { Practice } from './modules/practices/practice.entity.ts';
import { gad7, phq9 } from './modules/questionnaires/builtins.ts';
import { createRecord } from './modules/records/records.service.ts';
import { createAppointmentType } from './modules/scheduling/appointment-types.service.ts';
import { bookAppointment, cancelAppointment, setAppointmentStatus } from './modules/scheduling/appointments.service.ts';
import { setWeeklyHours } from './modules/scheduling/availability.service.ts';
import { Step } from './modules/steps/step.entity.ts';
import { tickStep } from './modules/steps/steps.service.ts';

export const DEMO_PASSWORD = 'pams-demo-password';
export const demoLogins = [
  { email: 'admin@demo.pams.test', role: 'admin', name: 'Ada Admin' },
  { email: 'clinician@demo.pams.test', role: 'clinician', name: 'Dr Carys Jones' },
  { email: 'clinician2@demo.pams.test', role: 'clinician', name: 'Dr Tomás Ruiz' },
] as const;
const TIME_ZONE = 'Europe/Dublin';

/** What the quick start suggests trying first, printed under the logins (`url`: the server's). */
export function demoTour(url: string): string[] {
  const [, clinician] = demoLogins;
  return [
    `The demo practice has 12 patients of ${clinician.name}, with records, PHQ-9/GAD-7 trends, appointments and a care plan. Try, as her:`,
    `  npx pams login --url ${url} --email ${clinician.email}`,
    '  npx pams patients search                  the dozen patients (`pams patients show ID` opens one; Aoife Byrne has the fullest chart)',
    '  npx pams api alerts.list                  the PHQ-9 of Liam Murphy that flagged thoughts of self-harm',
    `  npx pams api patients.chart '{"id":"ID"}'  a chart; assessments.trend, appointments.list and steps.list {"patientId":"ID"} the rest`,
    `  ${url}/docs is the API reference; the README's quick start shows the same calls with curl.`,
  ];
}

/**
 * Demo data for the quick start, written only into an empty database, in one transaction: a start that
 * fails halfway leaves the database empty, and the next start seeds again. Returns false when it had data.
 * Everything a clinician could enter goes through the services, as a Ctx of the demo user who would have
 * entered it (so the API's rules, audit rows and encryption apply); only what a service cannot express
 * (dates in the past, a note's extracted steps without an LLM) is written here.
 */
export async function seedDemo(deps: ServiceDeps): Promise<boolean> {
  const started = performance.now();
  const seeded = await deps.orm.em.fork().transactional(async (tx) => {
    if (await tx.count(Practice, {})) return false;
    const [admin, ...clinicians] = demoLogins;
    const { practice, admin: adminUser } = await bootstrapPractice(tx, { practiceName: 'Demo Practice', timeZone: TIME_ZONE, email: admin.email, name: admin.name, password: DEMO_PASSWORD });
    const [jones, ruiz] = await Promise.all(clinicians.map((c) => createActiveUser(tx, practice, { ...c, password: DEMO_PASSWORD })));
    await tx.flush();
    tx.setFilterParams('practice', { practiceId: practice.id });
    // A Ctx per service call, as a request's procedure call gets: its own unit of work, here inside the one transaction.
    const as = async (userId: string) => {
      const actor = await localActor(tx, userId);
      return (): AuthedCtx => ({ ...createContextInner(deps, { actor, meta: { requestId: 'demo-seed', ip: null, userAgent: null } }), actor, em: tx.fork({ keepTransactionContext: true }) });
    };
    const [asAdmin, asJones] = [await as(adminUser.id), await as(jones!.id)];
    const today = DateTime.fromJSDate(deps.clock.now(), { zone: TIME_ZONE }).startOf('day');
    const services = await seedPriceList(asAdmin);
    const types = await seedSchedule(asAdmin, services, jones!.id, ruiz!.id);

    const patients = demoPatients(today);
    const ids: string[] = [];
    const backdated: { id: string; at: string }[] = [];
    for (const demo of patients) {
      const { id } = await createPatient(asJones(), createPatientInput.parse(demo.patient));
      ids.push(id);
      for (const r of demo.records) await createRecord(asJones(), r.kind, createRecordInput(r.kind).parse({ patientId: id, fields: r.fields }));
      for (const a of demo.assessments) {
        const assessment = await startAssessment(asJones(), startAssessmentInput.parse({ patientId: id, questionnaireKey: a.key }));
        await submitAssessment(asJones(), submitAssessmentInput.parse({ id: assessment.id, answers: answersScoring(a.key, a.total, a.item9 ?? 0) }));
        backdated.push({ id: assessment.id, at: today.minus({ days: a.daysAgo }).set({ hour: 9, minute: 40 }).toUTC().toISO()! });
      }
    }
    // Submitted now by the services, dated as if over the past weeks (the trend), with their alerts.
    await tx.execute(
      `with v as (select unnest(?::uuid[]) as id, unnest(?::timestamptz[]) as at),
            a as (update assessment a set created_at = v.at - interval '10 minutes', submitted_at = v.at, updated_at = v.at from v where a.id = v.id returning a.id)
       update alert al set created_at = v.at from v where al.assessment_id = v.id`,
      [pgArray(backdated.map((b) => b.id)), pgArray(backdated.map((b) => b.at))],
    );
    await seedAppointments(asJones, today, types, { jones: jones!.id, ruiz: ruiz!.id }, ids);
    await seedNote(asJones, today, ids[0]!);
    await seedInvoice(asAdmin, services, ids[0]!);
    return true;
  });
  if (seeded) deps.log.info({ ms: Math.round(performance.now() - started) }, 'demo data seeded');
  return seeded;
}

/**
 * The price list: consultations exempt from VAT (as medical care is in Ireland), a medical report at 23%
 * (in euro cents). Each appointment type names its consultation, so completed visits are charged.
 */
async function seedPriceList(ctx: () => AuthedCtx): Promise<Map<string, string>> {
  const vat = await createTaxRate(ctx(), createTaxRateInput.parse({ name: 'VAT 23%', ratePpm: 230_000 }));
  const services = new Map<string, string>();
  for (const [code, name, price, taxRateId] of [
    ['IA', 'Initial assessment', 12_000, null],
    ['FU', 'Follow-up consultation', 6_000, null],
    ['MR', 'Medication review', 4_500, null],
    ['REP', 'Medical report', 5_000, vat.id],
  ] as const) {
    services.set(name, (await createService(ctx(), createServiceInput.parse({ code, name, price, taxRateId }))).id);
  }
  return services;
}

/** An issued invoice for the care-loop patient: their charged visit and a medical report. */
async function seedInvoice(ctx: () => AuthedCtx, services: Map<string, string>, patientId: string) {
  const draft = await createDraft(ctx(), createDraftInput.parse({ patientId }));
  await addLine(ctx(), addLineInput.parse({ invoiceId: draft.id, line: { kind: 'service', serviceId: services.get('Medical report') } }));
  await issueInvoice(ctx(), { id: draft.id });
}

/** Both clinicians' weekly hours, and the practice's appointment types (their ids by name), each charged as its service. */
async function seedSchedule(ctx: () => AuthedCtx, services: Map<string, string>, jones: string, ruiz: string): Promise<Map<string, string>> {
  const week = (days: number[], start: string, end: string): WeeklyHours[] => days.map((weekday) => ({ weekday, start, end }));
  await setWeeklyHours(ctx(), setWeeklyHoursInput.parse({ clinicianId: jones, hours: week([1, 2, 3, 4, 5], '09:00', '17:00') }));
  await setWeeklyHours(ctx(), setWeeklyHoursInput.parse({ clinicianId: ruiz, hours: week([1, 2, 3, 4], '10:00', '16:00') }));
  const types = new Map<string, string>();
  // Patients book follow-ups themselves from the portal; the others are booked by the practice.
  for (const [name, durationMinutes, bookableByPatients, service] of [
    ['Initial assessment', 60, false, 'Initial assessment'],
    ['Follow-up', 30, true, 'Follow-up consultation'],
    ['Medication review', 20, false, 'Medication review'],
  ] as const) {
    types.set(name, (await createAppointmentType(ctx(), createAppointmentTypeInput.parse({ name, durationMinutes, bookableByPatients, serviceId: services.get(service) }))).id);
  }
  return types;
}

/** The `total` of a PHQ-9 or GAD-7 spread over its items (up to 3 each), PHQ-9's item 9 set apart. */
function answersScoring(key: 'phq-9' | 'gad-7', total: number, item9: number): Record<string, string> {
  const def = key === 'phq-9' ? phq9 : gad7;
  const items = def.scoring.totalItems!.filter((id) => id !== 'phq9.9');
  const scores = new Map(items.map((id) => [id, 0]));
  for (let left = total - item9, i = 0; left > 0; i++, left--) {
    const id = items[i % items.length]!;
    scores.set(id, scores.get(id)! + 1);
  }
  if (key === 'phq-9') scores.set('phq9.9', item9);
  const options = def.items[0]!.options!;
  return Object.fromEntries([...scores].map(([id, score]) => [id, String(options[score]!.value)]));
}

/**
 * A visit behind each patient (completed, one a no-show, one cancelled) and ahead for most: each on a
 * weekday of its own clinician's hours, one patient at a time per clinician, so none overlap.
 */
async function seedAppointments(ctx: () => AuthedCtx, today: DateTime, types: Map<string, string>, clinician: { jones: string; ruiz: string }, patientIds: string[]) {
  const weekdays = (from: number, step: 1 | -1, count: number, last = 5) => {
    const days: DateTime[] = [];
    for (let d = today.plus({ days: from }); days.length < count; d = d.plus({ days: step })) if (d.weekday <= last) days.push(d);
    return days;
  };
  const book = (clinicianId: string, patientId: string, type: string, day: DateTime, time: string) =>
    bookAppointment(
      ctx(),
      bookAppointmentInput.parse({
        clinicianId,
        patientId,
        typeId: types.get(type),
        startsAt: day
          .set({ hour: Number(time.slice(0, 2)), minute: Number(time.slice(3)) })
          .toUTC()
          .toISO(),
      }),
    );

  const past = weekdays(-1, -1, patientIds.length);
  const ahead = weekdays(1, 1, patientIds.length);
  const aheadRuiz = weekdays(1, 1, 3, 4);
  for (const [i, patientId] of patientIds.entries()) {
    const visit = await book(clinician.jones, patientId, 'Follow-up', past[i]!, '10:00');
    if (i === 3) await setAppointmentStatus(ctx(), { id: visit.id }, 'no-show');
    else if (i === 6) await cancelAppointment(ctx(), { id: visit.id, reason: 'The patient asked to move it' });
    else await setAppointmentStatus(ctx(), { id: visit.id }, 'completed');
    if (i < 10) await book(clinician.jones, patientId, i % 3 ? 'Follow-up' : 'Medication review', ahead[Math.floor(i / 2)]!, i % 2 ? '11:00' : '09:30');
  }
  // Dr Ruiz sees three of them too (and so joins their care team): the flagged patient first.
  for (const [n, i] of [1, 4, 8].entries()) await book(clinician.ruiz, patientIds[i]!, 'Initial assessment', aheadRuiz[n]!, '14:00');
}

/**
 * The care-loop patient's note, sealed like any note, with the checklist and plan an extraction would
 * have made from it (so the loop works without an LLM): one checklist item already ticked.
 */
async function seedNote(call: () => AuthedCtx, today: DateTime, patientId: string) {
  const ctx = call();
  const em: EntityManager = ctx.em;
  const id = newId();
  const { dataKey, ...sealed } = sealNote(ctx.config.encryptionKeys, id, demoNote.body);
  const day = today.minus({ days: demoNote.daysAgo });
  const createdAt = day.set({ hour: 10, minute: 30 }).toJSDate();
  const steps = [...demoNote.checklist.map((s) => ({ ...s, kind: 'checklist' as const })), ...demoNote.plan.map((s) => ({ ...s, kind: 'plan' as const, done: false }))];
  const note = em.create(Note, {
    id,
    practice: ctx.actor.practiceId,
    patient: patientId,
    authorId: ctx.actor.userId,
    ...sealed,
    extractionState: 'done',
    stepsCreated: steps.length,
    createdAt,
    updatedAt: createdAt,
  });
  recordAudit(ctx, { action: 'note.created', entityType: 'note', entityId: id, detail: { patientId, cancelledSteps: 0 } });
  const created = steps.map((s) => {
    const stepId = newId();
    const schedule = s.kind === 'plan' && { cadence: s.cadence, startDate: day.toISODate()!, endDate: null, count: null, timeOfDay: s.timeOfDay };
    em.create(Step, {
      id: stepId,
      practice: ctx.actor.practiceId,
      patient: patientId,
      note,
      kind: s.kind,
      state: 'active',
      title: s.title,
      provenanceCiphertext: sealPassage(dataKey, stepId, s.passage),
      ...schedule,
      createdAt,
      updatedAt: createdAt,
    });
    return { id: stepId, done: s.done };
  });
  await em.flush();
  for (const s of created) if (s.done) await tickStep(call(), { id: s.id });
}
