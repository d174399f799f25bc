/**
 * Ctrl-C for the runner's commands: the first press asks for a clean stop
 * (the run lets running steps finish, then rolls back), the second leaves at
 * once (the journal lets `--resume` or `rollback.ts` pick up).
 *
 * On a terminal, stdin goes to raw mode and ^C arrives as a byte, exactly one
 * per key press. A terminal's ^C would otherwise be a SIGINT to the whole
 * foreground process group: `npx` forwards its copy to tsx, and tsx relays
 * its own to us (and SIGKILLs us if we do not acknowledge a relayed signal
 * within 60 ms), so one press could arrive two or three times. Signals from
 * elsewhere (`kill -INT`) still count, but copies within SIGNAL_ECHO_MS of a
 * press are taken as echoes of it. See docs/decisions/0140-interrupts.md.
 */
import type { ReadStream } from "node:tty";

export const SIGNAL_ECHO_MS = 1000;
const CTRL_C = 0x03;

export interface Interrupts {
  /** Aborted at the first press. */
  readonly signal: AbortSignal;
  /** A prompt takes the terminal (readline sets its own mode); `resume` takes it back. */
  pause(): void;
  resume(): void;
  dispose(): void;
}

export interface InterruptHandlers {
  first: () => void;
  /** Must end the process (or at least stop all work): the second press means "leave now". */
  second: () => void;
}

export function watchInterrupts(
  handlers: InterruptHandlers,
  input: NodeJS.ReadableStream & Partial<Pick<ReadStream, "isTTY" | "setRawMode">> = process.stdin,
): Interrupts {
  const controller = new AbortController();
  let presses = 0;
  let lastPress = Number.NEGATIVE_INFINITY;
  let paused = false;
  let disposed = false;
  const press = () => {
    lastPress = performance.now();
    presses++;
    if (presses === 1) {
      controller.abort();
      handlers.first();
    } else handlers.second();
  };
  const onSignal = () => {
    if (performance.now() - lastPress < SIGNAL_ECHO_MS) return;
    press();
  };
  const onData = (chunk: Buffer | string) => {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    for (const b of bytes) if (b === CTRL_C) press();
  };
  const tty = input.isTTY === true && typeof input.setRawMode === "function";
  const raw = (on: boolean) => {
    if (!tty) return;
    try {
      input.setRawMode!(on);
    } catch {
      // The terminal went away (hang-up): nothing left to restore.
    }
  };
  const take = () => {
    if (!tty || disposed) return;
    raw(true);
    input.on("data", onData);
    input.resume();
  };
  const release = () => {
    if (!tty) return;
    input.off("data", onData);
    input.pause();
    raw(false);
  };
  const restore = () => raw(false);
  process.on("SIGINT", onSignal);
  process.on("exit", restore);
  take();
  return {
    signal: controller.signal,
    pause: () => {
      if (paused || disposed) return;
      paused = true;
      release();
    },
    resume: () => {
      if (!paused || disposed) return;
      paused = false;
      take();
    },
    dispose: () => {
      if (disposed) return;
      if (!paused) release();
      disposed = true;
      process.off("SIGINT", onSignal);
      process.off("exit", restore);
    },
  };
}
