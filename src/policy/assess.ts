/**
 * The risk verdict on a plan, from data only (tool manifests and the
 * operator's policy), never from who wrote the plan: which steps must be in
 * riskySteps and why, which calls are refused, and what each rollback would
 * do. The validator turns it into problems, the planner into flags, review
 * into what a reviewer sees.
 */
import type { Registry } from "../registry/registry.js";
import { getPath, substitute } from "../references/index.js";
import type { Plan, RollbackCall, Step } from "../schema/types.generated.js";
import { policyVerdicts, toolRisk } from "./classify.js";
import { isCompensation, renderCompensation } from "./compensation.js";
import type { PolicyCall, RiskReason } from "./types.js";

/** What a step's rollback would do when the runner undoes it. */
export type RollbackView =
  | {
      kind: "call";
      tool: string;
      args: Record<string, unknown>;
      effect: PolicyCall["effect"];
      /**
       * compensation: the step's tool's own declared undo. override: another
       * call, with the author's reason. custom: the tool declares no undo.
       * mismatch: differs from the declared undo and says nothing (invalid).
       */
      source: "compensation" | "override" | "custom" | "mismatch";
      override?: string;
      /** The declared compensation rendered for the step, when it differs. */
      declared?: RollbackCall;
    }
  | { kind: "none"; reason: string }
  | { kind: "irreversible"; reason: string; declaredAs: "irreversible" | "none" }
  | { kind: "missing" };

export interface StepAssessment {
  id: string;
  index: number;
  /** Why the step must be in riskySteps (empty: the plan may leave it out). */
  requires: readonly RiskReason[];
  /** What no flag can fix: refused calls and rollbacks that break the rules. */
  refused: readonly RiskReason[];
  rollback: RollbackView;
}

/**
 * Most steps have no reason at all: they share this one empty list. An assessment lives as long as its plan
 * (the cache below), through the run that follows, so a 10k-step plan keeps one small object per step, not
 * two empty arrays each (issue 16, item 4).
 */
const NONE: readonly RiskReason[] = Object.freeze([]);

const everyStep = new WeakMap<Plan, WeakMap<Registry, StepAssessment[]>>();

export function assessPlan(plan: Plan, registry: Registry): StepAssessment[] {
  return cached(everyStep, plan, registry, () =>
    plan.steps.map((step, index) => assessStep(plan, step, index, registry)),
  );
}

const flagged = new WeakMap<Plan, WeakMap<Registry, StepAssessment[]>>();

/**
 * Only the steps with a reason to be approved or refused, in step order: what the validator reports. Quiet
 * steps (nearly all of a large plan) leave nothing behind, where `assessPlan` keeps one assessment per step for
 * as long as the plan lives, through the run that follows its validation (issue 16, item 4).
 */
export function flaggedSteps(plan: Plan, registry: Registry): StepAssessment[] {
  return cached(flagged, plan, registry, () => {
    const result: StepAssessment[] = [];
    for (let index = 0; index < plan.steps.length; index++) {
      const a = assessStep(plan, plan.steps[index]!, index, registry);
      if (a.requires.length > 0 || a.refused.length > 0) result.push(a);
    }
    return result;
  });
}

/** `compute()` once per plan and registry, kept as long as both are. */
function cached<T>(cache: WeakMap<Plan, WeakMap<Registry, T>>, plan: Plan, registry: Registry, compute: () => T): T {
  let byRegistry = cache.get(plan);
  if (!byRegistry) cache.set(plan, (byRegistry = new WeakMap()));
  let result = byRegistry.get(registry);
  if (result === undefined) byRegistry.set(registry, (result = compute()));
  return result;
}

/** Ids the policy requires to be risky, in step order. */
export function requiredRiskySteps(plan: Plan, registry: Registry): string[] {
  return assessPlan(plan, registry)
    .filter((a) => a.requires.length > 0)
    .map((a) => a.id);
}

