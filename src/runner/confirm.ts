/**
 * The CLI's `confirm`: shows a risky step on the terminal and asks. Anything
 * but an explicit yes is a rejection.
 */
import { createInterface } from "node:readline/promises";
import { stringify } from "yaml";
import { operator } from "./approve.js";
import type { Confirm } from "./types.js";

export function ttyConfirm(
  input: NodeJS.ReadableStream = process.stdin,
  output: NodeJS.WritableStream = process.stderr,
): Confirm {
  return async ({ step, digest, planName }) => {
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
    output.write(
      `\nRisky step \`${step.id}\` of plan ${planName} (${digest.slice(0, 19)}…)${step.description ? `: ${step.description}` : ""}\n`,
    );
    output.write(body.replace(/^/gm, "  "));
    const rl = createInterface({ input, output });
    try {
      const answer = await rl.question(`Run step \`${step.id}\`? [y/N] `);
      return { approved: /^y(es)?$/i.test(answer.trim()), by: operator() };
    } finally {
      rl.close();
    }
  };
}
