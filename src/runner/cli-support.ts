/** What the three runner commands share: reporters, Ctrl-C, and turning runner errors into usage errors. */
import { usage } from "../cli/main.js";
import type { RunEvent } from "./events.js";
import { jsonReporter, liveReporter, plainReporter } from "./report.js";
import { RunnerError } from "./runner-error.js";

export interface Reporter {
  onEvent: (e: RunEvent) => void;
  /** Human text (summaries); suppressed in --json mode, where the run-finished event says it all. */
  say: (text: string) => void;
  stop: () => void;
}

export function reporter(options: { json?: boolean; steps: readonly { id: string; tool: string }[] }): Reporter {
  // A closed pipe (`| head`) must not kill a run that is changing the world; the journal keeps the record.
  process.stdout.on("error", () => {});
  const out = (t: string) => process.stdout.write(t);
  if (options.json) return { onEvent: jsonReporter(out), say: () => {}, stop: () => {} };
  if (process.stdout.isTTY && options.steps.length > 0) {
    const live = liveReporter(out, options.steps);
    return { onEvent: live.listener, say: (t) => out(`${t}\n`), stop: live.stop };
  }
  return { onEvent: plainReporter(out), say: (t) => out(`${t}\n`), stop: () => {} };
}

/** First Ctrl-C: stop launching steps and roll back. Second: leave now (the journal lets `--resume` pick up). */
export function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  process.on("SIGINT", () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(
      "\ninterrupted: letting running steps finish, then rolling back (Ctrl-C again to leave now)\n",
    );
    controller.abort();
  });
  return controller.signal;
}

export async function asUsage<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof RunnerError) throw usage(error.message);
    throw error;
  }
}

export const list = (value: string | undefined): string[] | undefined =>
  value
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
