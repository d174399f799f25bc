/**
 * When a process started, in clock ticks since boot (`/proc/<pid>/stat`
 * field 22), to tell a live owner from a later process that reused its pid.
 * Undefined where /proc is missing or the process is gone.
 */
import { readFileSync } from "node:fs";

/** Whether a process with this pid exists (another user's counts: it is alive, only not ours to signal). */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function processStart(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: count fields after its last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[19]);
    return Number.isFinite(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}
