/**
 * The CLI's questions on a terminal: approve a risky step, undo a run, say
 * whether an interrupted call happened. Anything but an explicit answer is
 * "no": Ctrl-C and Ctrl-D (EOF) at a prompt reject cleanly, never throw.
 */
import { createInterface } from "node:readline";
import { stringify } from "yaml";
import { operator } from "./approve.js";
import type { AskOutcome, OutcomeAnswer } from "./outcome.js";
import type { RollbackPreview } from "./rollback-run.js";
import type { Confirm } from "./types.js";

type In = NodeJS.ReadableStream & { isTTY?: boolean };

/** Around every prompt: the caller pauses what else draws on or reads the terminal (live table, Ctrl-C watcher). */
export interface PromptHooks {
  before?: () => void;
  after?: () => void;
}

/** One line of input; undefined on Ctrl-C or EOF. */
export function question(
  text: string,
  input: In = process.stdin,
  output: NodeJS.WritableStream = process.stderr,
  hooks: PromptHooks = {},
): Promise<string | undefined> {
  hooks.before?.();
  const rl = createInterface({ input, output, terminal: input.isTTY === true });
  return new Promise<string | undefined>((resolve) => {
    let done = false;
    const finish = (answer: string | undefined, note?: string) => {
      if (done) return;
      done = true;
      if (note) output.write(note);
      rl.close();
      hooks.after?.();
      resolve(answer);
    };
    rl.on("SIGINT", () => finish(undefined, "^C\n"));
    rl.on("close", () => finish(undefined, "\n"));
    rl.question(text, (answer) => finish(answer));
  });
}

const yaml = (value: unknown) => `${stringify(value, { lineWidth: 0 }).trimEnd().replace(/^/gm, "    ")}\n`;

export function ttyConfirm(
  input: In = process.stdin,
  output: NodeJS.WritableStream = process.stderr,
  hooks: PromptHooks = {},
): Confirm {
  return async ({ step, digest, planName, atStep }) => {
    const body = stringify(
      {
        tool: step.tool,
        effect: step.effect,
        args: step.args,
        expectedOutcome: step.expectedOutcome,
        rollback: step.rollback ?? "none declared",
      },
      { lineWidth: 0 },
    );
    const text = [
      `\n${atStep ? "About to run risky step" : "Risky step"} \`${step.id}\` of plan ${planName} (${digest.slice(0, 19)}…)${step.description ? `: ${step.description}` : ""}${atStep ? " — arguments resolved:" : ""}\n`,
      body.replace(/^/gm, "  "),
      `Run step \`${step.id}\`? [y/N] `,
    ].join("");
    const answer = await question(text, input, output, hooks);
    return { approved: /^y(es)?$/i.test(answer?.trim() ?? ""), by: operator() };
  };
}

/** Shows what a rollback will undo and asks; only an explicit yes undoes. */
export function ttyConfirmRollback(input: In = process.stdin, output: NodeJS.WritableStream = process.stderr) {
  return async (preview: RollbackPreview): Promise<boolean> => {
    output.write(`${formatPreview(preview)}\n`);
    const answer = await question(`Undo run ${preview.runId}? [y/N] `, input, output);
    return /^y(es)?$/i.test(answer?.trim() ?? "");
  };
}

export function formatPreview(preview: RollbackPreview): string {
  const lines = [`rollback of run ${preview.runId} (${preview.planName}), in this order:`];
  for (const item of preview.items) {
    switch (item.action) {
      case "undo":
        lines.push(`  ↺ ${item.step}: ${item.tool}`, yaml(item.args).trimEnd());
        break;
      case "nothing":
        lines.push(`  - ${item.step}: ${item.reason}`);
        break;
      case "settle":
        lines.push(`  ? ${item.step} (${item.tool}) ${item.reason}`);
        break;
      case "cannot":
        lines.push(`  ✗ ${item.step}: cannot undo: ${item.reason}`);
        break;
    }
  }
  if (preview.empty) lines.push("  nothing left to undo");
  return lines.join("\n");
}

/** Asks whether an interrupted call took effect; Enter, Ctrl-C or EOF leaves it unknown. */
export function ttyAskOutcome(
  input: In = process.stdin,
  output: NodeJS.WritableStream = process.stderr,
  hooks: PromptHooks = {},
): AskOutcome {
  return async (call) => {
    const what = call.of === "step" ? `Step \`${call.step}\`` : `The undo of \`${call.step}\``;
    const text = [
      `\n${what} (${call.tool}) was running when a process died${call.verify && !call.verify.ran ? `; ${call.verify.reason}` : ""}, so nothing can tell whether it took effect:\n`,
      yaml(call.args),
      call.of === "step"
        ? "  [n] it did not happen   [h] it happened: undo it   [u] it happened and I undid it by hand\n"
        : "  [n] it did not happen: run it again   [h] it happened: the undo is done\n",
      "Answer (Enter leaves it undecided): ",
    ].join("");
    const answer = (await question(text, input, output, hooks))?.trim().toLowerCase();
    const map: Record<string, OutcomeAnswer> = { n: "not-happened", h: "happened", u: "undone" };
    return answer ? map[answer[0]!] : undefined;
  };
}
