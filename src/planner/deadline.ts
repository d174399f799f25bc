/**
 * One deadline for a whole planning call: every model request, its body,
 * retries, backoff, the read round and repairs all share it. An AbortSignal
 * carries it so the SDK's fetch, a body still trickling in, and a backoff
 * sleep are all cut at the same instant.
 */
import { setMaxListeners } from "node:events";

/** The reason a deadline's signal aborts with, so callers can tell it from a user's cancel. */
export class DeadlineExceeded extends Error {
  constructor(readonly ms: number) {
    super(`the planning deadline of ${ms} ms passed`);
    this.name = "DeadlineExceeded";
  }
}

export interface Deadline {
  ms: number;
  signal: AbortSignal;
  /** Milliseconds left, never negative. */
  remaining(): number;
  /** Stops the timer (call when planning ends early). */
  dispose(): void;
}

/** A deadline `ms` from now, also aborted when `parent` aborts (with the parent's reason). */
export function startDeadline(ms: number, parent?: AbortSignal): Deadline {
  const controller = new AbortController();
  // Each request of the SDK adds a listener; a planning call makes a handful.
  setMaxListeners(64, controller.signal);
  const end = performance.now() + ms;
  const timer = setTimeout(() => controller.abort(new DeadlineExceeded(ms)), ms);
  const onParent = () => controller.abort(parent?.reason);
  if (parent?.aborted) onParent();
  else parent?.addEventListener("abort", onParent, { once: true });
  return {
    ms,
    signal: controller.signal,
    remaining: () => Math.max(0, end - performance.now()),
    dispose: () => {
      clearTimeout(timer);
      parent?.removeEventListener("abort", onParent);
    },
  };
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleepUnless(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** The model's whole part of planning, by default (the openai SDK is not needed to know it). */
export const DEFAULT_TIMEOUT_MS = 180_000;
