// Issue 15/16: every YAML problem in every command that reads YAML (`run --scenario`,
// `test` golden scenarios) is E8010 at its line: no stack trace, no "This is a bug".
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cli, pingPongObject, ROOT, tempDir } from "./helpers.js";
import { MAX_YAML_DEPTH } from "../../src/util/yaml.js";

const dir = tempDir("yaml");
const obj = join(dir, "pp.o");
writeFileSync(obj, pingPongObject());

/** [name, text, line the error must be reported at, message pattern] */
const CASES: [string, string, number, RegExp][] = [
  ["unresolved alias", "ring:\n  sq_entries: 4\nsubmit: *x\n", 3, /unresolved alias \*x/],
  ["duplicate key", "target: iouring-v2\nring: {}\ntarget: iouring-v1\n", 3, /unique/],
  ["deep flow nesting", "submit: " + "[".repeat(20000) + "]".repeat(20000) + "\n", 1, /nesting/],
  [
    "deep block nesting",
    "a: 1\n" + Array.from({ length: 3000 }, (_, i) => " ".repeat(i) + "k:").join("\n") + " 1\n",
    MAX_YAML_DEPTH + 2, // the first line deeper than the limit
    /nesting/,
  ],
  [
    "just over the depth limit",
    "x: 0\ny: " + "[".repeat(MAX_YAML_DEPTH + 1) + "]".repeat(MAX_YAML_DEPTH + 1) + "\n",
    2,
    new RegExp(`deeper than ${MAX_YAML_DEPTH}`),
  ],
  ["syntax", "submit: [1, 2\nring: {\n", 2, /Flow sequence/],
  // Found by the long fuzz run: a collection as a key made the yaml package print a Node warning.
  [
    "mapping as a key",
    "ring: {}\nsubmit:\n  ? { match: 1 }\n  : 2\n",
    3,
    /key must be a plain value, not a mapping/,
  ],
  // Also found by it: `!!binary` bytes as a key.
  [
    "binary as a key",
    "ring: {}\nsubmit:\n  - { opcode: NOP, !!binary user_data: 1 }\n",
    3,
    /key must be a plain value, not a tag:yaml.org,2002:binary value/,
  ],
  [
    "alias of a mapping as a key",
    "a: &m { x: 1 }\nsubmit:\n  ? *m\n  : 2\n",
    3,
    /key must be a plain value, not a mapping/,
  ],
  [
    "sequence as a key",
    "ring: {}\nsubmit:\n  [1, 2]: 2\n",
    3,
    /key must be a plain value, not a sequence/,
  ],
  [
    "alias bomb",
    "a: &a [x, x, x, x, x, x, x, x, x, x]\n" +
      Array.from({ length: 12 }, (_, i) => {
        const p = i === 0 ? "a" : `b${i - 1}`;
        return `b${i}: &b${i} [*${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}]`;
      }).join("\n") +
      "\n",
    12, // the 101st alias
    /more than 100 aliases/,
  ],
  [
    "alias bomb under the alias count",
    "a: &a [x, x, x, x, x, x, x, x, x, x]\n" +
      Array.from({ length: 9 }, (_, i) => {
        const p = i === 0 ? "a" : `b${i - 1}`;
        return `b${i}: &b${i} [*${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}]`;
      }).join("\n") +
      "\n",
    2, // the first alias
    /alias|resource/i,
  ],
];

for (const [name, text, line, pattern] of CASES) {
  test(`run --scenario: ${name} is E8010 at line ${line}`, async () => {
    const path = join(dir, `${name.replace(/ /g, "-")}.yaml`);
    writeFileSync(path, text);
    const r = await cli(["run", obj, "-s", path]);
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, new RegExp(`${path.replace(/[.]/g, "\\.")}:${line}:\\d+: error E8010`));
    assert.match(r.err, pattern);
    assert.doesNotMatch(r.err, /internal error|This is a bug|\n\s+at /);
    const j = await cli(["run", obj, "-s", path, "--json"]);
    const parsed = JSON.parse(j.out) as {
      diagnostics: { code: string; range?: { start: { line: number } } }[];
    };
    assert.equal(parsed.diagnostics[0]!.code, "E8010");
    assert.equal(parsed.diagnostics[0]!.range?.start.line, line);
  });

  test(`test (golden): ${name} in x.scenario.yaml is E8010 at line ${line}`, async () => {
    const g = join(dir, `golden-${name.replace(/ /g, "-")}`);
    mkdirSync(g, { recursive: true });
    copyFileSync(join(ROOT, "examples/echo/echo.bpf.ts"), join(g, "echo.bpf.ts"));
    writeFileSync(join(g, "echo.scenario.yaml"), text);
    const r = await cli(["test", g]);
    assert.equal(r.code, 1);
    assert.match(r.out, new RegExp(`echo\\.scenario\\.yaml:${line}:\\d+-\\d+:\\d+: error E8010`));
    assert.doesNotMatch(r.out + r.err, /internal error|This is a bug|\n\s+at /);
  });
}
