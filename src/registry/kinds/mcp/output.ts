/**
 * Turns an MCP tool result into a planfile output object: the server's
 * `structuredContent` when it sends one (it then matches the server's output
 * schema), otherwise `{content, text}` with the raw content blocks and their
 * text joined by newlines, which CONTENT_OUTPUT_SCHEMA describes.
 */
import { ToolError } from "../../tool-error.js";
import type { JsonSchemaObject } from "../../types.js";

export const CONTENT_OUTPUT_SCHEMA: JsonSchemaObject = {
  type: "object",
  required: ["content", "text"],
  properties: {
    content: { type: "array", items: { type: "object", required: ["type"] } },
    text: { type: "string" },
  },
};

interface ContentBlock {
  type: string;
  text?: string;
}

export interface ToolResult {
  content?: ContentBlock[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

export function toOutput(serverName: string, result: ToolResult): Record<string, unknown> {
  const content = result.content ?? [];
  const text = content
    .filter((b) => b.type === "text" && typeof b.text === "string")
    .map((b) => b.text)
    .join("\n");
  if (result.isError) {
    throw new ToolError(
      "MCP_TOOL_ERROR",
      `the server's \`${serverName}\` reported an error: ${text.slice(0, 500) || "(no text)"}`,
    );
  }
  return result.structuredContent ?? { content, text };
}

/** Server schemas often name draft-07 in `$schema`; planfile compiles with draft 2020-12, whose keywords cover what tools use. */
export function fromServer(schema: unknown): JsonSchemaObject | undefined {
  if (!schema || typeof schema !== "object") return undefined;
  const { $schema: _ignored, ...rest } = schema as Record<string, unknown>;
  return rest;
}
