// Runs every case of test/vm/conformance/*.yaml in the VM. Programs are assembled with
// llvm-mc-19 (the arbiter of the text syntax), or with our assembler for the forms llvm-mc-19
// does not know; expectations come from RFC 9669 semantics, written by hand in the YAML.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { assemble as ourAssemble } from "../../src/asm/index.js";
import { parseConformance, runConformanceCase } from "../../src/vm/conformance.js";
import { assembleMany } from "./llvm-asm.js";

const dir = join(import.meta.dirname, "conformance");
const files = readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort();

test("the conformance suite covers every RFC 9669 group the VM implements", () => {
  const groups = files.map((f) => parseConformance(readFileSync(join(dir, f), "utf8")).group);
  for (const g of ["base64", "base32", "divmul", "v4", "atomic", "calls", "kernel-ext"]) assert.ok(groups.includes(g), g);
});

for (const f of files) {
  const suite = parseConformance(readFileSync(join(dir, f), "utf8"));
  test(`conformance ${suite.group} (${suite.cases.length} cases)`, () => {
    const llvmCases = suite.cases.filter((c) => c.assembler === "llvm");
    const objs = assembleMany(llvmCases.map((c) => c.asm));
    const failures: string[] = [];
    for (const c of suite.cases) {
      let obj;
      if (c.assembler === "llvm") obj = objs[llvmCases.indexOf(c)]!;
      else {
        const r = ourAssemble(c.asm, `${c.name}.s`);
        if (!r.object) {
          failures.push(`${c.name}: our assembler failed: ${r.diagnostics.map((d) => d.message).join("; ")}`);
          continue;
        }
        obj = r.object;
      }
      const out = runConformanceCase(c, obj);
      if (!out.ok) failures.push(`${c.name}: ${out.problems.join("; ")}`);
    }
    assert.deepEqual(failures, []);
  });
}
