// The fast path (js-yaml, no syntax tree) must agree with `yaml`, the parser of record, on every text it
// answers for: the same data, deep-equal to the last -0 and NaN, and never a file `yaml` rejects. Where it is
// unsure it answers nothing and `yaml` decides, so the only cost of a wrong "unsure" is memory.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { chainReadingFirst } from "../../bench/hostile-plans.js";
import { byteEdits } from "../support/edits.js";
import { plainYamlData } from "../../src/schema/plain-yaml.js";
import { normalizeLineEnds, parseWithYaml, parseYamlSource, SOURCE_LIMITS } from "../../src/schema/source.js";

/** "fast" when the fast path answered (and agreed), "deferred" when it left the text to `yaml`. */
function agreement(raw: string): "fast" | "deferred" {
  const text = normalizeLineEnds(raw);
  const fast = plainYamlData(text, SOURCE_LIMITS.maxDepth);
  if (!fast) return "deferred";
  const reference = parseWithYaml(text, "f.yaml");
  if (!reference.ok)
    throw new Error(`fast path accepted what yaml rejects:\n${raw}\n${reference.problems[0]!.message}`);
  if (!isDeepStrictEqual(fast.data, reference.data)) {
    expect(fast.data, `fast path built other data for:\n${raw}`).toStrictEqual(reference.data);
    throw new Error(`fast path built other data (-0, NaN or own keys) for:\n${raw}`);
  }
  return "fast";
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return ["node_modules", ".git", ".planfile", "dist"].includes(entry.name) ? [] : yamlFiles(path);
    return /\.ya?ml$/.test(entry.name) ? [path] : [];
  });
}

describe("every YAML file in the repository", () => {
  const files = yamlFiles(".");

  it("finds the repository's plans, manifests, evals and fixtures", () => {
    expect(files.length).toBeGreaterThan(100);
    for (const dir of ["plans/", "tools/", "evals/", "test/fixtures/"])
      expect(files.some((f) => f.startsWith(dir))).toBe(true);
  });

  it.each(files)("%s: same data, or left to yaml", (file) => {
    agreement(readFileSync(file, "utf8"));
  });

  it("plans take the fast path, and most other files too", () => {
    const plans = files.filter((f) => /^plans\/|^evals\/.*\/reference\.yaml$|^test\/fixtures\/plans\/valid/.test(f));
    expect(plans.length).toBeGreaterThan(5);
    expect(plans.filter((f) => agreement(readFileSync(f, "utf8")) === "deferred")).toEqual([]);
    const fast = files.filter((f) => agreement(readFileSync(f, "utf8")) === "fast");
    expect(fast.length).toBeGreaterThan(files.length * 0.7);
  });
});

describe("a valid plan keeps no YAML document", () => {
  const text = readFileSync("test/fixtures/plans/valid.yaml", "utf8");

  it("parseYamlSource answers from the fast path and parses positions only when one is asked for", () => {
    const parsed = parseYamlSource(text, "valid.yaml");
    if (!parsed.ok) throw new Error(parsed.problems[0]!.message);
    expect(parsed.source.hasDocument).toBe(false);
    expect(parsed.source.locate(["steps", 1, "tool"])).toMatchObject({ file: "valid.yaml", line: expect.any(Number) });
    expect(parsed.source.hasDocument).toBe(true);
  });

  it("a plan of thousands of steps, as the planner writes it, takes the fast path", () => {
    expect(agreement(stringify(chainReadingFirst(5000)))).toBe("fast");
  });

  it("a file with an anchor is parsed by yaml, document and all", () => {
    const parsed = parseYamlSource(`${text}\nx-shared: &shared {a: 1}\n`, "anchored.yaml");
    expect(parsed.ok && parsed.source.hasDocument).toBe(true);
  });
});

