/**
 * Seeded transient failures. The draw depends only on the seed and the
 * call's sequence number, so the same calls against the same world fail the
 * same way every time — and a retry (a new sequence number) may succeed.
 */
import type { Chaos } from "./types.js";

export function chaosStrikes(chaos: Chaos | undefined, seq: number): boolean {
  if (!chaos || chaos.transientRate <= 0) return false;
  return draw(chaos.seed, seq) < chaos.transientRate;
}

/** mulberry32 over a mix of seed and seq: a uniform number in [0, 1). */
export function draw(seed: number, seq: number): number {
  let t = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(seq | 0, 0x85ebca6b)) >>> 0;
  t = (t + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
