// How the model path fails when the endpoint misbehaves: each case is a real
// local HTTP server (or a port where nothing listens) behaving that way, and
// each message must fit its cause.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadRegistry, type Registry } from "../../src/index.js";
import { createOpenAiLlm } from "../../src/planner/llm.js";
import { plan } from "../../src/planner/plan.js";
import type { PlanResult } from "../../src/planner/types.js";
import { answer, contextLengthError, refusedUrl, startFakeOpenAi, type FakeOpenAi } from "../support/fake-openai.js";

const GOAL = "Copy the orders database dump to the migrations bucket";
let server: FakeOpenAi;
let registry: Registry;

beforeAll(async () => {
  registry = await loadRegistry({ toolsDir: "test/fixtures/tools" });
});
afterAll(() => registry.close());
beforeEach(async (ctx) => {
  server = await startFakeOpenAi();
  ctx.onTestFinished(() => server.close());
});

function planAt(baseURL: string, timeoutMs: number, retries = 3) {
  const llm = createOpenAiLlm({ apiKey: "k", baseURL, model: "fake-model", timeoutMs, retries, backoffMs: () => 1 });
  return plan(GOAL, { registry, llm, maxRepairs: 2 });
}

function failure(result: PlanResult) {
  if (result.ok) throw new Error("expected planning to fail");
  return result;
}

describe("an endpoint that cannot be reached", () => {
  it("gives up on a refused connection after one retry, and says to start the server, not to wait longer", async () => {
    // A generous deadline: only the refusal can end this quickly.
    const result = failure(await planAt(await refusedUrl(), 120_000));
    expect(result.reason).toBe("LLM_FAILED");
    expect(result.code).toBe("LLM_UNAVAILABLE");
    expect(result.message).toMatch(/connection refused: nothing listens there \(after 2 requests\)/);
    expect(result.message).toContain("start the model server, or fix OPENAI_BASE_URL");
    expect(result.message).not.toMatch(/timeout|deadline/i);
  });

  it("gives up on a host name that does not resolve after one retry", async () => {
    const result = failure(await planAt("http://planfile-no-such-host.invalid/v1", 120_000));
    expect(result.code).toBe("LLM_UNAVAILABLE");
    expect(result.message).toMatch(/the host name does not resolve \(after 2 requests\)/);
    expect(result.message).not.toMatch(/timeout/i);
  });
});

it("names a port fetch will never connect to, without retrying", async () => {
  const result = failure(await planAt("http://127.0.0.1:9/v1", 120_000));
  expect(result.message).toContain("cannot reach fake-model at http://127.0.0.1:9/v1");
  expect(result.message).not.toMatch(/timeout|deadline/i);
});

describe("an endpoint too slow for the deadline", () => {
  it("stops waiting for a server that accepts the request and never answers, and does not retry past the deadline", async () => {
    server.fallback = { hang: true };
    const result = failure(await planAt(server.url, 300));
    expect(result.code).toBe("LLM_TIMEOUT");
    expect(result.message).toContain("did not finish within the 300 ms planning deadline: no answer had started");
    expect(result.message).toContain("raise --timeout");
    expect(server.requests).toHaveLength(1);
  });

  it("cuts a body that trickles in at the deadline, naming that the answer had started", async () => {
    server.fallback = { trickle: true, everyMs: 20 };
    const result = failure(await planAt(server.url, 300));
    expect(result.code).toBe("LLM_TIMEOUT");
    expect(result.message).toContain("300 ms planning deadline: its answer started but was still arriving");
  });

  it("does not sleep through a Retry-After longer than the time left", async () => {
    server.fallback = { status: 429, message: "slow down", headers: { "retry-after": "30" } };
    const llm = createOpenAiLlm({
      apiKey: "k",
      baseURL: server.url,
      model: "fake-model",
      timeoutMs: 1_000,
      maxBackoffMs: 60_000,
    });
    const result = failure(await plan(GOAL, { registry, llm }));
    expect(result.message).toContain("answered HTTP 429 after 1 request");
    expect(result.message).toContain("no time was left before the 1000 ms planning deadline to try again");
    expect(server.requests).toHaveLength(1);
  });

  it("shares one deadline across repairs: a slow second answer is cut by what the first left", async () => {
    server.reply(answer({ steps: [{ id: "x", tool: "demo.db.dmp", args: {}, expectedOutcome: "?" }] }), {
      hang: true,
    });
    const result = failure(await planAt(server.url, 2_000));
    expect(result.code).toBe("LLM_TIMEOUT");
    expect(result.message).toContain("2000 ms planning deadline");
    expect(result.attempts.map((a) => a.prompt)).toEqual(["decompose@3", "repair@2"]);
  });
});

describe("a prompt longer than the model's context", () => {
  for (const [server_, reply] of Object.entries(contextLengthError)) {
    it(`is recognised in ${server_}'s wording, reported with the sizes, and neither retried nor re-formatted`, async () => {
      server.fallback = reply;
      const result = failure(await planAt(server.url, 5_000));
      expect(result.code).toBe("LLM_CONTEXT_LENGTH");
      expect(server.requests).toHaveLength(1);
      expect(result.message).toContain("refused the prompt as longer than its context");
      expect(result.message).toMatch(/≈\d+ (?:by planfile's chars\/4 estimate|tokens \(chars\/4\))/);
      expect(result.message).toContain("num_ctx");
    });
  }

  it("quotes the limit and the server's own count when the error gives them", async () => {
    server.fallback = contextLengthError.llamacpp;
    const llama = failure(await planAt(server.url, 5_000)).message;
    expect(llama).toContain("the prompt is 3012 tokens as the server counts them");
    expect(llama).toContain("the model's context is 2048 tokens");

    server.fallback = contextLengthError.openai;
    const openai = failure(await planAt(server.url, 5_000)).message;
    expect(openai).toContain("the prompt is 9105 tokens as the server counts them");
    expect(openai).toContain("the model's context is 8192 tokens");
  });
});

describe("an answer that is not a plan", () => {
  it("reports a refusal with its text, once", async () => {
    server.fallback = { content: "", refusal: "I can't help with modifying production databases." };
    const result = failure(await planAt(server.url, 5_000));
    expect(result.code).toBe("LLM_REFUSED");
    expect(result.message).toBe('fake-model refused to plan: "I can\'t help with modifying production databases."');
    expect(server.requests).toHaveLength(1);
  });

  it("reports an answer cut at the output limit as truncated, not as bad JSON to repair", async () => {
    server.fallback = {
      content: '{"steps": [{"id": "dump", "tool": "demo.db.dump", "args": {"datab',
      finishReason: "length",
      usage: { prompt_tokens: 900, completion_tokens: 256, total_tokens: 1156 },
    };
    const result = failure(await planAt(server.url, 5_000));
    expect(result.code).toBe("LLM_TRUNCATED");
    expect(result.message).toContain("cut off at its output limit (finish_reason: length, 256 completion tokens)");
    expect(server.requests).toHaveLength(1);
  });
});
