// The file journal's group commit: asks for durability share fdatasyncs, and a failed one is never forgotten.
import { describe, expect, it } from "vitest";
import { Journal, journalSyncs, readJournal } from "../../src/runner/journal.js";
import { tempDir } from "./helpers.js";

const line = (n: number) => ({ t: "resumed" as const, at: `t${n}`, digest: "sha256:0" });

describe("journal group commit", () => {
  it("every ask made in one turn of the event loop shares one fdatasync", async () => {
    const journal = new Journal(tempDir());
    const before = journalSyncs();
    journal.append(line(1));
    const first = journal.sync();
    journal.append(line(2));
    const second = journal.sync();
    await Promise.all([first, second, journal.sync()]);
    expect(journalSyncs() - before).toBe(1);
    await journal.close();
  });

  it("asks made while an fdatasync runs share the next one, which covers their lines", async () => {
    const dir = tempDir();
    const journal = new Journal(dir);
    const before = journalSyncs();
    journal.append(line(1));
    const first = journal.sync();
    await new Promise((r) => setImmediate(r)); // the first fdatasync has started
    journal.append(line(2));
    const second = journal.sync();
    journal.append(line(3));
    const third = journal.sync();
    await Promise.all([first, second, third]);
    expect(journalSyncs() - before).toBe(2);
    expect(await journal.sync()).toBeUndefined(); // nothing left: no third fdatasync
    expect(journalSyncs() - before).toBe(2);
    await journal.close();
    expect(readJournal(dir).map((e) => e.at)).toEqual(["t1", "t2", "t3"]);
  });

  it("after a failed fdatasync every later sync fails too, even once the file could be synced again", async () => {
    const journal = new Journal(tempDir());
    const fd = (journal as unknown as { fd: number }).fd;
    journal.append(line(1));
    (journal as unknown as { fd: number }).fd = 1_000_000; // not an open file: fdatasync fails with EBADF
    await expect(journal.sync()).rejects.toThrow(/could not be made durable/);
    (journal as unknown as { fd: number }).fd = fd;
    journal.append(line(2));
    await expect(journal.sync()).rejects.toThrow(/could not be made durable/);
    await expect(journal.close()).rejects.toThrow(/could not be made durable/);
  });
});
