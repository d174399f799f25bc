import { describe, expect, it } from "vitest";
import { Redactor } from "../../src/runner/redact.js";

const SECRET = "s3cr3t/tok+en=x y";
const redactor = new Redactor([SECRET]);

describe("a secret is redacted in each form a tool may send it in", () => {
  it.each([
    ["raw", `token ${SECRET} end`],
    ["URL-encoded", `GET /x?t=${encodeURIComponent(SECRET)}`],
    ["form-encoded", `t=${encodeURIComponent(SECRET).replace(/%20/g, "+")}`],
    ["JSON-escaped", JSON.stringify({ body: JSON.stringify({ t: SECRET }) })],
    ["base64", `X-Token: ${Buffer.from(SECRET).toString("base64")}`],
    ["base64url", Buffer.from(SECRET).toString("base64url")],
    ["inside a Basic auth header", `Authorization: Basic ${Buffer.from(`ada:${SECRET}`).toString("base64")}`],
    ["inside a longer base64 value", Buffer.from(`xy${SECRET}tail`).toString("base64")],
  ])("%s", (_form, text) => {
    const out = redactor.text(text);
    expect(out).toContain("***");
    for (const lead of ["", "a", "ab"]) {
      const core = Buffer.from(lead + SECRET)
        .toString("base64")
        .slice(lead ? lead.length + 1 : 0, -4);
      expect(out).not.toContain(core);
    }
    expect(out).not.toContain(SECRET);
  });

  it("leaves text without the secret alone", () => {
    expect(redactor.text("nothing to hide here")).toBe("nothing to hide here");
  });
});
