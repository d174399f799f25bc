/**
 * Kill points for the crash tests, set by environment: SIGKILL this process
 * right after the Nth tool call of a step or compensation returns, before the
 * runner journals its result (the effect happened; the journal does not know).
 * The journal's own hook (`PLANFILE_TEST_KILL_AT_LINE`) kills after a line.
 */
const KILL_AFTER_CALL = Number(process.env.PLANFILE_TEST_KILL_AFTER_CALL ?? 0);
let returned = 0;

export function callReturned(): void {
  if (KILL_AFTER_CALL > 0 && ++returned === KILL_AFTER_CALL) process.kill(process.pid, "SIGKILL");
}
