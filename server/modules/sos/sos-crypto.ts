import type { SosLocation } from '../../../shared/schemas/sos.ts';
import type { Config } from '../../config.ts';
import { decryptText, encryptText, newDataKey, unwrapDataKey } from '../../envelope.ts';

type Keys = Config['encryptionKeys'];

/** What the patient told: sealed as one value, so the table holds no clinical text, place or phone in the clear. */
export type SosDetail = { text: string; location: SosLocation | null; callbackPhone: string };

type Sealed = { id: string; kekId: string; wrappedKey: string };

/** A new request's encrypted columns: its own data key (wrapped by the newest KEK) and its detail under that key. */
export function sealSosDetail(keys: Keys, id: string, detail: SosDetail) {
  const { dataKey, envelope } = newDataKey(keys, id);
  return { kekId: envelope.kekId, wrappedKey: envelope.wrappedKey, detailCiphertext: encryptText(dataKey, JSON.stringify(detail), id) };
}

const dataKey = (keys: Keys, sos: Sealed) => unwrapDataKey(keys, sos, sos.id);

export const openSosDetail = (keys: Keys, sos: Sealed & { detailCiphertext: string }): SosDetail => JSON.parse(decryptText(dataKey(keys, sos), sos.detailCiphertext, sos.id));

/** The resolving note, under the request's data key; bound to the request by a distinct AAD. */
export const sealOutcomeNote = (keys: Keys, sos: Sealed, note: string) => encryptText(dataKey(keys, sos), note, `${sos.id}:outcome`);
export const openOutcomeNote = (keys: Keys, sos: Sealed, sealed: string) => decryptText(dataKey(keys, sos), sealed, `${sos.id}:outcome`);
