import { describe, expect, it } from "vitest";
import { liveReporter } from "../../src/runner/report.js";

describe("the live table on a TTY", () => {
  it("stays put once stopped: a second stop (or a late event) never redraws over the summary printed after it", () => {
    let screen = "";
    const live = liveReporter(
      (t) => void (screen += t),
      [
        { id: "a", tool: "t.one" },
        { id: "b", tool: "t.longer-name" },
      ],
    );
    live.listener({ type: "step-started", step: "a", tool: "t.one", attempt: 1, dryRun: false });
    live.listener({ type: "step-completed", step: "a", output: {}, durationMs: 3, dryRun: false });
    live.stop();
    const afterStop = screen;
    live.stop();
    live.listener({ type: "step-completed", step: "b", output: {}, durationMs: 1, dryRun: false });
    expect(screen).toBe(afterStop);
    // The last drawing lists every step with its tool, columns aligned to the longest tool name.
    expect(
      afterStop
        .split("\n")
        .filter((l) => l.includes("t."))
        .at(-2),
    ).toMatch(/✓ a {2}done {8}t\.one {10}3 ms/);
  });
});
