/**
 * `http` tools: each tool is a request template (`request: {method, url,
 * headers, body}`) under an implementation's `baseUrl` and shared `headers`.
 * Strings may hold `${{ args.<path> }}` and `${{ secrets.NAME }}`, resolved at
 * call time only (see request.ts for how).
 *
 * Output is the JSON response body when it is an object, `{value: …}` when it
 * is another JSON value, `{}` when the body is empty (204, HEAD). A non-2xx
 * answer is a ToolError `HTTP_<status>`, transient for 408, 429 and 5xx;
 * errors name the URL template, never the rendered URL or headers, and have
 * secrets redacted from any echoed body.
 */
import { ToolError } from "../../tool-error.js";
import type { Kind } from "../../types.js";
import { ManifestError } from "../../../errors.js";
import { checkTemplate, redact } from "../template.js";
import { renderRequest, type RequestTemplate } from "./request.js";

const TRANSIENT = (status: number) => status === 408 || status === 429 || status >= 500;

export const httpKind: Kind = {
  async load(set, { file }) {
    if (set.implementation.kind !== "http") throw new Error("unreachable");
    const base = { baseUrl: set.implementation.baseUrl, headers: set.implementation.headers };
    checkTemplate(file, set.name, "implementation.headers", base.headers ?? {});
    const requests = new Map<string, RequestTemplate>();
    for (const tool of set.tools) {
      if (!tool.request) throw new ManifestError(file, `tool ${tool.name}: http tools need \`request: {method, url}\``);
      checkTemplate(file, tool.name, "request", tool.request);
      requests.set(tool.name, tool.request);
    }
    return {
      driver: {
        async call(tool, args, context) {
          const template = requests.get(tool.name)!;
          const where = `${template.method} ${template.url}`;
          const { url, init } = renderRequest(template, base, {
            args,
            secrets: context.secrets,
            idempotencyKey: context.idempotencyKey,
            dryRun: context.dryRun,
          });
          let response: Response;
          try {
            // Never follow redirects: a 3xx could carry the request's secret headers to another host.
            response = await fetch(url, { ...init, redirect: "manual", signal: context.signal });
          } catch (cause) {
            if (context.signal.aborted) throw context.signal.reason;
            const reason = redact(String((cause as Error).cause ?? (cause as Error).message), context.secrets);
            throw new ToolError(
              "HTTP_UNREACHABLE",
              `${where} could not be sent (${reason}); check that the service is up`,
              { transient: true },
            );
          }
          if (response.status >= 300 && response.status < 400) {
            const to = response.headers.get("location") ?? "no location";
            throw new ToolError(
              "HTTP_REDIRECT",
              `${where} answered ${response.status} redirecting to ${redact(to, context.secrets)}; http tools do not follow redirects (they could carry secrets elsewhere): put the final address in the manifest`,
            );
          }
          const text = await readBounded(response, where);
          const snippet = () => redact(text.slice(0, 300), context.secrets);
          if (!response.ok) {
            throw new ToolError(
              `HTTP_${response.status}`,
              `${where} answered ${response.status} ${response.statusText}${text ? `: ${snippet()}` : ""}`,
              { transient: TRANSIENT(response.status) },
            );
          }
          if (text.trim() === "") return {};
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            const type = response.headers.get("content-type") ?? "no content-type";
            throw new ToolError(
              "RESPONSE_NOT_JSON",
              `${where} answered ${response.status} with a body that is not JSON (${type}): ${snippet()}; http tools expect JSON responses`,
            );
          }
          return body !== null && typeof body === "object" && !Array.isArray(body) ? body : { value: body };
        },
      },
    };
  },
};

/** A response body is held in memory and may land in a journal: past this, it is an error, not an output. */
export const MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

async function readBounded(response: Response, where: string): Promise<string> {
  const tooLarge = () =>
    new ToolError(
      "RESPONSE_TOO_LARGE",
      `${where} answered with more than ${MAX_RESPONSE_BYTES / 1024 / 1024} MiB; http tools expect small JSON answers — page or filter the request`,
    );
  if (Number(response.headers.get("content-length") ?? 0) > MAX_RESPONSE_BYTES) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (!response.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_RESPONSE_BYTES) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
