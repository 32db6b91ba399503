/**
 * Now, as the workflows see it when they compare with a calendar date (a future separation). In AWS
 * this is the system clock. The local host can move it forward (`POST /dev/clock/advance?days=N`
 * sets LOCAL_CLOCK_OFFSET_MS) so a future-dated separation can be seen to start without waiting.
 * Read on every call: the local host changes it while functions are loaded.
 */
export function now(): Date {
  const offset = Number(process.env.LOCAL_CLOCK_OFFSET_MS ?? 0);
  return new Date(Date.now() + (Number.isFinite(offset) ? offset : 0));
}
