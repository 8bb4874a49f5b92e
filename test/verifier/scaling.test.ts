// Issue 16 ("Superlinear costs"): verifying an object with many programs must cost time linear
// in the object. Linking used to rescan every section, symbol and relocation of the object for
// each program (an object of 20,000 program sections took over two minutes). The test counts
// how often the verifier reads the object's section and symbol arrays — a measure of work
// that does not depend on the machine's load — and requires 4× the programs to cost well
// under 16× (quadratic) the reads.
import { test } from "node:test";
import assert from "node:assert/strict";
import { assemble } from "../../src/asm/index.js";
import type { ObjFile } from "../../src/elf/types.js";
import { verifyObject } from "../../src/verifier/index.js";

/** `n` program sections, each loading a `.data` global, a `.rodata` constant and a map. */
function manyPrograms(n: number): ObjFile {
  const lines: string[] = [];
  for (let i = 0; i < n; i++)
    lines.push(
      `\t.section "iouring.s/p${i}","ax"`,
      `\t.globl p${i}`,
      `\t.type p${i},@function`,
      `p${i}:`,
      `\tr1 = g${i % 7} ll`,
      `\tr0 = *(u64 *)(r1 + 0)`,
      `\tr1 = k${i % 5} ll`,
      `\tr0 = *(u64 *)(r1 + 0)`,
      `\tr0 = 0`,
      `\texit`,
      `.Le${i}:`,
      `\t.size p${i}, .Le${i}-p${i}`,
    );
  lines.push(`\t.section .data,"aw"`);
  for (let i = 0; i < 7; i++) lines.push(`\t.globl g${i}`, `g${i}:`, `\t.quad ${i}`);
  lines.push(`\t.section .rodata,"a"`);
  for (let i = 0; i < 5; i++)
    lines.push(
      `\t.globl k${i}`,
      `\t.type k${i},@object`,
      `k${i}:`,
      `\t.quad ${i}`,
      `\t.size k${i}, 8`,
    );
  lines.push(`\t.section "license","aw"`, `\t.asciz "GPL"`);
  const a = assemble(lines.join("\n") + "\n", "many.s");
  const err = a.diagnostics.find((d) => d.severity === "error");
  assert.ok(a.object && !err, `assembly failed: ${err?.message}`);
  return a.object;
}

/** The object with its section and symbol arrays counting element reads into `count`. */
function counted(obj: ObjFile, count: { reads: number }): ObjFile {
  const watch = <T extends object[]>(arr: T): T =>
    new Proxy(arr, {
      get(target, key, receiver) {
        if (typeof key === "string" && /^\d+$/.test(key)) count.reads++;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
  return { ...obj, sections: watch(obj.sections), symbols: watch(obj.symbols) };
}

for (const target of ["iouring-v2", "linux-7.1"]) {
  test(`verify reads the object a number of times linear in its programs (${target})`, () => {
    const reads: number[] = [];
    for (const n of [200, 800]) {
      const count = { reads: 0 };
      const r = verifyObject(counted(manyPrograms(n), count), { target });
      assert.equal(r.stats.programs.length, n, "every program is verified (or rejected)");
      if (target === "iouring-v2")
        assert.ok(r.ok, `accepted: ${r.diagnostics[0]?.code} ${r.diagnostics[0]?.message}`);
      reads.push(count.reads);
    }
    const ratio = reads[1]! / reads[0]!;
    // linear is 4; the quadratic linker measured about 15
    assert.ok(
      ratio < 6,
      `4× the programs read the object ${ratio.toFixed(1)}× as often (${reads.join(" → ")})`,
    );
  });
}