describe("hostile and unusual YAML is left to yaml, which keeps its messages", () => {
  const plan = readFileSync("test/fixtures/plans/valid.yaml", "utf8");
  it.each([
    ["an alias bomb", readFileSync("test/fixtures/plans/invalid/alias-bomb.yaml", "utf8")],
    ["an anchor and alias", "a: &x 1\nb: *x\n"],
    ["an anchor on a collection", "a: &x\n  k: v\n"],
    ["an alias without an anchor", "a: *nowhere\n"],
    ["a merge key", "base: &b {x: 1}\nuse:\n  <<: *b\n"],
    ["a merge key without alias", "use:\n  <<: {x: 1}\n"],
    ["a local tag", "a: !foo bar\n"],
    ["a js tag", "a: !!js/function 'function () {}'\n"],
    ["an explicit core tag", "a: !!str 1\nb: !!int '2'\n"],
    ["an explicit int tag on a plain int", "a: !!int 7\n"],
    ["the non-specific tag", "a: ! 12\n"],
    ["a verbatim tag", "a: !<tag:yaml.org,2002:str> 12\n"],
    ["a %YAML 1.1 directive", "%YAML 1.1\n---\na: yes\nb: 0b11\n"],
    ["a %TAG directive", "%TAG !e! tag:example.com,2000:\n---\na: !e!x 1\n"],
    ["two documents", "a: 1\n---\nb: 2\n"],
    ["a document end marker then more", "a: 1\n...\nb: 2\n"],
    ["a duplicate key", "a: 1\na: 2\n"],
    ["a duplicate key under quotes", "a: 1\n'a': 2\n"],
    ["a duplicate numeric key", "1: a\n01: b\n"],
    ["the fixture with a duplicate key", readFileSync("test/fixtures/plans/invalid/duplicate-key.yaml", "utf8")],
    ["an unquoted ternary, which yaml rejects", "when: a ? b : c\n"],
    ["a __proto__ key", "__proto__: {polluted: true}\na: 1\n"],
    ["a quoted __proto__ key", '"__proto__": 1\n'],
    ["a null key", "~: a\nnull: b\n"],
    ["an empty key", "? \n: a\n"],
    ["an explicit key", "? a\n: b\n"],
    ["a flow sequence as a key", "[a, b]: c\n"],
    ["a flow map as a key", "{a: 1}: c\n"],
    ["a one-item flow sequence as a key", "[a]: c\n"],
    ["an empty flow map as a key", "x:\n  {} : c\n"],
    ["a flow sequence as a key inside a flow map", "{[a]: b}\n"],
    ["a flow sequence as a key without a value", "{[a]}\n"],
    ["a flow sequence as a later key without a value", "{a: [b], [c]}\n"],
    ["a flow sequence as a key inside a flow sequence", "[[a, b]: c]\n"],
    ["an explicit key holding a sequence", "? - a\n  - b\n: c\n"],
    ["content after the document marker", "--- - a\n"],
    ["a key that starts like a document marker", "---.: v\n"],
    ["a comment glued to the document marker", "---# c\na: 1\n"],
    ["a block scalar as the document, its text in column 0", "   >-\n# c\n"],
    ["a scalar as the document", "plain\n"],
    ["an empty sequence item, then a less indented one", "k:\n  - a\n  -\n- b\n"],
    ["an empty item in a sequence in a sequence", "- -\n- yes\n"],
    ["a tag before a block scalar on the next line", "k: !x\n  >\n"],
    ["a block scalar with an indentation indicator", "k: |1-\n  !\n"],
    ["a tab before the document marker", "\t---\na: 1\n"],
    ["an escaped line break before an empty line", 'k: "a\\\n\n   yes "\n'],
    ["a comment glued to a flow map", "a: {b: 1}#c\n"],
    ["a comment glued to a quoted string", "a: 'b'#c\n"],
    ["deep flow nesting", `${"[".repeat(50_000)}${"]".repeat(50_000)}`],
    ["deep block maps", `a: ${"{a: ".repeat(200)}1${"}".repeat(200)}\n`],
    ["65 levels", `${"- ".repeat(65)}x\n`],
    ["only a comment", "# nothing\n"],
    ["only a document marker", "---\n"],
    ["a syntax error", readFileSync("test/fixtures/plans/invalid/yaml-syntax.yaml", "utf8")],
    ["an unclosed flow map", "a: {b: 1\n"],
    ["a tab as indentation", "a:\n\tb: 1\n"],
    ["a plan and then a second document", `${plan}---\nmore: 1\n`],
  ])("%s", (_name, text) => {
    expect(agreement(text)).toBe("deferred");
    // And what parseYamlSource says of it is yaml's word: the same data, or the same problems at the same places.
    const reference = parseWithYaml(normalizeLineEnds(text), "h.yaml");
    const parsed = parseYamlSource(text, "h.yaml");
    if (reference.ok) expect(parsed.ok && parsed.data).toStrictEqual(reference.data);
    else expect(parsed).toStrictEqual(reference);
  });

  it.each([
    ["a leading document marker", `# a plan\n--- # starts here\n${plan}`],
    ["a byte-order mark", `\uFEFF${plan}`],
    ["CRLF line ends", plan.replace(/\n/g, "\r\n")],
    ["lone CR line ends", plan.replace(/\n/g, "\r")],
    ["64 levels", `${"- ".repeat(64)}x\n`],
    ["a long key", `${"k".repeat(2000)}: v\n`],
    ["shell operators that look like anchors and aliases", "cmd: make && ./run *.txt & echo !done\n"],
    ["a number key", "1: a\n0x1F: b\n.inf: c\n-0: d\n"],
    ["a boolean key", "true: a\nFalse: b\n"],
  ])("%s: same data, or left to yaml", (_name, text) => {
    agreement(text);
  });

  it.each([
    ["a flow map", '{"a":1, b: c, d}\n'],
    ["a flow map over lines", "{a: b c\n  d, e: [f, {g: h}]}\n"],
    ["a flow sequence of collections", "[{a: 1}, [b], c: d]\n"],
  ])("a document that is %s takes the fast path", (_name, text) => {
    expect(agreement(text)).toBe("fast");
  });

  it("shell commands, expressions and templates do not keep a plan from the fast path", () => {
    const text = [
      "steps:",
      "  - run: make && ./deploy *.tar & wait",
      "    note: 'why & how?'",
      '    expect: "outputs.count > 0 ? outputs.ok : false"',
      "    args: {path: \"${{ steps.dump.outputs.path }}\", name: '{{ naming.copy }}: snapshot'}",
      "    cmd: echo ${{ steps.dump.outputs.path }} done}",
      "    when: 'a ? b : c'",
      "",
    ].join("\n");
    expect(agreement(text)).toBe("fast");
  });
});

