// The error a tool call rejects with, checked to be of the expected class (ToolCallError unless told).
import { expect } from "vitest";
import { ToolCallError } from "../../../src/errors.js";

export async function failure<T extends Error = ToolCallError>(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => T = ToolCallError as never,
): Promise<T> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as T;
}
