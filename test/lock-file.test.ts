import { mkdtempSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { acquireLockFile, LockBusy } from "../src/lock-file.js";

const fresh = () => join(mkdtempSync(join(tmpdir(), "planfile-lockfile-")), "x.lock");

describe("a pid lock file", () => {
  it("is taken, holds our pid, and is gone once released", () => {
    const file = fresh();
    const release = acquireLockFile(file);
    expect(readFileSync(file, "utf8")).toBe(String(process.pid));
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
