// The planner asking an OpenAI-compatible model (OPENAI_API_KEY / OPENAI_BASE_URL / PLANFILE_MODEL).
// src/eval.ts adds it only when a key or base URL is set. With PLANFILE_RECORD=<dir> every conversation
// is also written to <dir>/<scenario>/<case>.json (case: PLANFILE_RECORD_CASE, else the model's name),
// which `npm run eval -- --provider replay` then serves offline.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { planForEval } from "../../src/evals/provider.js";
import { createOpenAiLlm, llmConfigFromEnv, type Llm } from "../../src/planner/index.js";
import type { HttpExchange } from "../../src/planner/llm.js";
import type { Recording } from "../../test/support/replay-openai.js";

export default class OpenAiPlanner {
  private llm: Llm | undefined;

  constructor(private readonly options: { id?: string; label?: string } = {}) {}

  id(): string {
    return this.options.id ?? `planfile:openai:${process.env.PLANFILE_MODEL ?? "default"}`;
  }

  async callApi(prompt: string, context?: { vars?: Record<string, unknown> }) {
    const config = llmConfigFromEnv();
    if (!config)
      return {
        output: "",
        error: "no model configured: set OPENAI_API_KEY and/or OPENAI_BASE_URL (PLANFILE_MODEL picks the model)",
      };
    const goal = prompt.trim();
    const fixture = String(context?.vars?.fixture ?? "default");
    const recordTo = process.env.PLANFILE_RECORD;
    if (!recordTo) return planForEval(goal, fixture, (this.llm ??= createOpenAiLlm(config)));

    // A model of its own per conversation, so the exchanges recorded are this conversation's only.
    const exchanges: HttpExchange[] = [];
    const response = await planForEval(
      goal,
      fixture,
      createOpenAiLlm({ ...config, onExchange: (e) => exchanges.push(e) }),
    );
    await new Promise((resolve) => setImmediate(resolve)); // the last body's copy settles
    const scenario = String(context?.vars?.scenario ?? "adhoc");
    const name = (process.env.PLANFILE_RECORD_CASE || config.model).replace(/[^A-Za-z0-9._-]+/g, "-");
    const m = response.metadata;
    const recording: Recording = {
      scenario,
      case: name,
      goal,
      fixture,
      model: config.model,
      source: `recorded from ${config.model} at ${config.baseURL ?? "api.openai.com"} on ${new Date().toISOString()}; the expectation is what this run did: review it`,
      expect: m.ok
        ? { outcome: "plan" }
        : {
            outcome: "refused",
            reason: String(m.reason),
            says: String(m.message ?? "")
              .split("\n")[0]!
              .slice(0, 80),
          },
      exchanges: exchanges.map((e) => ({ request: redactKey(e.request), response: e.response })),
    };
    mkdirSync(join(recordTo, scenario), { recursive: true });
    writeFileSync(join(recordTo, scenario, `${name}.json`), `${JSON.stringify(recording, null, 2)}\n`);
    return response;
  }
}

/** Request bodies never hold the key (it travels in a header), but keep only what replay needs to show. */
function redactKey(request: unknown): unknown {
  if (!request || typeof request !== "object") return request;
  const { model, messages, response_format } = request as Record<string, unknown>;
  return { model, messages, response_format };
}