/** Scalars that YAML 1.1, js-yaml's own schemas and YAML 1.2 core read differently. */
const TRICKY = [
  ...["yes", "no", "on", "off", "y", "n", "Yes", "ON", "true", "True", "TRUE", "tRUE", "false", "FALSE"],
  ...["~", "null", "Null", "NULL", "nULL", "", "0", "-0", "+0", "00", "017", "0o17", "0O17", "0o8", "0x1F"],
  ...["0X1F", "0x", "0b101", "1_000", "1,000", "+1", "-1", "+.5", "-.5", ".5", "5.", "1.0", "1.50", "1e3"],
  ...["1E3", "1e+3", "1.5e-3", "+1e3", ".1e3", "1e", "e3", ".inf", "-.inf", "+.inf", ".Inf", ".INF"],
  ...[".iNF", ".nan", ".NaN", ".NAN", ".nAn", "nan", "inf", "Infinity", "-Infinity", "NaN", "1:20", "190:20:30"],
  ...[
    "2026-11-26",
    "2026-11-26T10:00:00Z",
    "2026-11-26 10:00:00",
    "123456789012345678901234567890",
    "9007199254740993",
  ],
  ...["0.1e400", "1e400", "-1e400", "=", "<<", "? x", "- x", "a: b", "a:b", "a #c", "a#c", "@x", "`x", "%x"],
  ...["'q'", '"q"', "{}", "[]", "{a: 1}", "[1, 2]", "|", ">", "|-", ">+", "!x", "&x", "*x", "#c", "a\tb"],
  // Escapes, meant for the double-quoted placements (and plain text elsewhere).
  ...["\\u263A", "\\x41", "\\U0001F600", "\\N", "\\_", "\\L", "\\P", "\\e", "\\0", "\\/", "\\ ", "\\\t"],
  ...["\\q", "\\uD800", "\\uDC00x", "\\x4", "a\\", "it''s", "\u00a0", "\u2028", "\u{1F600}", "\uFEFF", "\u0085"],
];

