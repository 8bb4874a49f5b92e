// Measures the interpreter's speed on loop-heavy programs: instructions per second.
// Run: node --import tsx bench/vm.ts
import { assemble as llvmAssemble } from "../test/vm/llvm-asm.js";
import { loadObject } from "../src/vm/loader.js";

const PROGRAMS: Record<string, string> = {
  // 64-bit ALU and an unsigned compare: the shape of a counting loop.
  alu64: `
  r1 = 0
  r0 = 0
L1:
  r2 = r1
  r2 *= 3
  r0 += r2
  r0 ^= r1
  r1 += 1
  if r1 < 2000000 goto L1
  exit`,
  // Stack loads and stores in the loop (the memory checks' cost).
  memory: `
  r1 = 0
  *(u64 *)(r10 - 8) = r1
L1:
  r2 = *(u64 *)(r10 - 8)
  r2 += 3
  *(u64 *)(r10 - 8) = r2
  w3 = w1
  w3 &= 7
  r1 += 1
  if r1 < 2000000 goto L1
  r0 = *(u64 *)(r10 - 8)
  exit`,
};

for (const [name, text] of Object.entries(PROGRAMS)) {
  const obj = llvmAssemble(text);
  const { loaded, diagnostics } = loadObject(obj, { maxInsns: 1e9 });
  if (!loaded) throw new Error(JSON.stringify(diagnostics));
  let best = 0;
  let insns = 0;
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint();
    const r = loaded.vm.run(loaded.programs[0]!.slot);
    const ns = Number(process.hrtime.bigint() - t0);
    if (r.fault) throw new Error(r.fault.message);
    insns = r.insns;
    best = Math.max(best, r.insns / (ns / 1e9));
  }
  console.log(`${name.padEnd(8)} ${insns} insns/run  best ${(best / 1e6).toFixed(1)} M insns/s`);
}
