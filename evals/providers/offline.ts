// The offline planner (tools/methods) as a promptfoo provider: no key, no network; CI always runs it.
import { planForEval } from "../../src/evals/provider.js";

export default class OfflinePlanner {
  constructor(private readonly options: { id?: string; label?: string } = {}) {}

  id(): string {
    return this.options.id ?? "planfile:offline";
  }

  async callApi(prompt: string, context?: { vars?: Record<string, unknown> }) {
    return planForEval(prompt.trim(), String(context?.vars?.fixture ?? "default"));
  }
}
