// Differential testing: every conformance case the kernel can load runs in the VM and on the
// real kernel (BPF_PROG_TEST_RUN through src/kernel/oracle.ts); their r0 must agree with each
// other and with the expectation. Each case is wrapped as a subprogram of a main program that
// stores the case's full 64-bit r0 into the 16-byte context, because the kernel returns only 32
// bits of r0. Skips (saying why) when the oracle cannot run here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { kernelOracleAvailable } from "../../src/kernel/bpf.js";
import { kernelRun } from "../../src/kernel/oracle.js";
import type { ObjFile } from "../../src/elf/types.js";
import { SHF, SHT } from "../../src/elf/types.js";
import { parseConformance } from "../../src/vm/conformance.js";
import { loadObject } from "../../src/vm/loader.js";
import { assembleMany } from "./llvm-asm.js";

const dir = join(import.meta.dirname, "conformance");
const avail = kernelOracleAvailable();

/** Moves the llvm-mc `.text` program into an iouring.s/ section with a license, as a loader expects. */
function asIouringObject(obj: ObjFile): ObjFile {
  const name = "iouring.s/case";
  const rename = (s: string) => (s === ".text" ? name : s);
  return {
    sections: [
      ...obj.sections.map((s) => ({ ...s, name: rename(s.name) })),
      { name: "license", type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.WRITE, data: new TextEncoder().encode("GPL\0"), addralign: 1 },
    ],
    symbols: obj.symbols.map((s) => (s.section === undefined ? s : { ...s, section: rename(s.section) })),
    relocations: new Map(
      [...obj.relocations].map(([k, v]) => [
        rename(k),
        v.map((r) => (typeof r.symbol === "string" ? r : { ...r, symbol: { section: rename(r.symbol.section) } })),
      ]),
    ),
  };
}

const wrap = (asm: string) => `  .globl prog\n  .type prog,@function\nprog:\n  r6 = r1\n  call case_main\n  *(u64 *)(r6 + 0) = r0\n  r0 = 0\n  exit\ncase_main:\n${asm}`;

test("VM and kernel agree on every kernel-loadable conformance case", { skip: avail.ok ? false : `kernel oracle unavailable: ${(avail as { reason?: string }).reason}`, timeout: 110_000 }, async () => {
  const cases = readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .flatMap((f) => parseConformance(readFileSync(join(dir, f), "utf8")).cases)
    .filter((c) => c.kernel && c.assembler === "llvm" && !c.mem && c.r0 !== undefined);
  const objs = assembleMany(cases.map((c) => wrap(c.asm))).map(asIouringObject);
  const failures: string[] = [];
  let compared = 0;
  let mode = "";
  for (const [i, c] of cases.entries()) {
    const obj = objs[i]!;
    const { loaded } = loadObject(obj, { maxInsns: c.maxInsns ?? 1_000_000 });
    const ctx = loaded!.vm.mem.add("ctx", 16);
    const vm = loaded!.vm.run(loaded!.programs[0]!.slot, [loaded!.vm.mem.addressOf(ctx)]);
    const vmR0 = ctx.view.getBigUint64(0, true);
    // Lenient (in-process) mode: this compares execution, not verdicts, and avoids a child process per case.
    const k = await kernelRun(obj, { target: "iouring-v2", strict: false });
    mode = k.mode;
    if (k.verdict !== "accept") {
      failures.push(`${c.name}: kernel ${k.verdict}: ${k.reason ?? ""}`.slice(0, 300));
      continue;
    }
    const kr0 = new DataView(k.ctxOut!.buffer, k.ctxOut!.byteOffset, 16).getBigUint64(0, true);
    if (kr0 !== c.r0) failures.push(`${c.name}: kernel r0 0x${kr0.toString(16)}, expected 0x${c.r0!.toString(16)}`);
    if (vm.fault) failures.push(`${c.name}: VM fault: ${vm.fault.message}`);
    else if (vmR0 !== kr0) failures.push(`${c.name}: VM r0 0x${vmR0.toString(16)} != kernel r0 0x${kr0.toString(16)}`);
    compared++;
  }
  assert.deepEqual(failures, [], `mode ${mode}`);
  assert.ok(compared > 100, `only ${compared} cases compared`);
});
