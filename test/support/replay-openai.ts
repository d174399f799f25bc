/**
 * Replay: an OpenAI-compatible endpoint on 127.0.0.1 that serves a recorded
 * conversation, answer by answer, so the model path is tested (and evaluated)
 * offline on what a model really said — or, for the shipped cases, on answers
 * built to be well-formed or wrong in one named way. Recordings are files:
 * evals/recordings/<scenario>/<case>.json (format below).
 */
import { readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

export const RECORDINGS_DIR = "evals/recordings";

/**
 * Recordings that were not caught before the policy work (issue 11, items 1–2): none are left. The
 * under-flagged and wrong-rollback answers are now caught by the risk and rollback rules.
 */
export const AWAITING_POLICY: ReadonlySet<string> = new Set();

/** What a replayed conversation must end in. */
export type Expectation =
  /** A plan is written, and the eval grades it on every metric (it must execute and reach the goal). */
  | { outcome: "plan" }
  /** No plan is written: planning fails with `reason` (and `code`), and the message matches `says`. */
  | { outcome: "refused"; reason: string; code?: string; says: string }
  /** Either no plan is written, or the plan flags every risky action of the scenario anyway. */
  | { outcome: "risk-flagged" };

export interface Recording {
  scenario: string;
  case: string;
  goal: string;
  fixture: string;
  model: string;
  /** Where the answers came from: a model run (recorded with PLANFILE_RECORD) or how they were built. */
  source: string;
  expect: Expectation;
  exchanges: { request?: unknown; response: { status: number; body: unknown } }[];
}

export function loadRecording(file: string): Recording {
  const recording = JSON.parse(readFileSync(file, "utf8")) as Recording;
  if (!Array.isArray(recording.exchanges) || recording.exchanges.length === 0)
    throw new Error(`${file}: a recording needs at least one exchange`);
  return recording;
}

/** Every recording under `dir`, as `<scenario>/<case>.json` paths. */
export function recordingFiles(dir = RECORDINGS_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      readdirSync(join(dir, d.name))
        .filter((f) => f.endsWith(".json"))
        .sort()
        .map((f) => join(dir, d.name, f)),
    )
    .sort();
}

export interface Replay {
  url: string;
  /** Request bodies received, in order. */
  requests: unknown[];
  close(): Promise<void>;
}

/** Serves the recording's responses in order; a request past the end is a 500 that says so. */
export async function startReplay(recording: Recording): Promise<Replay> {
  const requests: unknown[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", () => {
      const n = requests.length;
      requests.push(body ? JSON.parse(body) : null);
      const exchange = recording.exchanges[n];
      const status = exchange?.response?.status ?? 500;
      const payload = exchange?.response
        ? exchange.response.body
        : {
            error: {
              message: `the recording ${recording.scenario}/${recording.case} has ${recording.exchanges.length} answer(s); request ${n + 1} has none`,
            },
          };
      res.writeHead(status, { "content-type": "application/json" });
      res.end(typeof payload === "string" ? payload : JSON.stringify(payload));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
