// The operator's policy file: CEL rules over each call the runner may make. They only add risk, or refuse.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { finish } from "../../src/planner/judge.js";
import { loadPolicy, parsePolicy } from "../../src/policy/index.js";
import { ManifestError } from "../../src/errors.js";
import { planFrom, problemsOf, step, withPolicy } from "./helpers.js";

const policy = (rules: string, vars = "") => `apiVersion: planfile/v1\nkind: Policy\n${vars}rules:\n${rules}`;

const dnsWrites = policy(`  - name: dns-writes
    when: tool.startsWith('sandbox.dns.') && effect != 'read'
    reason: every DNS change is reviewed
`);

const productionDatabases = policy(
  `  - name: production-databases
    when: tool.startsWith('sandbox.db.') && effect != 'read' && role == 'step' && has(args.name) && args.name in vars.production
    reason: production databases change only with approval
`,
  "vars:\n  production: [orders, payments]\n",
);

describe("rules raise risk, naming the rule", () => {
  it("any change to a database named in a list: the snapshot of orders must now be approved", async () => {
    const plan = planFrom();
    const problems = problemsOf(plan, await withPolicy(productionDatabases));
    // snapshot, freeze and dump name orders; freeze is already risky.
    expect(problems.map((p) => [p.rule, p.message.split(":")[0]])).toEqual([
      [
        "policy-risk",
        "policy rule `production-databases` (planfile.policy.yaml) applies to step `snapshot` (sandbox.db.snapshot)",
      ],
      [
        "policy-risk",
        "policy rule `production-databases` (planfile.policy.yaml) applies to step `dump` (sandbox.db.dump)",
      ],
    ]);
    expect(problems[0]!.message).toContain(
      "production databases change only with approval; add `snapshot` to riskySteps",
    );
  });

  it("sees context values the plan recorded, so a reference cannot hide the name", async () => {
    const plan = planFrom();
    step(plan, "dump").args = { ...step(plan, "dump").args, name: "${{ context.source.name }}" };
    const problems = problemsOf(plan, await withPolicy(productionDatabases));
    expect(problems.map((p) => p.message)).toContainEqual(expect.stringContaining("applies to step `dump`"));
  });

  it("a name known only at run time (a step output) counts as matching when it could be one the rule lists", async () => {
    const plan = planFrom();
    // snapshot reads the name from the snapshot step's own output, so the plan never spells `orders` there.
    step(plan, "dump").args = { ...step(plan, "dump").args, name: "${{ steps.snapshot.outputs.database }}" };
    step(plan, "dump").dependsOn = ["freeze", "snapshot"];
    const problems = problemsOf(plan, await withPolicy(productionDatabases));
    expect(problems.map((p) => p.message)).toContainEqual(
      expect.stringContaining(
        'applies to step `dump` (sandbox.db.dump): production databases change only with approval (args.name is ${{ steps.snapshot.outputs.database }}, known only at run time; the rule applies if it is "orders"); add `dump` to riskySteps',
      ),
    );
  });

  it("applies to rollbacks too: a foreign DNS write hidden in a rollback needs approval", async () => {
    const plan = planFrom();
    const registry = await withPolicy(dnsWrites);
    expect(problemsOf(plan, registry)).toEqual([]); // cutover, the one DNS step, is already risky
    step(plan, "upload").rollback = {
      tool: "sandbox.dns.restore",
      args: {
        zone: "internal",
        name: "orders-db.internal",
        type: "CNAME",
        previous: { exists: false, value: "", ttl: 0 },
      },
      override: "tidy up",
    };
    const rules = problemsOf(plan, registry).map((p) => p.rule);
    expect(rules).toContain("policy-risk");
    expect(rules).toContain("foreign-rollback");
  });

  it("the planner flags what the policy says, whatever the model said", async () => {
    const judged = finish(
      [
        {
          id: "snap",
          tool: "sandbox.db.snapshot",
          args: { name: "payments", snapshot: "p1" },
          expectedOutcome: "Snapshotted.",
          risky: false,
        },
      ],
      { goal: "Snapshot payments", context: [], planner: { name: "llm" }, now: new Date(0) },
      await withPolicy(productionDatabases),
    );
    expect(judged.ok && judged.plan.riskySteps).toEqual(["snap"]);
    expect(judged.ok && judged.plan.requiresConfirmation).toBe(true);
  });

  it("action: refuse is a problem no flag can fix", async () => {
    const plan = planFrom();
    plan.riskySteps = ["create_bucket", ...plan.riskySteps];
    const registry = await withPolicy(
      policy(`  - name: no-new-buckets
    when: tool == 'sandbox.storage.createBucket'
    reason: buckets are made by terraform
    action: refuse
`),
    );
    expect(problemsOf(plan, registry)).toEqual([
      expect.objectContaining({
        rule: "policy-refused",
        message:
          "policy rule `no-new-buckets` (planfile.policy.yaml) applies to step `create_bucket` (sandbox.storage.createBucket): buckets are made by terraform",
      }),
    ]);
  });

  it("a condition that cannot be evaluated for a call counts as applying (fail closed), and says why", async () => {
    const registry = await withPolicy(
      policy(`  - name: sloppy
    when: tool == 'sandbox.db.create' && args.sizeGb > args.limit
    reason: big databases need approval
`),
    );
    const problems = problemsOf(planFrom(), registry);
    expect(problems).toEqual([
      expect.objectContaining({
        rule: "policy-risk",
        message: expect.stringContaining(
          "big databases need approval (its condition could not be evaluated for this call: No such key: limit; counted as applying); add `create_target` to riskySteps",
        ),
      }),
    ]);
  });
});

