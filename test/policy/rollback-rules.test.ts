// Rollbacks are checked, not trusted: each is the step tool's own declared compensation, or says why not,
// and whatever the runner may call is classified by its own tool and needs approval when it is risky.
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { showPlan } from "../../src/review/index.js";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../runner/helpers.js";
import { planFrom, problemsOf, sandboxRegistry, step } from "./helpers.js";

const foreignDelete = { tool: "sandbox.db.delete", args: { name: "inventory" } };

describe("issue 11: a rollback other than the tool's compensation", () => {
  it("create_target undone by deleting the unrelated inventory database is refused, and its step must be risky", async () => {
    const plan = planFrom();
    step(plan, "create_target").rollback = foreignDelete;
    const problems = problemsOf(plan, await sandboxRegistry());
    expect(problems.map((p) => p.rule)).toEqual(["rollback-not-compensation", "foreign-rollback"]);
    expect(problems[0]!.message).toBe(
      'step `create_target`: its rollback sandbox.db.delete {"name":"inventory"} is not the compensation sandbox.db.create declares, which for this step is sandbox.db.delete {"name":"orders-eu"}; use exactly that, or keep yours and say why with `override: "<reason>"` in the rollback',
    );
    expect(problems[1]!.message).toContain("add `create_target` to riskySteps");
  });

  it("with an override it is still risky: an approved plan may carry it, and review warns", async () => {
    const plan = planFrom();
    step(plan, "create_target").rollback = { ...foreignDelete, override: "the test says so" };
    expect(problemsOf(plan, await sandboxRegistry()).map((p) => p.rule)).toEqual(["foreign-rollback"]);
    plan.riskySteps = ["create_target", ...plan.riskySteps];
    expect(problemsOf(plan, await sandboxRegistry())).toEqual([]);

    const file = join(tempDir(), "override.yaml");
    writeFileSync(file, stringify(plan));
    const text = await showPlan(file, { format: "text", validate: true, registry: await sandboxRegistry() });
    expect(text.ok && text.output).toContain(
      "rollback: sandbox.db.delete name=inventory  (destructive, OVERRIDE)\n      risk:     RISKY, write, rollback calls destructive sandbox.db.delete, not sandbox.db.create's own compensation\n      WARNING:  rollback overridden instead of the declared sandbox.db.delete name=orders-eu: the test says so",
    );
    const md = await showPlan(file, { format: "markdown", validate: true, registry: await sandboxRegistry() });
    expect(md.ok && md.output).toContain(
      "> - `create_target`: rollback overridden instead of the declared sandbox.db.delete name=orders-eu: the test says so",
    );
  });

  it("the declared compensation deleting what the step itself created does not make it risky", async () => {
    const plan = planFrom();
    expect(step(plan, "create_target").rollback).toEqual({ tool: "sandbox.db.delete", args: { name: "orders-eu" } });
    expect(plan.riskySteps).not.toContain("create_target");
    expect(problemsOf(plan, await sandboxRegistry())).toEqual([]);
  });

  it("rollback: {none: n/a} may not replace a declared compensation", async () => {
    const plan = planFrom();
    step(plan, "create_target").rollback = { none: "n/a" };
    const problems = problemsOf(plan, await sandboxRegistry());
    expect(problems).toEqual([
      expect.objectContaining({
        rule: "rollback-replaces-compensation",
        message:
          'step `create_target`: `rollback: {none: …}` replaces the compensation sandbox.db.create declares (sandbox.db.delete {"name":"orders-eu"}); use it as the rollback, or another call with `override: "<reason>"`',
      }),
    ]);
  });

  it("nor may {irreversible: …}", async () => {
    const plan = planFrom();
    step(plan, "upload").rollback = { irreversible: "it is uploaded" };
    expect(problemsOf(plan, await sandboxRegistry()).map((p) => p.rule)).toEqual(["rollback-replaces-compensation"]);
  });

  it("a compensation with a literal where the tool restores the previous value is not the compensation", async () => {
    const plan = planFrom();
    // The compensation restores outputs.previous; `false` would unfreeze even a database that was frozen before.
    step(plan, "freeze").rollback = { tool: "sandbox.db.setReadOnly", args: { name: "orders", readOnly: false } };
    expect(problemsOf(plan, await sandboxRegistry()).map((p) => p.rule)).toEqual(["rollback-not-compensation"]);
  });

  it("the same compensation pointed at another database is not the compensation", async () => {
    const plan = planFrom();
    step(plan, "freeze").rollback = {
      tool: "sandbox.db.setReadOnly",
      args: { name: "inventory", readOnly: "${{ steps.freeze.outputs.previous }}" },
    };
    expect(problemsOf(plan, await sandboxRegistry()).map((p) => p.rule)).toEqual(["rollback-not-compensation"]);
  });

  it("a value the compensation restores may come from context, which the runner re-reads before running", async () => {
    const plan = planFrom();
    step(plan, "freeze").rollback = {
      tool: "sandbox.db.setReadOnly",
      args: { name: "orders", readOnly: "${{ context.source.readOnly }}" },
    };
    expect(problemsOf(plan, await sandboxRegistry())).toEqual([]);
  });

  it("the step's own output under the argument's name stands for that argument", async () => {
    const plan = planFrom();
    const undo = (name: string) => ({ tool: "sandbox.db.delete", args: { name } });
    step(plan, "create_target").rollback = undo("${{ steps.create_target.outputs.name }}");
    expect(problemsOf(plan, await sandboxRegistry())).toEqual([]);
    step(plan, "create_target").rollback = undo("${{ steps.create_target.outputs.subnet }}");
    expect(problemsOf(plan, await sandboxRegistry()).map((p) => p.rule)).toContain("rollback-not-compensation");
    step(plan, "create_target").rollback = undo("${{ steps.snapshot.outputs.database }}");
    expect(problemsOf(plan, await sandboxRegistry()).map((p) => p.rule)).toContain("rollback-not-compensation");
  });

  it("a foreign rollback that calls a risky write (a DNS change) makes its step risky too", async () => {
    const plan = planFrom();
    step(plan, "create_bucket").rollback = {
      tool: "sandbox.dns.upsert",
      args: { zone: "internal", name: "orders-db.internal", type: "CNAME", value: "evil.example" },
      override: "point DNS away on failure",
    };
    const problems = problemsOf(plan, await sandboxRegistry());
    expect(problems.map((p) => p.rule)).toEqual(["foreign-rollback"]);
    expect(problems[0]!.message).toContain(
      "step `create_bucket`'s rollback calls sandbox.dns.upsert (write; changes a live DNS record",
    );
  });
});

