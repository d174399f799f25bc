/**
 * A strict checker for the subset of Mermaid flowchart syntax that
 * src/review/mermaid.ts emits — not a Mermaid parser. It accepts only:
 *   flowchart TD
 *     <id>["<label>"]
 *     <id> --> <id>
 *     classDef <name> <style>
 *     class <id>,<id> <name>
 * where an id is a letter then [A-Za-z0-9_], never a Mermaid keyword, and a
 * label holds no raw `"`, `#`, `<`, `>`, brackets, pipes or `;` except as
 * entities (`#quot;`, `#35;`…) and the `<br/>` line break.
 */
const KEYWORDS = new Set(
  [
    "end",
    "subgraph",
    "graph",
    "flowchart",
    "class",
    "classdef",
    "click",
    "style",
    "linkstyle",
    "direction",
    "default",
    "call",
    "href",
    "interpolate",
    "accTitle",
    "accDescr",
  ].map((k) => k.toLowerCase()),
);
const ID = /^[A-Za-z][A-Za-z0-9_]*$/;
const ENTITY = /#(?:[a-z]+|\d+);/g;
const FORBIDDEN_IN_LABEL = /["#<>[\]{}()|;`&\\\n]/;

export function checkMermaidSubset(source: string): string[] {
  const errors: string[] = [];
  const lines = source.split("\n");
  if (lines[0] !== "flowchart TD") errors.push(`line 1: expected "flowchart TD", got ${JSON.stringify(lines[0])}`);
  const nodes = new Set<string>();
  const classes = new Set<string>();
  const id = (text: string, n: number) => {
    if (!ID.test(text)) errors.push(`line ${n}: bad node id ${JSON.stringify(text)}`);
    else if (KEYWORDS.has(text.toLowerCase())) errors.push(`line ${n}: node id ${text} is a Mermaid keyword`);
  };
  lines.slice(1).forEach((line, i) => {
    const n = i + 2;
    let m: RegExpMatchArray | null;
    if ((m = line.match(/^ {2}(\S+)\["(.*)"\]$/))) {
      id(m[1]!, n);
      if (nodes.has(m[1]!)) errors.push(`line ${n}: node ${m[1]} declared twice`);
      nodes.add(m[1]!);
      const bare = m[2]!.replaceAll("<br/>", "").replace(ENTITY, "");
      if (FORBIDDEN_IN_LABEL.test(bare)) errors.push(`line ${n}: unescaped character in label ${JSON.stringify(m[2])}`);
    } else if ((m = line.match(/^ {2}(\S+) --> (\S+)$/))) {
      for (const end of [m[1]!, m[2]!]) {
        id(end, n);
        if (!nodes.has(end)) errors.push(`line ${n}: edge to undeclared node ${end}`);
      }
    } else if (
      (m = line.match(/^ {2}classDef ([A-Za-z][A-Za-z0-9_]*) ([a-z-]+:[#A-Za-z0-9. ]+(?:,[a-z-]+:[#A-Za-z0-9. ]+)*)$/))
    ) {
      classes.add(m[1]!);
    } else if ((m = line.match(/^ {2}class (\S+) ([A-Za-z][A-Za-z0-9_]*)$/))) {
      for (const target of m[1]!.split(",")) {
        id(target, n);
        if (!nodes.has(target)) errors.push(`line ${n}: class on undeclared node ${target}`);
      }
      if (!classes.has(m[2]!)) errors.push(`line ${n}: class ${m[2]} used before classDef`);
    } else errors.push(`line ${n}: not in the emitted subset: ${JSON.stringify(line)}`);
  });
  return errors;
}
