// Every opcode byte × a spread of field values (including junk in fields an instruction does
// not use) as raw bytes: our disassembler's listing must equal llvm-objdump-19's, line for
// line, in each mode. This pins down which fields llvm checks and which it ignores, and the
// `<unknown>` / byte-by-byte / `...` output for undecodable input. Rows neither tool agrees
// on (load_acquire / store_release, which llvm-objdump-19 misprints) are left out here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { disassemble } from "../../src/disasm/objdump.js";
import { readElf } from "../../src/elf/reader.js";
import {
  haveTool,
  LLVM_MC,
  LLVM_OBJDUMP,
  llvmAssemble,
  llvmObjdump,
  tempDir,
} from "../isa/tools.js";

const tools = haveTool(LLVM_MC) && haveTool(LLVM_OBJDUMP);

// [dst, src, off, imm]
const VARIANTS: [number, number, number, number][] = [
  [1, 2, 0, 0],
  [0, 0, 0, 0],
  [10, 0, 0, 0],
  [0, 10, 0, 0],
  [1, 2, 3, 0],
  [1, 2, -1, 5],
  [11, 15, 0, 0],
  [1, 2, 1, 0],
  [1, 2, 8, 0],
  [1, 2, 16, 0],
  [1, 2, 32, 0],
  [1, 2, 0, 16],
  [1, 2, 0, 32],
  [1, 2, 0, 64],
  [1, 2, 0, 0x11],
  [1, 2, 0, 0x100],
  [1, 2, 0, 0x110],
  [1, 2, 0, 0x1e1],
  [1, 2, 0, 0x41],
  [1, 2, 0, 0xf1],
  [1, 2, 0, -0x80000000],
  [1, 2, 0, 0x45],
  [1, 2, 0, 0xa0],
  [1, 2, 0, 0x50],
  [1, 2, 0, 0xe0],
  [1, 2, 0, 0x0f],
  [1, 2, 0x7fff, 0x40],
  [3, 11, -0x8000, 0x10],
  [11, 11, 0, 0x7fffffff],
];

function insnBytes(op: number, [d, s, o, i]: [number, number, number, number]): number[] {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  v.setUint8(0, op);
  v.setUint8(1, (s << 4) | d);
  v.setInt16(2, o, true);
  v.setInt32(4, i, true);
  return [...b];
}

const isAcqRel = (op: number, imm: number) =>
  [0xc3, 0xcb, 0xd3, 0xdb].includes(op) && (imm === 0x100 || imm === 0x110);

test(
  "all 256 opcodes × field variants: listing equals llvm-objdump-19",
  { skip: !tools && "llvm-mc-19/llvm-objdump-19 not installed" },
  (t) => {
    const lines: string[] = [];
    let n = 0;
    for (let op = 0; op < 256; op++) {
      for (const v of VARIANTS) {
        if (isAcqRel(op, v[3])) continue;
        const bytes = insnBytes(op, v);
        // ld_imm64 needs its second slot; give it a non-zero high half and junk reserved fields.
        if (op === 0x18) bytes.push(0, v[0] === 11 ? 0x23 : 0, 0, 0, 0x78, 0x56, 0x34, 0x12);
        lines.push(`.byte ${bytes.join(",")}`);
        n++;
      }
    }
    // A truncated ld_imm64 and a few stray bytes at the end (printed byte by byte).
    lines.push(".byte 0x18,0x01,0,0,5,0,0,0", ".byte 0x95,0,0");
    const { dir, cleanup } = tempDir();
    try {
      const asm = llvmAssemble(dir, lines.join("\n") + "\n", "sweep");
      assert.ok(asm.obj, asm.stderr);
      const read = readElf(asm.obj, "sweep.o");
      assert.ok(read.object, JSON.stringify(read.diagnostics));
      for (const mode of [
        { args: ["-d"], hexImm: true, alu32: false },
        { args: ["-d", "--no-print-imm-hex"], hexImm: false, alu32: false },
        { args: ["-d", "--mattr=+alu32"], hexImm: true, alu32: true },
      ]) {
        const theirs = llvmObjdump(asm.path, mode.args).replace(asm.path, "sweep.o");
        const ours = disassemble(read.object, {
          relocs: false,
          hexImm: mode.hexImm,
          alu32: mode.alu32,
          fileName: "sweep.o",
        });
        const a = ours.split("\n");
        const b = theirs.split("\n");
        const diffs: string[] = [];
        for (let k = 0; k < Math.max(a.length, b.length); k++)
          if (a[k] !== b[k]) diffs.push(`line ${k + 1}: ours '${a[k]}' objdump '${b[k]}'`);
        if (process.env.DUMP_FAILURES) console.log(diffs.join("\n"));
        assert.deepEqual(
          diffs.slice(0, 20),
          [],
          `${diffs.length} differing lines [${mode.args.join(" ")}]`,
        );
      }
      t.diagnostic(
        `${n} encodings (256 opcodes × ${VARIANTS.length} variants less acquire/release) × 3 modes`,
      );
    } finally {
      cleanup();
    }
  },
);

// Seeded byte soup: valid instructions, junk, zero runs, odd-length tails and labels at odd
// places, in several sections; listings with and without -r must equal llvm-objdump-19's.
test(
  "random byte soup with labels and relocations: listing equals llvm-objdump-19",
  { skip: !tools && "llvm-mc-19/llvm-objdump-19 not installed" },
  () => {
    let seed = Number(process.env.SOUP_SEED ?? 0x12345678);
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const valid = [
      "r0 = 0",
      "w1 += w2",
      "r1 = 0x123456789 ll",
      "if r1 > 3 goto -2",
      "goto +1",
      "exit",
      "call 5",
      "lock *(u64 *)(r1 + 8) += r2",
      "r3 = *(u32 *)(r1 + 4)",
      "*(u64 *)(r10 - 8) = r1",
      "gotol -3",
    ];
    const parts: string[] = [];
    for (let s = 0; s < 6; s++) {
      parts.push(`\t.section sec${s},"ax",@progbits`);
      for (let k = 0; k < 60; k++) {
        const pick = rnd(10);
        if (pick < 5) parts.push(`\t${valid[rnd(valid.length)]}`);
        else if (pick === 5)
          parts.push(`.byte ${Array.from({ length: 8 + 4 * rnd(5) }, () => 0).join(",")}`);
        else if (pick === 6) parts.push(`lbl_${s}_${k}:`);
        else if (pick === 7) parts.push(`\tr${rnd(10)} = sym${rnd(3)} ll`);
        else if (pick === 8) parts.push(`\tcall fn${rnd(3)}`);
        else parts.push(`.byte ${Array.from({ length: 1 + rnd(9) }, () => rnd(256)).join(",")}`);
      }
    }
    const { dir, cleanup } = tempDir();
    try {
      const asm = llvmAssemble(dir, parts.join("\n") + "\n", "soup");
      assert.ok(asm.obj, asm.stderr);
      const read = readElf(asm.obj, "soup.o");
      assert.ok(read.object, JSON.stringify(read.diagnostics));
      for (const [args, relocs] of [
        [["-d"], false],
        [["-d", "-r"], true],
      ] as const) {
        const theirs = llvmObjdump(asm.path, [...args]).replace(asm.path, "soup.o");
        const ours = disassemble(read.object, { relocs, hexImm: true, fileName: "soup.o" });
        assert.equal(ours, theirs, args.join(" "));
      }
    } finally {
      cleanup();
    }
  },
);
