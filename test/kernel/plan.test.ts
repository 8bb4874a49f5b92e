// Building a load plan needs no kernel: linking, relocations, shim redirection and maps.
import { test } from "node:test";
import assert from "node:assert/strict";
import { buildLoadPlan } from "../../src/kernel/plan.js";
import { decodeSlots } from "../../src/kernel/slots.js";
import { BPF_F_RDONLY_PROG, BPF_F_SLEEPABLE, BpfProgType } from "../../src/kernel/bpf.js";
import { KernelCodes } from "../../src/kernel/codes.js";
import { objectFromInsns } from "../../src/kernel/oracle.js";
import { R_BPF, SHF, SHT, STB, STT } from "../../src/elf/types.js";
import { asm, CALL, EXIT, fixture, I, LDDW, MOV64_IMM } from "./helpers.js";

const b64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "base64"));

test("globals.o: .text appended, calls and ld_imm64 relocated, queue_sqe redirected to its shim", () => {
  const { plan, layout, diagnostics } = buildLoadPlan(fixture("globals"), { target: "iouring-v2" });
  assert.deepEqual(diagnostics, []);
  assert.ok(plan && layout);
  assert.equal(plan.progType, BpfProgType.SYSCALL);
  assert.equal(plan.progFlags, BPF_F_SLEEPABLE);
  assert.equal(plan.license, "GPL");
  assert.equal(layout.section, "iouring.s/globals");
  assert.equal(layout.symbol, "globals");
  const slots = decodeSlots(b64(plan.insns));
  const mainLen =
    fixture("globals").sections.find((s) => s.name === "iouring.s/globals")!.data.length / 8;
  const textLen = fixture("globals").sections.find((s) => s.name === ".text")!.data.length / 8;
  assert.equal(layout.programEnd, mainLen + textLen);
  // Every pseudo call in the program lands on .text (appended right after) or on a shim.
  const shim = layout.shims.find((s) => s.kind === "queue_sqe")!;
  const targets = slots
    .slice(0, layout.programEnd)
    .flatMap((s, i) => (s.code === CALL && s.src === 1 ? [i + s.imm + 1] : []));
  assert.deepEqual(targets, [mainLen, shim.start]);
  assert.ok(
    !slots.slice(0, layout.programEnd).some((s) => s.code === CALL && s.src === 0 && s.imm === 164),
  );
  // Data maps: .rodata frozen and read-only to programs, .data initialised, .bss zero.
  const byName = new Map(plan.maps.map((m) => [m.name, m]));
  const ro = byName.get(".rodata")!;
  assert.equal(ro.freeze, true);
  assert.equal(ro.flags, BPF_F_RDONLY_PROG);
  const table = new DataView(b64(ro.init[0]!.value).buffer);
  assert.deepEqual(
    [0, 8, 16, 24].map((o) => table.getBigUint64(o, true)),
    [11n, 22n, 33n, 44n],
  );
  assert.equal(new DataView(b64(byName.get(".data")!.init[0]!.value).buffer).getUint32(0, true), 7);
  assert.deepEqual(byName.get(".bss")!.init, [], ".bss relies on the array map starting zeroed");
  assert.equal(byName.get(".bss")!.valueSize, 8);
  // Each ld_imm64 of the object is a map-value reference (src_reg 2).
  for (const ref of plan.mapRefs) assert.equal(slots[ref.slot]!.src, ref.kind === "fd" ? 1 : 2);
  // `table` is referenced twice (in pick() and for table[1], whose +8 is in the load).
  const roRefs = plan.mapRefs.filter((r) => plan.maps[r.map]!.name === ".rodata");
  assert.deepEqual(
    roRefs.map((r) => [r.kind, r.offset]),
    [
      ["value", 0],
      ["value", 0],
    ],
  );
});

test("helper ids are per target: 163 is shimmed for iouring-v1 only", () => {
  const insns = asm(I(CALL, 0, 0, 0, 163), I(EXIT));
  const v1 = buildLoadPlan(objectFromInsns({ insns, section: "iouring" }), {
    target: "iouring-v1",
  });
  assert.deepEqual(
    v1.layout?.shims.map((s) => s.kind),
    ["queue_sqe"],
  );
  assert.equal(v1.layout?.sleepable, false);
  const v2 = buildLoadPlan(objectFromInsns({ insns }), { target: "iouring-v2" });
  assert.deepEqual(v2.layout?.shims, []);
});

test("unsupported inputs are diagnostics: linux-7.1, .maps, externs, calls out of the code", () => {
  const insns = asm(I(MOV64_IMM, 0), I(EXIT));
  const t71 = buildLoadPlan(objectFromInsns({ insns }), { target: "linux-7.1" });
  assert.equal(t71.diagnostics[0]?.code, KernelCodes.unsupportedTarget);

  const maps = objectFromInsns({
    insns: asm(I(LDDW, 1), I(0), I(MOV64_IMM, 0), I(EXIT)),
    sections: [
      {
        name: ".maps",
        type: SHT.PROGBITS,
        flags: SHF.ALLOC | SHF.WRITE,
        data: new Uint8Array(32),
        addralign: 8,
      },
    ],
    symbols: [
      { name: "m", section: ".maps", value: 0, size: 32, type: STT.OBJECT, bind: STB.GLOBAL },
    ],
    relocations: [{ offset: 0, symbol: "m", type: R_BPF.R_BPF_64_64 }],
  });
  const m = buildLoadPlan(maps, { target: "iouring-v2" });
  assert.equal(m.plan, undefined);
  assert.equal(m.diagnostics[0]?.code, KernelCodes.unsupported);

  const ext = objectFromInsns({
    insns: asm(I(CALL, 0, 0, 0, -1), I(EXIT)),
    symbols: [{ name: "bpf_kfunc", value: 0, size: 0, type: STT.NOTYPE, bind: STB.GLOBAL }],
    relocations: [{ offset: 0, symbol: "bpf_kfunc", type: R_BPF.R_BPF_64_32 }],
  });
  assert.equal(
    buildLoadPlan(ext, { target: "iouring-v2" }).diagnostics[0]?.code,
    KernelCodes.unsupported,
  );

  const wild = objectFromInsns({ insns: asm(I(CALL, 0, 1, 0, 100), I(EXIT)) });
  assert.equal(
    buildLoadPlan(wild, { target: "iouring-v2" }).diagnostics[0]?.code,
    KernelCodes.badCall,
  );
});
