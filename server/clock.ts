/**
 * The time as jobs and TOTP checks see it. Production reads the system clock; tests move a clock of
 * their own, so a reminder due in three days (or the next 30 s code) is tested by moving, not by waiting.
 */
export type Clock = { now: () => Date };

export const systemClock: Clock = { now: () => new Date() };

/** A clock that stands still until moved. */
export function manualClock(start: Date | string): Clock & { set: (to: Date | string) => void; advance: (ms: number) => void } {
  let current = new Date(start);
  return {
    now: () => new Date(current),
    set: (to) => void (current = new Date(to)),
    advance: (ms) => void (current = new Date(current.getTime() + ms)),
  };
}
