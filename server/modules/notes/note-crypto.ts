import type { Config } from '../../config.ts';
import { decryptText, encryptText, newDataKey, unwrapDataKey } from '../../envelope.ts';

type Keys = Config['encryptionKeys'];
type SealedNote = { id: string; kekId: string; wrappedKey: string; bodyCiphertext: string };

/** A new note's encrypted columns: its own data key (wrapped by the newest KEK) and its body under that key. */
export function sealNote(keys: Keys, id: string, body: string) {
  const { dataKey, envelope } = newDataKey(keys, id);
  return { dataKey, kekId: envelope.kekId, wrappedKey: envelope.wrappedKey, bodyCiphertext: encryptText(dataKey, body, id) };
}

export const noteDataKey = (keys: Keys, note: Pick<SealedNote, 'id' | 'kekId' | 'wrappedKey'>) => unwrapDataKey(keys, note, note.id);

export const openNoteBody = (keys: Keys, note: SealedNote) => decryptText(noteDataKey(keys, note), note.bodyCiphertext, note.id);

/** A step's provenance passage is note text, so it is sealed under the note's data key, bound to the step. */
export const sealPassage = (dataKey: Buffer, stepId: string, passage: string) => encryptText(dataKey, passage, stepId);
export const openPassage = (dataKey: Buffer, stepId: string, sealed: string) => decryptText(dataKey, sealed, stepId);
