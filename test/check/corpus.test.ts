// The invalid corpus (test/programs/invalid): each program breaks exactly one rule, named by
// the code at the start of its file name; its diagnostics must equal the golden beside it
// (`x.expected.txt`, rewritten only with UPDATE_GOLDEN=1). The valid corpus and the
// language.md example must check with zero errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SourceFile, type Diagnostic } from "../../src/diagnostics/index.js";
import { checkSource } from "../../src/check/index.js";

const INVALID = "test/programs/invalid";
const VALID = "test/programs/valid";
const update = process.env.UPDATE_GOLDEN === "1";

/** `// target: x` and `// mcpu: v4` pragmas on the first lines select the options. */
function optionsOf(text: string): { target?: string; mcpu?: string } {
  const target = /^\/\/ target: (\S+)/m.exec(text)?.[1];
  const mcpu = /^\/\/ mcpu: (\S+)/m.exec(text)?.[1];
  // Without a pragma: iouring-v2, the target the corpus was written for.
  return { target: target ?? "iouring-v2", ...(mcpu ? { mcpu } : {}) };
}

function pos(r: NonNullable<Diagnostic["range"]>): string {
  return `${r.start.line}:${r.start.col}-${r.end.line}:${r.end.col}`;
}

export function renderGolden(ds: readonly Diagnostic[]): string {
  const lines: string[] = [];
  for (const d of ds) {
    lines.push(`${d.severity} ${d.code} ${d.range ? pos(d.range) : "-"} ${d.message}`);
    for (const r of d.related ?? []) lines.push(`  related ${pos(r.range)} ${r.message}`);
  }
  return lines.join("\n") + "\n";
}

function checkFile(path: string) {
  const text = readFileSync(path, "utf8");
  return checkSource(new SourceFile(path.split("/").pop()!, text), optionsOf(text));
}

const invalid = readdirSync(INVALID)
  .filter((f) => f.endsWith(".bpf.ts"))
  .sort();

test("the invalid corpus has at least 120 programs covering every error code", () => {
  assert.ok(invalid.length >= 120, `only ${invalid.length} invalid programs`);
});

for (const f of invalid) {
  test(`invalid: ${f}`, () => {
    const path = join(INVALID, f);
    const r = checkFile(path);
    const want = /^(E\d{4})-/.exec(f)?.[1];
    assert.ok(want, "file name must start with the expected code");
    assert.equal(r.checked, undefined, "an invalid program must not check clean");
    const errors = r.diagnostics.filter((d) => d.severity === "error");
    assert.ok(errors.length >= 1);
    assert.deepEqual(
      [...new Set(errors.map((d) => d.code))],
      [want],
      "exactly one rule broken: " + renderGolden(errors),
    );
    const golden = path.replace(/\.bpf\.ts$/, ".expected.txt");
    const got = renderGolden(r.diagnostics);
    if (update || !existsSync(golden)) {
      if (!update) assert.fail(`missing golden ${golden} (run with UPDATE_GOLDEN=1)`);
      writeFileSync(golden, got);
    } else assert.equal(got, readFileSync(golden, "utf8"));
  });
}

test("the language.md example program checks clean on iouring-v2", () => {
  const r = checkFile("test/check/language-example.bpf.ts");
  assert.deepEqual(
    r.diagnostics.filter((d) => d.severity === "error"),
    [],
  );
  assert.ok(r.checked);
  assert.equal(r.checked.name, "language-example".replace(/-/g, "_"));
});

const valid = existsSync(VALID)
  ? readdirSync(VALID)
      .filter((f) => f.endsWith(".bpf.ts"))
      .sort()
      .map((f) => join(VALID, f))
  : [];
const examples = existsSync("examples")
  ? readdirSync("examples").flatMap((d) =>
      existsSync(join("examples", d)) && !d.includes(".")
        ? readdirSync(join("examples", d))
            .filter((f) => f.endsWith(".bpf.ts"))
            .map((f) => join("examples", d, f))
        : [],
    )
  : [];

test("the valid corpus is present", () => {
  assert.ok(valid.length >= 60, `only ${valid.length} valid programs`);
});

for (const f of [...valid, ...examples.sort()]) {
  test(`valid: ${f}`, () => {
    const r = checkFile(f);
    const errors = r.diagnostics.filter((d) => d.severity === "error");
    assert.equal(renderGolden(errors), "\n");
    assert.ok(r.checked);
  });
}
