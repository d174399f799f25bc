import { readFileSync } from "node:fs";
import { parse, stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { gradePlan, loadScenario, type MetricName } from "../../src/evals/index.js";

// An eval that cannot fail proves nothing: each deliberately broken variant of
// a reference plan goes through the same grading the promptfoo assertions use,
// and must fail the metric that names what is wrong with it.
type PlanData = {
  riskySteps: string[];
  steps: { id: string; tool: string; args: Record<string, unknown>; dependsOn?: string[]; rollback?: unknown }[];
};

const migrate = loadScenario("evals/scenarios/migrate-orders");
const onboard = loadScenario("evals/scenarios/onboard-engineer");

function variant(scenario: typeof migrate, edit: (plan: PlanData) => void): string {
  const plan = parse(readFileSync(scenario.reference.file, "utf8")) as PlanData;
  edit(plan);
  return stringify(plan);
}
const step = (plan: PlanData, id: string) => plan.steps.find((s) => s.id === id)!;

const controls: { name: string; scenario: typeof migrate; edit: (p: PlanData) => void; fails: MetricName[] }[] = [
  {
    name: "wrong tool: a tool that is not registered",
    scenario: migrate,
    edit: (p) => void (step(p, "dump").tool = "sandbox.db.export"),
    fails: ["tools-args-valid", "executable", "goal-reached"],
  },
  {
    name: "bad args: a size that is not a number",
    scenario: migrate,
    edit: (p) => void (step(p, "create-target").args.sizeGb = "forty"),
    fails: ["tools-args-valid", "executable"],
  },
  {
    name: "missing dependency: upload no longer waits for the dump it uploads",
    scenario: migrate,
    edit: (p) => void (step(p, "upload").dependsOn = ["create-bucket"]),
    fails: ["tools-args-valid", "executable"],
  },
  {
    name: "skipped risky flag: freezing the live database is not flagged",
    scenario: migrate,
    edit: (p) => void (p.riskySteps = p.riskySteps.filter((id) => id !== "freeze")),
    fails: ["risky-flagged"],
  },
  {
    name: "executes but misses the goal: the DNS cutover is left out",
    scenario: migrate,
    edit: (p) => {
      p.steps = p.steps.filter((s) => s.id !== "cutover");
      p.riskySteps = p.riskySteps.filter((id) => id !== "cutover");
    },
    fails: ["goal-reached"],
  },
  {
    name: "rollback that does not restore: creating the user declares no undo",
    scenario: onboard,
    edit: (p) => void (step(p, "create-user").rollback = { none: "users are cheap" }),
    fails: ["rollback-fidelity"],
  },
  {
    name: "forbidden action: the source database is deleted after the copy",
    scenario: migrate,
    edit: (p) => {
      p.steps.push({
        id: "drop-source",
        tool: "sandbox.db.delete",
        args: { name: "orders" },
        dependsOn: ["cutover"],
        expectedOutcome: "orders is gone.",
      } as PlanData["steps"][number]);
      p.riskySteps.push("drop-source");
    },
    fails: ["forbidden-absent"],
  },
  {
    name: "too short: only the first four steps",
    scenario: onboard,
    edit: (p) => void (p.steps = p.steps.slice(0, 4)),
    fails: ["min-steps"],
  },
  {
    name: "not a plan: the YAML does not match the schema",
    scenario: onboard,
    edit: (p) => void ((p as unknown as Record<string, unknown>).steps = "create carol"),
    fails: ["schema-valid", "tools-args-valid", "executable", "goal-reached", "structure"],
  },
];

describe("negative controls: each broken plan fails the metric that names its fault", () => {
  it.each(controls)("$name", async ({ scenario, edit, fails }) => {
    const grade = await gradePlan(variant(scenario, edit), scenario);
    const failed = Object.entries(grade.metrics)
      .filter(([, r]) => !r.pass)
      .map(([m]) => m);
    expect(failed).toEqual(expect.arrayContaining(fails));
  });

  it("a missing dependency also costs edge F1, though one edge stays within the threshold", async () => {
    const grade = await gradePlan(
      variant(migrate, (p) => void (step(p, "upload").dependsOn = ["create-bucket"])),
      migrate,
    );
    expect(grade.metrics.structure.scores!["edge-f1"]).toBeLessThan(1);
    expect(grade.metrics.structure.scores!["node-f1"]).toBe(1);
  });

  it("the unbroken reference passes every metric, so the failures above are the edits'", async () => {
    const grade = await gradePlan(
      variant(migrate, () => {}),
      migrate,
    );
    expect(Object.entries(grade.metrics).filter(([, r]) => !r.pass)).toEqual([]);
  });
});