describe("property: scalars parsers resolve differently", () => {
  const scalar = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...TRICKY) },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
    { weight: 1, arbitrary: fc.stringMatching(/^[-+.0-9eEoxXa-fA-F_:]{1,8}$/) },
  );
  const placements: ((s: string, t: string) => string)[] = [
    (s) => `k: ${s}\n`,
    (s) => `${s}: v\n`,
    (s, t) => `- ${s}\n- ${t}\n`,
    (s, t) => `k: [${s}, ${t}]\n`,
    (s, t) => `k: {a: ${s}, ${t}: b}\n`,
    (s) => `k: '${s}'\n`,
    (s) => `k: "${s}"\n`,
    (s, t) => `k: "${s}\\\n  ${t}"\n`,
    (s, t) => `k: "${s}\n\n   ${t} "\n`,
    (s, t) => `k: '${s}\n  ${t}'\n`,
    (s, t) => `'${s}': "${t}"\n`,
    (s, t) => `k: ${s} # ${t}\n`,
    (s, t) => `k: ${s}\n  ${t}\n`,
    (s, t) => `k:\n  ${s}\n\n  ${t}\n`,
    (s, t) => `k: |\n  ${s}\n  ${t}\n\n`,
    (s, t) => `k: |-\n  ${s}\n\n  ${t}\n\n`,
    (s, t) => `k: |+\n  ${s}\n  ${t}\n\n\nn: 1\n`,
    (s, t) => `k: >\n  ${s}\n  ${t}\n\n    more\n  ${s}\n`,
    (s, t) => `k: >-\n  ${s}\n\n  ${t}\n`,
    (s, t) => `k: >+\n  ${s}\n  ${t}\n\n`,
    (s, t) => `k: |2\n   ${s}\n  ${t}\n`,
    (s, t) => `a:\n  - ${s}\n  - {${t}: ${s}}\n  -\n    - ${t}\n`,
    (s, t) => `${s}:\n  ${t}: ${s}\n`,
    (s) => `k: ${s}\n---\n`,
    (s) => `--- ${s}\n`,
  ];

  it("fast and yaml agree, or the fast path defers", () => {
    let fast = 0;
    fc.assert(
      fc.property(scalar, scalar, fc.nat(placements.length - 1), (s, t, p) => {
        const text = placements[p]!(s, t);
        if (text.includes("\u0000") || text.trim() === "") return;
        if (agreement(text) === "fast") fast++;
      }),
      { numRuns: 3000, seed: 16 },
    );
    // Not a vacuous pass: most of these documents are plain enough for the fast path.
    expect(fast).toBeGreaterThan(1500);
  });

  it.each(TRICKY)("%j as a value, a key and an item, plain and quoted", (s) => {
    const quoted = [`k: "${s}"\n`, `"${s}": v\n`, `k: '${s}'\n`, `['${s}', "${s}"]\n`];
    for (const text of [`k: ${s}\n`, `${s}: v\n`, `- ${s}\n`, `[${s}]\n`, `{k: ${s}}\n`, ...quoted]) {
      if (text.trim() !== "") agreement(text);
    }
  });
});

