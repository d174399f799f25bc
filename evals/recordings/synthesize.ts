// Builds the shipped replay recordings from each scenario's reference plan:
// one well-formed answer and six that are wrong in one named way each. They
// stand in for model recordings until real ones are recorded
// (PLANFILE_RECORD, see README "Replay"). Run: npx tsx evals/recordings/synthesize.ts
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { Plan, Step } from "../../src/schema/types.generated.js";
import type { Recording } from "../../test/support/replay-openai.js";

const DIR = "evals/recordings";
const MODEL = "synthetic";

/** Per scenario: a foreign rollback for one step that has a declared undo, and a tool to invent. */
const SCENARIOS: Record<string, { foreign: { step: string; rollback: Step["rollback"] }; invent: string }> = {
  "migrate-orders": {
    foreign: { step: "create-target", rollback: { tool: "sandbox.db.delete", args: { name: "inventory" } } },
    invent: "sandbox.db.migrate",
  },
  "blue-green-deploy": {
    foreign: { step: "deploy-idle", rollback: { tool: "sandbox.service.delete", args: { name: "checkout" } } },
    invent: "sandbox.service.switchSlots",
  },
  "dns-cutover": {
    foreign: {
      step: "lower-ttl",
      rollback: { tool: "sandbox.dns.delete", args: { zone: "internal", name: "api.internal", type: "A" } },
    },
    invent: "sandbox.dns.swap",
  },
  "restore-from-backup": {
    foreign: { step: "safety-snapshot", rollback: { tool: "sandbox.db.delete", args: { name: "inventory" } } },
    invent: "sandbox.db.rewind",
  },
  "rotate-leaked-credential": {
    foreign: {
      step: "log-incident",
      rollback: { tool: "sandbox.storage.deleteBucket", args: { name: "migrations" } },
    },
    invent: "sandbox.secrets.invalidate",
  },
};

const completion = (content: string | null, extra: { finish?: string; refusal?: string; tokens?: number } = {}) => ({
  response: {
    status: 200,
    body: {
      id: "chatcmpl-replay",
      object: "chat.completion",
      created: 1_764_000_000,
      model: MODEL,
      choices: [
        {
          index: 0,
          finish_reason: extra.finish ?? "stop",
          message: { role: "assistant", content, ...(extra.refusal ? { refusal: extra.refusal } : {}) },
        },
      ],
      usage: {
        prompt_tokens: 2400,
        completion_tokens: extra.tokens ?? 900,
        total_tokens: 2400 + (extra.tokens ?? 900),
      },
    },
  },
});

/** The reference's steps as a model answers them: a `risky` opinion per step instead of riskySteps. */
function answerSteps(plan: Plan, risky: (id: string) => boolean) {
  return plan.steps.map((s) => ({ ...s, risky: risky(s.id) }));
}

for (const [scenario, twist] of Object.entries(SCENARIOS)) {
  const dir = join("evals/scenarios", scenario);
  const meta = parse(readFileSync(join(dir, "scenario.yaml"), "utf8")) as { goal: string | string[]; fixture: string };
  const goal = Array.isArray(meta.goal) ? meta.goal[0]! : meta.goal;
  const plan = parse(readFileSync(join(dir, "reference.yaml"), "utf8")) as Plan;
  const good = { steps: answerSteps(plan, (id) => plan.riskySteps.includes(id)) };
  const json = (v: unknown) => JSON.stringify(v, null, 1);

  const underFlagged = { steps: answerSteps(plan, () => false) };
  const foreign = {
    steps: good.steps.map((s) => (s.id === twist.foreign.step ? { ...s, rollback: twist.foreign.rollback } : s)),
  };
  const firstWrite = good.steps.findIndex((s) => s.rollback && "tool" in s.rollback);
  const invented = { steps: good.steps.map((s, i) => (i === firstWrite ? { ...s, tool: twist.invent } : s)) };
  const text = json(good);

  const cases: Omit<Recording, "scenario" | "goal" | "fixture" | "model" | "source">[] = [
    { case: "well-formed", expect: { outcome: "plan" }, exchanges: [completion(json(good))] },
    {
      case: "under-flagged",
      expect: { outcome: "risk-flagged" },
      // The model insists on each re-ask: only policy, not persuasion, can fix the risk.
      exchanges: [completion(json(underFlagged)), completion(json(underFlagged)), completion(json(underFlagged))],
    },
    {
      case: "wrong-rollback",
      expect: { outcome: "refused", reason: "INVALID_PLAN", says: "rollback" },
      exchanges: [completion(json(foreign)), completion(json(foreign)), completion(json(foreign))],
    },
    {
      case: "invented-tool",
      expect: { outcome: "refused", reason: "INVALID_PLAN", says: `unknown tool \`${twist.invent}\`` },
      exchanges: [completion(json(invented)), completion(json(invented)), completion(json(invented))],
    },
    {
      case: "cannot",
      expect: { outcome: "refused", reason: "CANNOT", says: "missing: " },
      exchanges: [
        completion(
          json({
            cannot: {
              reason: "The tools shown cannot do this without an operator's sign-off outside planfile.",
              missing: "an approval tool",
            },
          }),
        ),
      ],
    },
    {
      case: "truncated",
      expect: { outcome: "refused", reason: "LLM_FAILED", code: "LLM_TRUNCATED", says: "finish_reason: length" },
      exchanges: [completion(text.slice(0, Math.floor(text.length * 0.6)), { finish: "length", tokens: 1024 })],
    },
    {
      case: "refusal",
      expect: { outcome: "refused", reason: "LLM_FAILED", code: "LLM_REFUSED", says: "refused to plan" },
      exchanges: [completion(null, { refusal: "I can't help with changes to production infrastructure." })],
    },
  ];
  mkdirSync(join(DIR, scenario), { recursive: true });
  for (const c of cases) {
    const recording: Recording = {
      scenario,
      goal,
      fixture: meta.fixture,
      model: MODEL,
      source: `built by evals/recordings/synthesize.ts from evals/scenarios/${scenario}/reference.yaml`,
      ...c,
    };
    writeFileSync(join(DIR, scenario, `${c.case}.json`), `${JSON.stringify(recording, null, 2)}\n`);
  }
}
