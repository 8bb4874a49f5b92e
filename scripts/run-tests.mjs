#!/usr/bin/env node
// Runs every test/**/*.test.ts with node's built-in runner (Node 20's --test does not expand
// globs itself). Extra arguments are passed on: `node scripts/run-tests.mjs test/isa` runs
// only the files under that path.
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { spawnSync } from "node:child_process";

function collect(dir, out) {
  for (const name of readdirSync(dir).sort()) {
    if (name === "node_modules" || name === "fixtures") continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

const args = process.argv.slice(2);
const roots = args.filter((a) => !a.startsWith("-"));
const flags = args.filter((a) => a.startsWith("-"));
const files = (roots.length ? roots : ["test"]).flatMap((root) =>
  statSync(root).isDirectory() ? collect(root, []) : [root],
);
if (files.length === 0) {
  console.error("no test files found");
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  [
    "--import",
    "tsx",
    "--test",
    "--test-concurrency=2",
    ...flags,
    ...files.map((f) => relative(".", f)),
  ],
  { stdio: "inherit" },
);
process.exit(result.status ?? 1);