describe("property: documents and their edits", () => {
  const valid = readFileSync("test/fixtures/plans/valid.yaml", "utf8");

  it("any JSON-like value, written in each of yaml's styles, reads back the same", () => {
    const styles = [
      {},
      { defaultStringType: "QUOTE_DOUBLE" as const },
      { defaultStringType: "QUOTE_SINGLE" as const },
      { defaultStringType: "BLOCK_LITERAL" as const, lineWidth: 20 },
      { defaultStringType: "BLOCK_FOLDED" as const, lineWidth: 20 },
      { collectionStyle: "flow" as const },
      { indentSeq: false, indent: 4 },
    ];
    let fast = 0;
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.nat(styles.length - 1), (value, style) => {
        if (agreement(stringify({ v: value }, styles[style])) === "fast") fast++;
      }),
      { numRuns: 1000, seed: 26 },
    );
    expect(fast).toBeGreaterThan(500);
  });

  it("documents stitched from indented lines of YAML's pieces: same data, or left to yaml", () => {
    const line = fc.tuple(
      fc.constantFrom("", " ", "  ", "   ", "    ", "      "),
      fc.constantFrom("", "- ", "-", "k: ", "k:", "- k: ", "a b: ", "'q': ", '"q": ', "? ", ": ", "- - ", "-\t"),
      fc.constantFrom(
        ...["", "v", "yes", "1", "~", "[a, b]", "{a: 1}", "[]", "{}", "|", ">-", "|+", "'x'", '"y"', "# c"],
        ...["x # c", "[a,", "b]", "{a: 1,", "}", "a: b", "---", "..."],
      ),
    );
    // Mostly well-formed pieces too, so that the fast path answers often enough to be tested.
    const tidy = fc.tuple(
      fc.constantFrom("", "  ", "    "),
      fc.constantFrom("- ", "k: ", "- k: ", "k:", "j: "),
      fc.constantFrom("v", "1", "[a, b]", "{a: 1}", "|", ">-", "'x'", '"y"', "x # c", "", "- v"),
    );
    let fast = 0;
    fc.assert(
      fc.property(fc.array(fc.oneof(line, tidy), { minLength: 1, maxLength: 8 }), (lines) => {
        const text = `${lines.map(([indent, lead, body]) => indent + lead + body).join("\n")}\n`;
        if (text.trim() !== "" && agreement(text) === "fast") fast++;
      }),
      { numRuns: 3000, seed: 36 },
    );
    expect(fast).toBeGreaterThan(300);
  });

  it("byte-level edits of a valid plan: same data, or left to yaml", () => {
    fc.assert(
      fc.property(byteEdits(valid), (text) => {
        if (!text.includes("\u0000") && text.trim() !== "") agreement(text);
      }),
      { numRuns: 1500, seed: 7 },
    );
  });

  it("edits with YAML's own punctuation: same data, or left to yaml", () => {
    const punctuation = fc.constantFrom(
      ..."-:?,[]{}#&*!|>'\"%@` \t\n".split(""),
      "- ",
      ": ",
      "\n  ",
      "\n- ",
      " #",
      "---\n",
      "...\n",
    );
    // Plans in both styles, block scalars and expressions, and a scenario with many nested levels.
    const bases = [
      valid,
      ...[
        "plans/migrate-orders.yaml",
        "tools/methods/database.methods.yaml",
        "evals/scenarios/dns-cutover/scenario.yaml",
      ],
    ].map((f) => (f === valid ? f : readFileSync(f, "utf8")));
    fc.assert(
      fc.property(
        fc.nat(bases.length - 1),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.nat(6),
        fc.array(punctuation, { maxLength: 4 }),
        fc.boolean(),
        (which, where, cut, insert, crlf) => {
          const base = bases[which]!;
          const at = Math.floor(where * base.length);
          const text = base.slice(0, at) + insert.join("") + base.slice(at + cut);
          agreement(crlf ? text.replace(/\r?\n/g, "\r\n") : text);
        },
      ),
      { numRuns: 3000, seed: 11 },
    );
  });
});
