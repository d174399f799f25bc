// The planner asking an OpenAI-compatible model (OPENAI_API_KEY / OPENAI_BASE_URL / PLANFILE_MODEL).
// src/eval.ts adds it only when a key or base URL is set.
import { createOpenAiLlm, llmConfigFromEnv, type Llm } from "../../src/planner/index.js";
import { planForEval } from "../../src/evals/provider.js";

export default class OpenAiPlanner {
  private llm: Llm | undefined;

  constructor(private readonly options: { id?: string; label?: string } = {}) {}

  id(): string {
    return this.options.id ?? `planfile:openai:${process.env.PLANFILE_MODEL ?? "default"}`;
  }

  async callApi(prompt: string, context?: { vars?: Record<string, unknown> }) {
    if (!this.llm) {
      const config = llmConfigFromEnv();
      if (!config)
        return {
          output: "",
          error: "no model configured: set OPENAI_API_KEY and/or OPENAI_BASE_URL (PLANFILE_MODEL picks the model)",
        };
      this.llm = createOpenAiLlm(config);
    }
    return planForEval(prompt.trim(), String(context?.vars?.fixture ?? "default"), this.llm);
  }
}
