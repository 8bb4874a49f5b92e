// Random differential testing at volume: 100,000 (program, input) pairs run in the VM and on
// the kernel (test/vm/random-diff.ts). Prints pairs, mismatches (with the first few) and time.
// Run: node --import tsx bench/vm-diff.ts [pairs] [seed]
import { kernelOracleAvailable } from "../src/kernel/bpf.js";
import { runRandomDiff, summary } from "../test/vm/random-diff.js";

const pairs = Number(process.argv[2] ?? process.env.IOUBPF_DIFF_PAIRS ?? 100_000);
const seed = Number(process.argv[3] ?? process.env.IOUBPF_DIFF_SEED ?? Date.now() % 1_000_000_007);

const avail = kernelOracleAvailable();
if (!avail.ok) {
  console.log(`vm-diff: skipped, kernel oracle unavailable: ${avail.reason}`);
  process.exit(0);
}
const r = await runRandomDiff({ pairs, seed, maxMismatches: 50 });
console.log(`vm-diff seed ${seed}: ${summary(r)}`);
console.log(`  ${Math.round(r.pairs / (r.ms / 1000))} pairs/s`);
console.log(r.coverage.summary());
for (const m of r.mismatches.slice(0, 5)) console.log(m);
process.exit(r.mismatches.length ? 1 : 0);