function assessStep(plan: Plan, step: Step, index: number, registry: Registry): StepAssessment {
  // Assessed by the thousand before every run: nothing is made for a step with nothing to say (the lists come
  // with their first reason, paths with their reason), and no closure per step.
  let requires: RiskReason[] | undefined;
  let refused: RiskReason[] | undefined;
  const tool = registry.get(step.tool);
  const effect = tool?.effect ?? "unknown";

  if (tool) {
    const risk = toolRisk(tool);
    if (tool.effect === "destructive")
      requires = add(requires, {
        rule: "destructive-not-risky",
        path: ["steps", index, "tool"],
        summary: `destructive tool ${tool.name}`,
        message: `step \`${step.id}\` uses destructive tool ${tool.name}`,
      });
    else if (risk.risky)
      requires = add(requires, {
        rule: "tool-risk",
        path: ["steps", index, "tool"],
        summary: risk.reason,
        message: `step \`${step.id}\` calls ${tool.name}, which its manifest declares risky (${risk.reason})`,
      });
  }

  // Without rules there is nothing to evaluate, so the arguments are not even resolved (large plans stay linear and cheap).
  const ruled = registry.policy.rules.length > 0;
  if (ruled) {
    const stepCall: PolicyCall = {
      step: step.id,
      stepTool: step.tool,
      tool: step.tool,
      effect,
      args: resolveContext(plan, step.args),
      role: "step",
      compensation: false,
    };
    for (const v of policyVerdicts(registry, stepCall, ["steps", index, "tool"], `step \`${step.id}\``))
      if (v.action === "refuse") refused = add(refused, v.reason);
      else requires = add(requires, v.reason);
  }

  const declared = renderCompensation(step, tool);
  const rollback = rollbackView(step, declared, registry);

  if (rollback.kind === "call") {
    const rbTool = registry.get(rollback.tool);
    const own = rollback.source === "compensation";
    if (tool?.effect === "read") {
      refused = add(refused, {
        rule: "rollback-on-read",
        path: ["steps", index, "rollback", "tool"],
        summary: `rollback of a read step calls ${rollback.tool}`,
        message: `step \`${step.id}\` uses read tool ${step.tool}, which changes nothing and declares no compensation, yet its rollback calls ${rollback.tool} (${rollback.effect}); a read step takes no rollback call: remove it`,
      });
    } else if (!own && rbTool) {
      const risk = toolRisk(rbTool);
      if (risk.risky)
        requires = add(requires, {
          rule: "foreign-rollback",
          path: ["steps", index, "rollback", "tool"],
          summary: `rollback calls ${rbTool.effect} ${rbTool.name}, not ${step.tool}'s own compensation`,
          message: `step \`${step.id}\`'s rollback calls ${rbTool.name} (${rbTool.effect}; ${risk.reason}), which is not the compensation ${step.tool} declares${declared ? ` (${formatCall(declared)})` : " (it declares none)"}; anything the runner may call must be approved`,
        });
    }
    if (rollback.source === "mismatch")
      refused = add(refused, {
        rule: "rollback-not-compensation",
        path: ["steps", index, "rollback"],
        summary: "rollback differs from the declared compensation",
        message: `step \`${step.id}\`: its rollback ${formatCall(rollback)} is not the compensation ${step.tool} declares, which for this step is ${declared ? formatCall(declared) : `${tool?.compensation?.tool} (it needs an argument the step does not give)`}; use exactly that, or keep yours and say why with \`override: "<reason>"\` in the rollback`,
      });
    if (ruled) {
      const rbCall: PolicyCall = {
        step: step.id,
        stepTool: step.tool,
        tool: rollback.tool,
        effect: rbTool?.effect ?? "unknown",
        args: resolveContext(plan, rollback.args),
        role: "rollback",
        compensation: own,
      };
      const label = `the rollback of step \`${step.id}\``;
      for (const v of policyVerdicts(registry, rbCall, ["steps", index, "rollback", "tool"], label))
        if (v.action === "refuse") refused = add(refused, v.reason);
        else requires = add(requires, v.reason);
    }
  } else if ((rollback.kind === "none" || rollback.kind === "irreversible") && tool?.compensation) {
    const word = rollback.kind === "irreversible" ? rollback.declaredAs : "none";
    refused = add(refused, {
      rule: "rollback-replaces-compensation",
      path: ["steps", index, "rollback"],
      summary: `\`${word}\` replaces the declared compensation`,
      message: `step \`${step.id}\`: \`rollback: {${word}: …}\` replaces the compensation ${step.tool} declares${declared ? ` (${formatCall(declared)})` : ` (${tool.compensation.tool})`}; use it as the rollback, or another call with \`override: "<reason>"\``,
    });
  } else if (rollback.kind === "irreversible" && tool && tool.effect !== "destructive") {
    requires = add(requires, {
      rule: "irreversible-not-risky",
      path: ["steps", index, "rollback"],
      summary: `irreversible: ${rollback.reason}`,
      message: `step \`${step.id}\` is irreversible (${rollback.reason}), so a human must approve it`,
    });
  }
  return { id: step.id, index, requires: requires ?? NONE, refused: refused ?? NONE, rollback };
}

