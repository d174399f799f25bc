#!/usr/bin/env node
// The `planfile` command (package.json `bin`). In the package it runs the JavaScript compiled at
// pack time (dist/), so it does not pay tsx's start; in a checkout it runs the TypeScript sources
// through tsx, so what runs is what is in src/ (a dist/ left from an earlier build may be stale).
import { existsSync } from "node:fs";

const source = new URL("../src/planfile.ts", import.meta.url);
if (existsSync(source)) {
  const { register } = await import("tsx/esm/api");
  register();
  await import(source.href);
} else {
  await import(new URL("../dist/src/planfile.js", import.meta.url).href);
}
