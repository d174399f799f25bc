// Recorded model conversations (evals/recordings/<scenario>/<case>.json) as a promptfoo provider:
// a local endpoint serves the recorded answers to the real planner, offline. `npm run eval -- --provider replay`.
import { planForEval } from "../../src/evals/provider.js";
import { createOpenAiLlm } from "../../src/planner/index.js";
import { loadRecording, startReplay } from "../../test/support/replay-openai.js";

export default class ReplayPlanner {
  constructor(private readonly options: { id?: string; label?: string } = {}) {}

  id(): string {
    return this.options.id ?? "planfile:replay";
  }

  async callApi(_prompt: string, context?: { vars?: Record<string, unknown> }) {
    const file = String(context?.vars?.recording ?? "");
    const recording = loadRecording(file);
    const server = await startReplay(recording);
    try {
      const llm = createOpenAiLlm({ apiKey: "replay", baseURL: server.url, model: recording.model, retries: 0 });
      const response = await planForEval(recording.goal, recording.fixture, llm);
      return { ...response, metadata: { ...response.metadata, recording: file, requests: server.requests.length } };
    } finally {
      await server.close();
    }
  }
}