/** `list` with `reason` added; the list is made with its first reason. */
function add(list: RiskReason[] | undefined, reason: RiskReason): RiskReason[] {
  if (!list) return [reason];
  list.push(reason);
  return list;
}

function rollbackView(step: Step, declared: RollbackCall | undefined, registry: Registry): RollbackView {
  const rb = step.rollback;
  // The planner assesses drafts before the schema has checked them: anything odd is the validator's to name.
  if (!rb || typeof rb !== "object" || Array.isArray(rb)) return { kind: "missing" };
  if ("irreversible" in rb) return { kind: "irreversible", reason: rb.irreversible, declaredAs: "irreversible" };
  if ("none" in rb) {
    // `none` on a destructive step cannot mean "nothing to undo": what it removed is gone.
    return registry.get(step.tool)?.effect === "destructive"
      ? { kind: "irreversible", reason: rb.none, declaredAs: "none" }
      : { kind: "none", reason: rb.none };
  }
  if (typeof rb.tool !== "string") return { kind: "missing" };
  const effect: PolicyCall["effect"] = registry.get(rb.tool)?.effect ?? "unknown";
  const call = { tool: rb.tool, args: rb.args, effect };
  const template = registry.get(step.tool)?.compensation;
  if (declared && template && isCompensation(rb, step, declared, template))
    return { kind: "call", ...call, source: "compensation" };
  const hasDeclared = template !== undefined;
  if (rb.override !== undefined)
    return { kind: "call", ...call, source: "override", override: rb.override, ...(declared ? { declared } : {}) };
  return { kind: "call", ...call, source: hasDeclared ? "mismatch" : "custom", ...(declared ? { declared } : {}) };
}

/** Context values are recorded in the plan, so rules see them; step outputs and secrets exist only at run time. */
function resolveContext(plan: Plan, args: Record<string, unknown>): Record<string, unknown> {
  try {
    return substitute(args, (ref) => {
      if (ref.root === "context") {
        const entry = (plan.context ?? []).find((c) => c.id === ref.id);
        const found = entry ? getPath(entry.output, ref.path) : { found: false as const };
        if (found.found) return found.value;
      }
      return `\${{ ${ref.text} }}`;
    }) as Record<string, unknown>;
  } catch {
    return args; // a malformed reference: the validator names it
  }
}

export function formatCall(call: { tool: string; args: unknown }): string {
  const args = JSON.stringify(call.args) ?? "{}";
  return `${call.tool} ${args.length > 160 ? `${args.slice(0, 157)}…` : args}`;
}
