/**
 * Plans run in a fresh sandbox world per run, under `.planfile/evals/state/`,
 * so an eval never touches the user's own sandbox and never writes outside
 * the project.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadRegistry } from "../registry/index.js";
import type { Registry } from "../registry/registry.js";
import { run } from "../runner/index.js";
import type { RunResult } from "../runner/index.js";
import type { Plan } from "../schema/types.generated.js";
import { readWorld, resetWorld, type CallEntry, type World } from "../../tools/sandbox/world/index.js";

export const EVALS_DIR = ".planfile/evals";

/** Where this process keeps eval state: `npm run eval --state-dir` hands it to promptfoo's workers through the environment. */
export function evalsDir(): string {
  return process.env.PLANFILE_EVAL_DIR ?? EVALS_DIR;
}
export const TOOLS_DIR = "tools";
/** The step appended to prove rollback: it depends on every other step, so it fails after all of them ran. */
export const FORCED_FAILURE_STEP = "eval_forced_failure";
const FAIL_TOOL = "eval.fail";

export interface Sandbox {
  stateDir: string;
  registry: Registry;
  dispose(): void;
}

const registries = new Map<string, Promise<Registry>>();

/**
 * A fresh world from `fixture` in its own state dir, and a registry bound to
 * it. The tools are loaded once per process and forked onto each world; the
 * worlds are throwaway, so their writes skip fsync (`scratch`).
 */
export async function freshSandbox(fixture: string, root: string = evalsDir()): Promise<Sandbox> {
  const base = resolve(root, "state");
  mkdirSync(base, { recursive: true });
  const stateDir = mkdtempSync(join(base, `${fixture}-`));
  resetWorld(stateDir, fixture);
  let tools = registries.get(base);
  if (!tools) registries.set(base, (tools = loadRegistry({ toolsDir: TOOLS_DIR, stateDir: base })));
  const registry = (await tools).withStateDir(stateDir, { scratch: true });
  const keep = process.env.PLANFILE_EVAL_KEEP === "1";
  return { stateDir, registry, dispose: () => keep || rmSync(stateDir, { recursive: true, force: true }) };
}

export interface Execution {
  result: RunResult;
  world: World;
  calls: CallEntry[];
}

/** Runs `plan` with every risky step approved, in a fresh world from `fixture`. */
export async function execute(
  plan: Plan,
  fixture: string,
  options: { forceFailure?: boolean; root?: string } = {},
): Promise<Execution> {
  const box = await freshSandbox(fixture, options.root);
  try {
    let toRun = plan;
    if (options.forceFailure) {
      box.registry.define({
        name: FAIL_TOOL,
        description: "Fails on purpose, so the eval can watch the runner roll back every step before it.",
        effect: "read",
        idempotent: false,
        input: { type: "object" },
        output: { type: "object" },
        handler: () => {
          throw new Error("failed on purpose by the rollback-fidelity eval");
        },
      });
      toRun = withForcedFailure(plan);
    }
    const result = await run(toRun, {
      registry: box.registry,
      runsDir: join(box.stateDir, "runs"),
      approve: "all",
      runId: "eval",
      retryDelayMs: 1,
    });
    const world = readWorld(box.stateDir);
    return { result, world, calls: world.calls };
  } finally {
    box.dispose();
  }
}

/** The plan plus one last step that fails; it depends on every step, so it runs after all of them. */
export function withForcedFailure(plan: Plan): Plan {
  const copy = structuredClone(plan);
  copy.steps.push({
    id: FORCED_FAILURE_STEP,
    tool: FAIL_TOOL,
    args: {},
    dependsOn: plan.steps.map((s) => s.id),
    expectedOutcome: "Fails on purpose.",
  });
  return copy;
}
