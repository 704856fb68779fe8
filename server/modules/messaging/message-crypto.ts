import type { Config } from '../../config.ts';
import { decryptText, encryptText, newDataKey, unwrapDataKey } from '../../envelope.ts';

type Keys = Config['encryptionKeys'];
type SealedMessage = { id: string; kekId: string; wrappedKey: string; bodyCiphertext: string };

/** A new message's encrypted columns: its own data key (wrapped by the newest KEK) and its body under that key, both bound to its id. */
export function sealMessage(keys: Keys, id: string, body: string) {
  const { dataKey, envelope } = newDataKey(keys, id);
  return { kekId: envelope.kekId, wrappedKey: envelope.wrappedKey, bodyCiphertext: encryptText(dataKey, body, id) };
}

export const openMessageBody = (keys: Keys, m: SealedMessage) => decryptText(unwrapDataKey(keys, m, m.id), m.bodyCiphertext, m.id);
