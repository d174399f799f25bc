/**
 * Runs one process without a shell, in its own process group so that a
 * timeout or cancel also ends whatever it started (a `sh -c` wrapper, a
 * `sleep` grandchild). Output is captured up to a bound per stream.
 */
import { spawn } from "node:child_process";
import { ToolError } from "../../tool-error.js";

export const MAX_CAPTURE_BYTES = 1024 * 1024;
/** Time a process gets between SIGTERM and SIGKILL. */
export const KILL_GRACE_MS = 2_000;

export interface SpawnResult {
  exitCode: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface SpawnOptions {
  env: NodeJS.ProcessEnv;
  /** Written to the child's standard input (then closed); without it, stdin is /dev/null. */
  stdin?: string;
  cwd?: string;
  signal: AbortSignal;
  /** Called with a kill function while the process runs, so the driver can end it on close(). */
  track: (kill: () => void) => () => void;
}

export function run(argv: string[], options: SpawnOptions): Promise<SpawnResult> {
  const [program, ...rest] = argv;
  return new Promise((resolve, reject) => {
    if (options.signal.aborted) return reject(options.signal.reason);
    const child = spawn(program!, rest, {
      shell: false,
      detached: true,
      stdio: [options.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      env: options.env,
      cwd: options.cwd,
    });
    if (options.stdin !== undefined && child.stdin) {
      child.stdin.on("error", () => {}); // a child that exits without reading its input is not our failure
      child.stdin.end(options.stdin);
    }
    const stdout = capture(child.stdout!);
    const stderr = capture(child.stderr!);
    let killTimer: NodeJS.Timeout | undefined;
    const killGroup = () => {
      signalGroup(child.pid, "SIGTERM");
      killTimer ??= setTimeout(() => signalGroup(child.pid, "SIGKILL"), KILL_GRACE_MS);
      // Let the test runner or CLI exit while a stubborn process is being killed.
      killTimer.unref();
    };
    const untrack = options.track(killGroup);
    options.signal.addEventListener("abort", killGroup, { once: true });
    const done = () => {
      untrack();
      options.signal.removeEventListener("abort", killGroup);
    };
    child.on("error", (cause) => {
      done();
      const code = (cause as NodeJS.ErrnoException).code;
      reject(
        new ToolError(
          "SPAWN_FAILED",
          `cannot start \`${program}\` (${code ?? cause.message}); check that it is installed and on PATH`,
          { cause },
        ),
      );
    });
    child.on("close", (exitCode, signal) => {
      done();
      // The group may outlive its leader; a finished call leaves nothing behind.
      if (killTimer) {
        clearTimeout(killTimer);
        signalGroup(child.pid, "SIGKILL");
      }
      if (options.signal.aborted) return reject(options.signal.reason);
      resolve({ exitCode: exitCode ?? -1, signal, stdout: stdout.text(), stderr: stderr.text() });
    });
  });
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone: nothing to kill.
  }
}

function capture(stream: NodeJS.ReadableStream): { text: () => string } {
  const chunks: Buffer[] = [];
  let kept = 0;
  let dropped = 0;
  stream.on("data", (chunk: Buffer) => {
    const room = MAX_CAPTURE_BYTES - kept;
    if (room > 0) {
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      chunks.push(part);
      kept += part.length;
    }
    dropped += chunk.length - Math.min(chunk.length, Math.max(room, 0));
  });
  return {
    text: () => {
      const text = Buffer.concat(chunks).toString("utf8");
      return dropped > 0 ? `${text}\n[planfile: ${dropped} more bytes dropped after ${MAX_CAPTURE_BYTES}]` : text;
    },
  };
}
