/**
 * Renders an http tool's request template into a fetch request. Values put
 * into the URL are percent-encoded, so an arg cannot add a path segment or a
 * query parameter; a relative URL is appended to `baseUrl`.
 */
import { substitute } from "../../../references/index.js";
import { ToolError } from "../../tool-error.js";
import type { Tool } from "../../../schema/types.generated.js";
import { lookup, renderText } from "../template.js";

export type RequestTemplate = NonNullable<Tool["request"]>;

export interface Rendered {
  url: string;
  init: RequestInit & { method: string; headers: Record<string, string> };
}

export interface Call {
  args: unknown;
  secrets: Readonly<Record<string, string>>;
  idempotencyKey?: string;
  dryRun: boolean;
}

const WITHOUT_BODY = new Set(["GET", "HEAD", "DELETE"]);

export function renderRequest(
  template: RequestTemplate,
  base: { baseUrl?: string; headers?: Record<string, string> },
  call: Call,
): Rendered {
  const path = renderText(template.url, call.args, call.secrets, encodeURIComponent);
  const url = /^[a-z][a-z0-9+.-]*:/i.test(path) ? path : joinUrl(base.baseUrl, path);
  const headers: Record<string, string> = { accept: "application/json" };
  for (const [name, value] of Object.entries({ ...base.headers, ...template.headers })) {
    headers[name.toLowerCase()] = renderText(value, call.args, call.secrets);
  }
  if (call.idempotencyKey) headers["idempotency-key"] = call.idempotencyKey;
  if (call.dryRun) headers["planfile-dry-run"] = "1";
  const init: Rendered["init"] = { method: template.method, headers };
  // Without a body template, a method that carries a body sends the validated args.
  const body =
    template.body !== undefined
      ? render(template.body, call)
      : WITHOUT_BODY.has(template.method)
        ? undefined
        : call.args;
  if (body !== undefined && template.method !== "HEAD") {
    init.body = JSON.stringify(body);
    headers["content-type"] ??= "application/json";
  }
  return { url, init };
}

/** Whole-string references keep their type in a JSON body (a number stays a number); absent optional args become null. */
function render(body: unknown, call: Call): unknown {
  return substitute(body, (ref) => lookup(ref, call.args, call.secrets) ?? null);
}

function joinUrl(baseUrl: string | undefined, path: string): string {
  if (!baseUrl)
    throw new ToolError(
      "URL_INVALID",
      `url \`${path}\` is relative but the implementation has no \`baseUrl\`; add one or write a full URL`,
    );
  return `${baseUrl.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
}
