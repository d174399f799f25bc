/** The registered tools as people read them: `tsx src/tools.ts` and `tsx src/tools.ts <name>`. */
import { stringify } from "yaml";
import { toolRisk } from "../policy/classify.js";
import type { ToolDefinition } from "./types.js";

export function formatToolList(tools: readonly ToolDefinition[]): string {
  const width = Math.max(4, ...tools.map((t) => t.name.length));
  const lines = tools.map((t) => {
    const flags = [t.effect, toolRisk(t).risky ? "risky" : "", t.idempotent ? "idempotent" : "", t.probe ? "probe" : ""]
      .filter(Boolean)
      .join(",");
    return `${t.name.padEnd(width)}  ${flags.padEnd(28)}  ${t.description}`;
  });
  return [`${"TOOL".padEnd(width)}  ${"EFFECT".padEnd(28)}  DESCRIPTION`, ...lines].join("\n");
}

/** One tool in full: what it does, how it is undone, and its schemas. */
export function formatTool(tool: ToolDefinition): string {
  const { manifest } = tool;
  return stringify(
    {
      name: tool.name,
      description: tool.description,
      kind: tool.kind,
      declaredIn: tool.file,
      effect: tool.effect,
      risk: toolRisk(tool),
      idempotent: tool.idempotent,
      probe: tool.probe,
      dryRun: tool.dryRun,
      timeoutMs: tool.timeoutMs,
      ...(tool.compensation ? { compensation: tool.compensation } : {}),
      ...(manifest.verify ? { verify: manifest.verify } : {}),
      input: tool.inputSchema,
      output: tool.outputSchema,
      ...(manifest.examples ? { examples: manifest.examples } : {}),
    },
    { lineWidth: 0 },
  );
}
