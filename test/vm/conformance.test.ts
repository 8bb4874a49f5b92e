// Runs every case of test/vm/conformance/*.yaml in the VM. Programs are assembled with our
// assembler (src/asm); for the forms llvm-mc-19 knows, llvm-mc-19's code bytes must be the
// same, so a case never passes on a mis-assembled program. Expectations come from RFC 9669
// semantics, written by hand in the YAML.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { assemble as ourAssemble } from "../../src/asm/index.js";
import type { ObjFile } from "../../src/elf/types.js";
import { parseConformance, runConformanceCase } from "../../src/vm/conformance.js";
import { assembleMany } from "./llvm-asm.js";

const dir = join(import.meta.dirname, "conformance");
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".yaml"))
  .sort();

const textOf = (o: ObjFile) =>
  Buffer.from(o.sections.find((s) => s.name === ".text")?.data ?? new Uint8Array());

test("the conformance suite covers every RFC 9669 group the VM implements", () => {
  const groups = files.map((f) => parseConformance(readFileSync(join(dir, f), "utf8")).group);
  for (const g of ["base64", "base32", "divmul", "v4", "atomic", "calls", "kernel-ext"])
    assert.ok(groups.includes(g), g);
});

for (const f of files) {
  const suite = parseConformance(readFileSync(join(dir, f), "utf8"));
  test(`conformance ${suite.group} (${suite.cases.length} cases)`, () => {
    const llvmCases = suite.cases.filter((c) => c.assembler === "llvm");
    const llvmObjs = assembleMany(llvmCases.map((c) => c.asm));
    const failures: string[] = [];
    for (const c of suite.cases) {
      const r = ourAssemble(c.asm, `${c.name}.s`);
      if (!r.object) {
        failures.push(
          `${c.name}: our assembler failed: ${r.diagnostics.map((d) => d.message).join("; ")}`,
        );
        continue;
      }
      const li = llvmCases.indexOf(c);
      if (li >= 0 && !textOf(r.object).equals(textOf(llvmObjs[li]!)))
        failures.push(`${c.name}: our assembler's code differs from llvm-mc-19's`);
      const out = runConformanceCase(c, r.object);
      if (!out.ok) failures.push(`${c.name}: ${out.problems.join("; ")}`);
    }
    assert.deepEqual(failures, []);
  });
}