describe("issue 14: a destructive rollback on a read step", () => {
  const hostile = () => {
    const plan = planFrom();
    plan.steps.unshift({
      id: "list",
      tool: "sandbox.db.list",
      args: {},
      expectedOutcome: "Databases are listed.",
      rollback: foreignDelete,
    });
    return plan;
  };

  it("is refused: a read step changes nothing, so it takes no rollback call", async () => {
    const problems = problemsOf(hostile(), await sandboxRegistry());
    expect(problems.map((p) => p.rule)).toEqual(["rollback-on-read"]);
    expect(problems[0]!.message).toBe(
      "step `list` uses read tool sandbox.db.list, which changes nothing and declares no compensation, yet its rollback calls sandbox.db.delete (destructive); a read step takes no rollback call: remove it",
    );
  });

  it("is refused even when flagged risky and overridden", async () => {
    const plan = hostile();
    plan.steps[0]!.rollback = { ...foreignDelete, override: "trust me" };
    plan.riskySteps.push("list");
    expect(problemsOf(plan, await sandboxRegistry()).map((p) => p.rule)).toEqual(["rollback-on-read"]);
  });

  it("show --no-validate says what that rollback would do, and warns", async () => {
    const file = join(tempDir(), "read-rollback.yaml");
    writeFileSync(file, stringify(hostile()));
    const shown = await showPlan(file, { format: "text", validate: false, registry: await sandboxRegistry() });
    expect(shown.ok && shown.output).toContain(
      "rollback: sandbox.db.delete name=inventory  (destructive, custom: the tool declares no undo)",
    );
    expect(shown.ok && shown.output).toContain("WARNING:  rollback calls sandbox.db.delete (destructive)");
    expect(shown.ok && shown.output).toContain("WARNING:  refused: step `list` uses read tool sandbox.db.list");
  });
});

describe("irreversible steps are risky", () => {
  it("`none` on a destructive step means it cannot be undone, and show says so", async () => {
    const file = "plans/rotate-leaked-credential.yaml";
    const shown = await showPlan(file, { format: "text", validate: true, registry: await sandboxRegistry() });
    expect(shown.ok && shown.output).toContain(
      "rollback: IRREVERSIBLE: A leaked secret version must stay revoked; un-revoking it would reopen the leak.",
    );
  });
});

describe("an irreversible write is risky, and `none` on a write is nothing to undo", () => {
  const registry = async () => {
    const { Registry } = await import("../../src/registry/index.js");
    const obj = { type: "object" };
    return new Registry(tempDir()).define(
      {
        name: "mail.send",
        description: "Send an email.",
        effect: "write",
        idempotent: false,
        risk: { risky: false, reason: "a message to the team" },
        input: obj,
        output: obj,
        handler: () => ({}),
      },
      {
        name: "mail.draft",
        description: "Save a draft.",
        effect: "write",
        idempotent: true,
        input: obj,
        output: obj,
        handler: () => ({}),
      },
    );
  };
  const plan = (rollback: object, riskySteps: string[] = []) => ({
    apiVersion: "planfile/v1",
    kind: "Plan",
    metadata: { name: "mail", goal: "Tell the team" },
    requiresConfirmation: riskySteps.length > 0,
    riskySteps,
    steps: [{ id: "send", tool: "mail.send", args: {}, expectedOutcome: "Sent.", rollback }],
  });

  it("{irreversible: …} makes the step risky", async () => {
    const { validatePlanData } = await import("../../src/validator/index.js");
    const r = await registry();
    const refused = validatePlanData(plan({ irreversible: "a sent email cannot be recalled" }), r);
    expect(!refused.ok && refused.problems.map((p) => [p.rule, p.message])).toEqual([
      [
        "irreversible-not-risky",
        "step `send` is irreversible (a sent email cannot be recalled), so a human must approve it; add `send` to riskySteps",
      ],
    ]);
    expect(validatePlanData(plan({ irreversible: "a sent email cannot be recalled" }, ["send"]), r).ok).toBe(true);
  });

  it("{none: …} on a write with no compensation is accepted as nothing to undo", async () => {
    const { validatePlanData } = await import("../../src/validator/index.js");
    expect(validatePlanData(plan({ none: "the team reads it once" }), await registry()).ok).toBe(true);
  });

  it("a custom rollback on a tool with no compensation is allowed, and classified by its own tool", async () => {
    const { validatePlanData } = await import("../../src/validator/index.js");
    const ok = validatePlanData(plan({ tool: "mail.draft", args: {} }), await registry());
    expect(ok.ok).toBe(true);
  });
});
