import fc from "fast-check";
import { programArb, buildDiffObject, compareOne, emptyCounts } from "../test/verifier/differential.js";
const n = Number(process.argv[2] ?? 200);
const seed = Number(process.argv[3] ?? 1);
const samples = fc.sample(programArb, { numRuns: n, seed });
const counts = emptyCounts();
const bad: any[] = [];
const ko: any[] = [];
let asmFail = 0;
const t0 = Date.now();
for (const s of samples) {
  const o = buildDiffObject(s.asm);
  if (typeof o === "string") { asmFail++; if (asmFail < 3) console.log(o, s.asm); continue; }
  const t1 = Date.now();
  const r = await compareOne(o, s.asm);
  if (Date.now() - t1 > 2000) console.log("SLOW", Date.now() - t1, r.outcome, r.kernel, "\n" + s.asm);
  counts[r.outcome]++;
  if (r.outcome === "oursOnlyAccept") bad.push(r);
  if (r.outcome === "kernelOnlyAccept") ko.push(r);
}
console.log(counts, "asmFail", asmFail, (Date.now()-t0)+"ms");
for (const b of bad.slice(0, 3)) console.log("OURS-ONLY", b.kernel, "\n" + b.asm);
const byReason = new Map<string, number>();
for (const b of ko) byReason.set(b.ours.code + " " + b.ours.message.replace(/insn \d+.*?:/, "").slice(0,80), (byReason.get(b.ours.code + " " + b.ours.message.replace(/insn \d+.*?:/, "").slice(0,80)) ?? 0) + 1);
console.log([...byReason].sort((a,b)=>b[1]-a[1]).slice(0,15));
if (process.argv[4]) for (const b of ko.slice(0, Number(process.argv[4]))) console.log("KERNEL-ONLY", b.ours, b.kernel, "\n" + b.asm);
process.exit(0);
