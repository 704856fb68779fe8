import type { Patient, Practitioner, Reference, Resource } from '@medplum/fhirtypes';
import type { FhirResourceType } from '../../../shared/schemas/fhir.ts';
import { contentPath } from '../files/file-names.ts';

/**
 * Where the resources of one FHIR type come from: one SQL query over one table, and a mapper from its
 * row to the resource. Plain SQL, not entities: exports read many rows, and hydration is slow.
 * A type may have several sources (Observation: lab and vital records, and assessment totals).
 *
 * The query is assembled as `select {columns} from {from} and {scope}`: `from` ends in a `where` whose
 * one `?` is the practice id, and the scope is either `ofPatient` (one `?`, the patient id) or the
 * keyset of a bulk export over `id` and `changedAt`.
 */
// biome-ignore lint/suspicious/noExplicitAny: one list holds sources of different row types, and toResource's parameter makes `unknown` unassignable
export type FhirSource<Row = any> = {
  resourceType: FhirResourceType;
  columns: string;
  from: string;
  ofPatient: string;
  changedAt: string;
  toResource: (row: Row, to: ExportContext) => Exported;
};

/** What a resource may need beyond its row: the API's URL, for links to what the export does not carry (a document's bytes). */
export type ExportContext = { appUrl: string };

/**
 * A resource as PAMS exports it: always with an id (its row's), which references and bulk exports need.
 * Mapped rather than `R & { id: string }`: TypeScript takes an object type, not an interface (Medplum's
 * are), as a record of its fields, which is what the export's output schema (a loose object) asks for.
 */
export type Exported<R extends Resource = Resource> = { [K in keyof R]: R[K] } & { id: string };

export const patientRef = (id: string): Reference<Patient> => ({ reference: `Patient/${id}` });

/** A clinician as the Practitioner the export holds (its id is the user's), with the name the directory shows. */
export const practitionerRef = (userId: string, name: string | null): Reference<Practitioner> => compact({ reference: `Practitioner/${userId}`, display: name ?? undefined });

/** An instant as FHIR writes it; raw queries return timestamps as strings. */
export const instant = (value: string | Date): string => new Date(value).toISOString();

/** Optional fields left out rather than sent as undefined or empty arrays (FHIR forbids empty arrays). */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0))) as T;
}

/** Free-text notes as FHIR Annotations. */
export const notes = (...texts: (string | undefined | null)[]) => texts.filter((t): t is string => !!t).map((text) => ({ text }));

/** Our coded values ({ system, code, display? }) as a CodeableConcept with the name as text. */
export function concept(text: string, coding?: { system: string; code: string; display?: string }) {
  return compact({ coding: coding ? [compact({ system: coding.system, code: coding.code, display: coding.display })] : undefined, text });
}

/** A profile photo as an attachment: its type and where the same credentials download it. */
export const photoAttachment = (appUrl: string, fileId: string | null, contentType: string | null) => (fileId && contentType ? [{ contentType, url: `${appUrl}${contentPath(fileId)}` }] : undefined);