describe("a broken policy file is an error at file:line:col, never a policy that silently applies nothing", () => {
  const refused = (text: string) => {
    try {
      parsePolicy(text, "planfile.policy.yaml");
    } catch (error) {
      expect(error).toBeInstanceOf(ManifestError);
      return (error as Error).message;
    }
    throw new Error("accepted");
  };

  it("CEL that does not parse", () => {
    expect(refused(policy("  - name: bad\n    when: tool ==\n    reason: whatever\n"))).toMatch(
      /^planfile\.policy\.yaml: 5:11 rule `bad`: not a valid CEL expression: /,
    );
  });

  it("a variable no call has (a typo would apply the rule to everything)", () => {
    expect(refused(policy("  - name: typo\n    when: tol == 'x'\n    reason: whatever\n"))).toBe(
      "planfile.policy.yaml: 5:11 rule `typo`: Unknown variable: tol; a rule may read tool, effect, args, role, step, stepTool, compensation and vars",
    );
  });

  it("a field the schema does not know, and a missing reason", () => {
    const message = refused(policy("  - name: r\n    when: 'true'\n    why: x\n"));
    expect(message).toContain("not a valid policy (schemas/policy.schema.json)");
    expect(message).toContain("4:5 /rules/0 must have required property 'reason'");
  });

  it("the same rule name twice", () => {
    const rule = "  - name: r\n    when: 'true'\n    reason: why not\n";
    expect(refused(policy(rule + rule))).toBe("planfile.policy.yaml: 7:11 rule `r` is declared twice");
  });

  it("a policy file named by PLANFILE_POLICY must exist; none at the default path means no policy", () => {
    const dir = mkdtempSync(join(tmpdir(), "planfile-policy-"));
    expect(() => loadPolicy(undefined, { PLANFILE_POLICY: join(dir, "nope.yaml") })).toThrow(
      /cannot read the policy file/,
    );
    writeFileSync(join(dir, "p.yaml"), dnsWrites);
    expect(loadPolicy(undefined, { PLANFILE_POLICY: join(dir, "p.yaml") }).rules.map((r) => r.name)).toEqual([
      "dns-writes",
    ]);
    expect(() => loadPolicy(join(dir, "absent.yaml"), {})).toThrow(/cannot read the policy file/);
    // The repository itself has no planfile.policy.yaml: then the manifests alone decide.
    expect(loadPolicy(undefined, {}).rules).toEqual([]);
  });

  it("the example policy in examples/ loads", () => {
    expect(loadPolicy("examples/planfile.policy.yaml", {}).rules.map((r) => [r.name, r.action])).toEqual([
      ["dns-writes", "risky"],
      ["production-databases", "risky"],
      ["feature-flags-at-full-rollout", "risky"],
      ["no-iam-user-deletion", "refuse"],
    ]);
  });
});
