// Verifier benchmark (docs/verifier.md): time of our verifier on every example compiled at
// -O2, our explored states and processed instructions against the kernel's processed-insn
// count, a large differential run (four-outcome counts) and the mutation differential over
// real objects in both modes. Run: node --import tsx bench/verifier.ts [differential-N]
// [mutants-M] (defaults 50,000 and 10,000; 0 skips either).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { compile } from "../src/codegen/index.js";
import { kernelOracleAvailable } from "../src/kernel/bpf.js";
import { kernelVerify } from "../src/kernel/oracle.js";
import { verifyObject } from "../src/verifier/index.js";
import { runDifferential } from "../test/verifier/differential.js";
import { runMutationDifferential } from "../test/verifier/mutation.js";

const N = Number(process.argv[2] ?? 50_000);
/** Mutated real objects per mode (issue 16: at least 10,000). */
const M = Number(process.argv[3] ?? 10_000);
const oracle = kernelOracleAvailable();
const rows: string[][] = [
  ["example", "insns", "ours", "ms", "states", "processed", "kernel", "kernel processed"],
];
let largest: { name: string; insns: number; ms: number } | undefined;
for (const d of readdirSync("examples").sort())
  for (const f of readdirSync(join("examples", d, "v2")).filter((f) => f.endsWith(".bpf.ts"))) {
    // The iouring-v2 forms: our verifier and the host kernel check the RFC targets.
    const path = join("examples", d, "v2", f);
    const c = compile({ path, text: readFileSync(path, "utf8") }, { opt: 2, target: "iouring-v2" });
    if (!c.object) continue;
    verifyObject(c.object, { file: path, target: "iouring-v2" }); // warm-up
    const times: number[] = [];
    let r = verifyObject(c.object, { file: path, target: "iouring-v2" });
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      r = verifyObject(c.object, { file: path, target: "iouring-v2" });
      times.push(performance.now() - t);
    }
    const ms = times.sort((a, b) => a - b)[2]!;
    const p = r.stats.programs[0]!;
    const k = oracle.ok
      ? await kernelVerify(c.object, { target: "iouring-v2", strict: false })
      : undefined; // the privileged kernel we match
    rows.push([
      path,
      String(p.insns),
      p.verdict,
      ms.toFixed(1),
      String(p.statesExplored),
      String(p.insnsProcessed),
      k?.verdict ?? "n/a",
      String(k?.processedInsns ?? ""),
    ]);
    if (!largest || p.insns > largest.insns) largest = { name: path, insns: p.insns, ms };
  }
const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const r of rows) console.log(r.map((c, i) => c.padEnd(w[i]!)).join("  "));
if (largest)
  console.log(
    `largest example ${largest.name} (${largest.insns} insns): ${largest.ms.toFixed(1)} ms (target < 50 ms)${largest.ms < 50 ? "" : "  ** over target **"}`,
  );
console.log("(kernel processed counts include the oracle's shim instructions)");

if (N > 0) {
  if (!oracle.ok) console.log(`differential skipped: kernel oracle unavailable: ${oracle.reason}`);
  else {
    const r = await runDifferential(N, 424242);
    console.log(
      `differential ${N} programs (vs the privileged kernel): ${JSON.stringify(r.counts)}; byDesign ${JSON.stringify(r.byDesign)}; kernel-only rate ${(r.kernelOnlyRate * 100).toFixed(2)}%; ${(r.ms / 1000).toFixed(0)} s`,
    );
    console.log(
      `informational: ${r.strictRejectsOurAccept.length} of our accepts are rejected by the strict-mode (unprivileged) kernel`,
    );
    if (r.oursOnly.length)
      console.log(
        `first ours-only accept (${r.oursOnly[0]!.kernel.reason}):\n${r.oursOnly[0]!.asm}`,
      );
  }
}
if (M > 0 && oracle.ok) {
  for (const unprivileged of [false, true]) {
    const r = await runMutationDifferential(M, 777 + (unprivileged ? 1 : 0), { unprivileged });
    console.log(
      `mutation differential ${M} mutants, ${unprivileged ? "unprivileged vs strict kernel" : "privileged"}: ${JSON.stringify(r.counts)}; strict ours-only ${r.strictOursOnly.length}; strict helper refusals (by design: helpers the strict SYSCALL stand-in refuses that our unprivileged model allows) ${r.strictHelperRefused.length}; ${(r.ms / 1000).toFixed(0)} s`,
    );
    for (const x of r.oursOnly.slice(0, 3))
      console.log(`  ours-only: ${x.asm}: ${x.kernel.reason}`);
    for (const x of r.strictOursOnly.slice(0, 3))
      console.log(`  strict ours-only: ${x.asm}: ${x.strict?.reason}`);
  }
}
process.exit(0);
