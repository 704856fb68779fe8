import { v7 } from 'uuid';

/** Ids are UUID v7: ordered for index locality, not guessable. */
export const newId = (): string => v7();
