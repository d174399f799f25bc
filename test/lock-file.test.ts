import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { acquireLockFile, LockBusy } from "../src/lock-file.js";
import { processStart } from "../src/process-start.js";

const fresh = () => join(mkdtempSync(join(tmpdir(), "planfile-lockfile-")), "x.lock");

describe("a pid lock file", () => {
  it("is taken, holds our pid, and is gone once released", () => {
    const file = fresh();
    const release = acquireLockFile(file);
    expect(readFileSync(file, "utf8")).toMatch(new RegExp(`^${process.pid} \\d+ [0-9a-f]{16}$`));
    release();
    expect(() => readFileSync(file)).toThrow();
  });

  it("is not taken while a live process holds it", () => {
    const file = fresh();
    writeFileSync(file, String(process.ppid));
    expect(() => acquireLockFile(file)).toThrow(LockBusy);
  });

  it("is taken over from a process that died", () => {
    const file = fresh();
    writeFileSync(file, "2147483646");
    acquireLockFile(file)();
  });

  it("is taken over from a later process that reused the dead owner's pid", async () => {
    const sleeper = spawn("sleep", ["60"]);
    try {
      const file = fresh();
      // The old format (pid only), written an hour before the pid's current process started.
      writeFileSync(file, String(sleeper.pid));
      const anHourAgo = new Date(Date.now() - 3_600_000);
      utimesSync(file, anHourAgo, anHourAgo);
      acquireLockFile(file)();
      // The current format records the owner's start time, which the reusing process does not share.
      writeFileSync(file, `${sleeper.pid} 1 0123456789abcdef`);
      acquireLockFile(file)();
      // The same pid and start time is the owner itself: busy.
      writeFileSync(file, `${sleeper.pid} ${processStart(sleeper.pid!)} 0123456789abcdef`);
      expect(() => acquireLockFile(file)).toThrow(LockBusy);
    } finally {
      sleeper.kill();
    }
  });

  it("is not stolen while still empty: its owner is between creating it and writing its pid", () => {
    const file = fresh();
    writeFileSync(file, "");
    expect(() => acquireLockFile(file)).toThrow(/another process/);
  });

  it("is taken over when it stayed empty: its owner died between creating it and writing its pid", () => {
    const file = fresh();
    writeFileSync(file, "");
    const longAgo = new Date(Date.UTC(2020, 0, 1));
    utimesSync(file, longAgo, longAgo);
    acquireLockFile(file)();
  });
});

/** A process in the race, answering one line per command. */
class Contender {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: ((line: string) => void)[] = [];
  constructor(file: string) {
    this.child = spawn(process.execPath, ["--import", "tsx", "test/fixtures/lock/contender.ts", file]);
    createInterface({ input: this.child.stdout }).on("line", (line) => this.waiting.shift()?.(line));
  }
  next(): Promise<string> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }
  send(command: string): Promise<string> {
    const answer = this.next();
    this.child.stdin.write(`${command}\n`);
    return answer;
  }
  stop(): void {
    this.child.kill();
  }
}

describe("taking over a stale lock", () => {
  it("has exactly one winner in each of 100 races between 8 processes", { timeout: 120_000 }, async () => {
    const file = fresh();
    const contenders = Array.from({ length: 8 }, () => new Contender(file));
    try {
      expect(await Promise.all(contenders.map((c) => c.next()))).toEqual(contenders.map(() => "ready"));
      const winners: number[] = [];
      for (let trial = 0; trial < 100; trial++) {
        // What a crash leaves behind: a lock naming a process that is gone (both formats).
        writeFileSync(file, trial % 2 ? "2147483646" : "2147483646 1 dead-owner-nonce");
        const answers = await Promise.all(contenders.map((c) => c.send(`go ${trial}`)));
        winners.push(answers.filter((a) => a === `${trial} won`).length);
        expect(answers.every((a) => a === `${trial} won` || a === `${trial} busy`)).toBe(true);
        await Promise.all(contenders.map((c) => c.send("release")));
      }
      expect(winners).toEqual(winners.map(() => 1));
    } finally {
      for (const c of contenders) c.stop();
    }
  });
});
