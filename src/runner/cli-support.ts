/**
 * What the runner's commands share: reporters (progress on stderr, `--json`
 * events on stdout), Ctrl-C, hints spelled the way the user ran us, and
 * turning runner errors into usage errors.
 */
import { EXIT, usage } from "../cli/main.js";
import type { RunEvent } from "./events.js";
import { watchInterrupts, type Interrupts } from "./interrupts.js";
import { type OutcomeAnswer, parseAnswers } from "./outcome.js";
import { jsonReporter, liveReporter, plainReporter } from "./report.js";
import { RunnerError } from "./runner-error.js";

export interface Reporter {
  onEvent: (e: RunEvent) => void;
  /** Human text (summaries, notes) on stderr, above the live table if there is one. */
  say: (text: string) => void;
  stop: () => void;
  /** Around a prompt: the live table steps aside. */
  pause: () => void;
  resume: () => void;
  /** The run id, once the run has started. */
  runId: () => string | undefined;
  /** Steps (or undos) running right now. */
  running: () => string[];
}

export function reporter(options: { json?: boolean; steps: readonly { id: string; tool: string }[] }): Reporter {
  // A closed pipe (`| head`) must not kill a run that is changing the world; the journal keeps the record.
  process.stdout.on("error", () => {});
  process.stderr.on("error", () => {});
  const err = (t: string) => void process.stderr.write(t);
  let runId: string | undefined;
  const running = new Set<string>();
  const track = (listener: (e: RunEvent) => void) => (e: RunEvent) => {
    if (e.type === "run-started") runId = e.runId;
    if (e.type === "step-started" || e.type === "compensation-started") running.add(e.step);
    if (/^(step|compensation)-(completed|failed)$/.test(e.type) && "step" in e) running.delete(e.step);
    listener(e);
  };
  const quiet = {
    stop: () => {},
    pause: () => {},
    resume: () => {},
    runId: () => runId,
    running: () => [...running],
  };
  if (options.json)
    return {
      ...quiet,
      onEvent: track(jsonReporter((t) => void process.stdout.write(t))),
      say: (t) => err(`${t}\n`),
    };
  if (process.stderr.isTTY && options.steps.length > 0) {
    const live = liveReporter(err, options.steps, () => process.stderr.columns ?? 80);
    return {
      ...quiet,
      onEvent: track(live.listener),
      say: live.note,
      stop: live.stop,
      pause: live.pause,
      resume: live.resume,
    };
  }
  return { ...quiet, onEvent: track(plainReporter(err)), say: (t) => err(`${t}\n`) };
}

/**
 * Ctrl-C for a command: the first press is noted above the live table (the
 * caller's signal stops the work cleanly); the second ends the tools' running
 * processes (`exec` process groups get SIGTERM through the registry's close),
 * prints how to pick up and leaves with exit 130. The journal already holds
 * every transition, so what was running is settled like after a crash.
 */
export function interrupts(
  out: Reporter,
  first: string,
  leave: (runId: string | undefined, running: string[]) => string,
  registry: { close(): Promise<void> },
): Interrupts {
  return watchInterrupts({
    first: () => out.say(`interrupted: ${first} (Ctrl-C again to leave now)`),
    second: () => {
      out.stop();
      registry.close().catch(() => {});
      process.stderr.write(`\n${leave(out.runId(), out.running())}\n`);
      process.exit(EXIT.interrupted);
    },
  });
}

/** Around a prompt: the live table and the Ctrl-C watcher step aside, so the prompt owns the terminal. */
export function aroundPrompt(out: Reporter, ctrlC: Pick<Interrupts, "pause" | "resume">) {
  return {
    before: () => {
      out.pause();
      ctrlC.pause();
    },
    after: () => {
      ctrlC.resume();
      out.resume();
    },
  };
}

export async function asUsage<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof RunnerError) throw usage(error.message);
    throw error;
  }
}

/** `--resolve step=answer,…` as the runner takes it; a malformed one is a usage error. */
export function resolveAnswers(given: readonly string[] | undefined): Record<string, OutcomeAnswer> {
  try {
    return parseAnswers(given ?? []);
  } catch (error) {
    throw usage((error as Error).message);
  }
}

export const list = (value: string | undefined): string[] | undefined =>
  value
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
