// Issue 16 ("Superlinear costs"): the optimizer's cost must grow linearly with the program.
// Measured with the optimizer's own work counters (items its whole-list passes scan, rounds,
// full scans by cross-jumping), which do not depend on the machine's load.
import { test } from "node:test";
import assert from "node:assert/strict";
import { straightLine, submits } from "../../bench/scaling.js";
import { compile } from "../../src/codegen/index.js";
import { optimizerWork } from "../../src/codegen/layout.js";

/** `n` if/else statements in one function, each joining the next. */
function ifs(n: number): string {
  const out = [
    "// target: iouring-v2",
    'import { Cqe, u64 } from "ioubpf/lang";',
    "let a: u64 = 1;",
    "let b: u64 = 2;",
    "export function onStart(): void {",
    "  let x: u64 = b;",
  ];
  for (let i = 0; i < n; i++) out.push(`  if (x > ${i}) { a = a + ${i}; } else { b = b ^ x; }`);
  out.push("}", "export function onCompletion(cqe: Cqe): void {", "  b = cqe.userData;", "}");
  return out.join("\n") + "\n";
}

function work(text: string): typeof optimizerWork {
  optimizerWork.itemsScanned = 0;
  optimizerWork.rounds = 0;
  optimizerWork.tailMergeScans = 0;
  const c = compile({ path: "scaling.bpf.ts", text }, { target: "iouring-v2", opt: 2 });
  assert.ok(c.bytes, `compiles: ${c.diagnostics[0]?.message}`);
  return { ...optimizerWork };
}

for (const [name, gen] of [
  ["straight-line arithmetic", straightLine],
  ["submits", submits],
] as const)
  test(`optimizing ${name} scans a number of items linear in its length`, () => {
    const small = work(gen(150)).itemsScanned;
    const large = work(gen(600)).itemsScanned;
    const ratio = large / small;
    // linear is 4; a pass rescanning the list per change is about 16
    assert.ok(ratio < 6, `4× the lines scan ${ratio.toFixed(1)}× the items (${small} → ${large})`);
  });

test("cross-jumping scans the whole list about once per optimizer round, not once per merge", () => {
  // 600 if/else joins give hundreds of merges; one full scan per merge was quadratic
  const w = work(ifs(600));
  assert.ok(w.rounds > 0, "the optimizer ran");
  assert.ok(
    w.tailMergeScans <= 2 * w.rounds,
    `${w.tailMergeScans} full scans in ${w.rounds} rounds (one per merge would be hundreds)`,
  );
});
