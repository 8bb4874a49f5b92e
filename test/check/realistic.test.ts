// The realistic corpus (test/programs/realistic): programs written the way a TypeScript
// developer writes them from the docs (issue 13). Each compiles with default options and,
// where the target can express it, for iouring-v2; our verifier accepts each object as
// `ioubpf compile` runs it (declare const values unknown). Processed-instruction counts are
// printed as diagnostics.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { compile, type CompileOptions } from "../../src/codegen/index.js";
import { verifyObject } from "../../src/verifier/index.js";
import { DEFAULT_TARGET, findTarget } from "../../src/targets/targets.js";

const DIR = join(import.meta.dirname, "..", "programs", "realistic");
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith(".bpf.ts"))
  .sort();

const errorsOf = (ds: readonly { severity: string; code?: string; message: string }[]): string[] =>
  ds.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`);

function build(file: string, options: CompileOptions): { processed: number; warnings: number } {
  const path = join(DIR, file);
  const r = compile([{ path, text: readFileSync(path, "utf8") }], options);
  const target = options.target ?? DEFAULT_TARGET;
  assert.deepEqual(errorsOf(r.diagnostics), [], `${file} (${target})`);
  assert.ok(r.object, `${file} (${target}): no object`);
  // As `ioubpf compile` does: our verifier, except on targets it does not model yet.
  if (findTarget(target)?.context.kind === "structOpsArgs") return { processed: -1, warnings: 0 };
  const v = verifyObject(r.object, { target, rodataUnknown: true });
  assert.deepEqual(errorsOf(v.diagnostics), [], `${file} (${target}): our verifier`);
  return {
    processed: v.stats.programs.reduce((n, p) => n + p.insnsProcessed, 0),
    warnings: v.diagnostics.length + r.diagnostics.length,
  };
}

test("the realistic corpus has at least 20 programs, each saying what it does", () => {
  assert.ok(FILES.length >= 20, `${FILES.length} programs`);
  for (const f of FILES) {
    const text = readFileSync(join(DIR, f), "utf8");
    assert.match(text, /^\/\/ \S/, `${f}: no leading comment`);
    assert.match(text, /export function (onStart|onCompletion)\(/, f);
  }
});

test("each realistic program compiles with default options and verifies", (t) => {
  for (const f of FILES) {
    const r = build(f, {});
    t.diagnostic(
      `${f} (default ${DEFAULT_TARGET}): processed ${r.processed}, warnings ${r.warnings}`,
    );
  }
});

test("each realistic program compiles for iouring-v2 and our verifier accepts it", (t) => {
  for (const f of FILES) {
    const r = build(f, { target: "iouring-v2" });
    t.diagnostic(`${f} (iouring-v2): processed ${r.processed}, warnings ${r.warnings}`);
  }
});
