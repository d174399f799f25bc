import { createHash } from "node:crypto";
import canonicalizeModule from "canonicalize";
import type { Plan } from "../schema/types.generated.js";

// canonicalize is CommonJS; its typings describe the ESM default, Node gives module.exports.
const canonicalize = ((canonicalizeModule as { default?: unknown }).default ?? canonicalizeModule) as (
  input: unknown,
) => string | undefined;

/**
 * sha256 of the plan's canonical JSON (RFC 8785): formatting, comments and key
 * order do not change it; any change of meaning does. The runner compares it
 * with the digest recorded at approval.
 */
export function planDigest(plan: Plan): string {
  return `sha256:${createHash("sha256")
    .update(canonicalize(plan) ?? "")
    .digest("hex")}`;
}
