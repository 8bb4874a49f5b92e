// Random but kernel-acceptable BPF programs for differential testing (VM vs kernel).
//
// A *body* is straight-line code with forward conditional jumps over r0–r9: 32/64-bit ALU with
// random registers and immediates (division and modulo by a zero register, shifts by large
// register amounts, v4 sdiv/smod/movsx/bswap), byte swaps, ld_imm64, stack stores/loads of
// every size (sign-extending loads too) and atomics on a 64-byte stack area. Immediate forms
// the kernel refuses to load (division by an immediate 0, shift immediates out of range) are
// never generated, so every body loads.
//
// `buildBatch` wraps several bodies into one program whose context holds, per body, the
// initial registers and stack area (the input) and receives the final ones (the output), so
// one load and one BPF_PROG_TEST_RUN cover many (program, input) pairs.
import fc from "fast-check";
import type { Instruction } from "../../src/isa/instruction.js";
import { formatInstruction } from "../../src/isa/text.js";
import {
  AluOp,
  AtomicOp,
  Class,
  Endian,
  JmpOp,
  LD_IMM64,
  Mode,
  Size,
  Source,
} from "../../src/isa/opcodes.js";

/** Stack bytes [AREA_LO, AREA_LO + AREA_SIZE) belong to the body; r10-8 and r10-16 to the wrapper. */
export const AREA_LO = -80;
export const AREA_SIZE = 64;
/** Context bytes per body: r0..r9 (8 bytes each), then the stack area. */
export const SLICE = 10 * 8 + AREA_SIZE;

/** A body item: an instruction, or a conditional jump over the next `skip` items. */
export type Item =
  | { k: "insn"; insn: Instruction }
  | { k: "jmp"; opcode: number; dst: number; src: number; imm: number; skip: number };

const ins = (opcode: number, dst = 0, src = 0, off = 0, imm = 0): Instruction => ({
  opcode,
  dst,
  src,
  off,
  imm,
});

const reg = fc.integer({ min: 0, max: 9 });

/** 32-bit immediates biased towards edge values. */
const imm32 = fc.oneof(
  fc.constantFrom(0, 1, -1, 2, 3, 7, 8, 31, 32, 63, 64, 0xff, 0x80, 0x7fff, 0x8000, 0xffff),
  fc.constantFrom(0x7fffffff, -0x80000000, -0x7fffffff, 0x10000, -2),
  fc.integer({ min: -16, max: 16 }),
  fc.integer({ min: -0x80000000, max: 0x7fffffff }),
);
const nonZeroImm = imm32.filter((x) => x !== 0);

const imm64 = fc.oneof(
  fc.constantFrom(
    0n,
    1n,
    -1n,
    0x7fffffffffffffffn,
    -0x8000000000000000n,
    0xffffffffn,
    0x100000000n,
    0x80000000n,
    -0x80000000n,
    0xffff0000ffff0000n - (1n << 64n),
  ),
  fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
  fc.bigInt({ min: -0x100000000n, max: 0x100000000n }),
);

const cls = fc.constantFrom(Class.ALU64, Class.ALU);

/** add sub mul or and xor mov, register or immediate. */
const plainAlu = fc
  .tuple(
    cls,
    fc.constantFrom(AluOp.ADD, AluOp.SUB, AluOp.MUL, AluOp.OR, AluOp.AND, AluOp.XOR, AluOp.MOV),
    fc.boolean(),
    reg,
    reg,
    imm32,
  )
  .map(([c, op, x, dst, src, imm]) =>
    x ? ins(c | op | Source.X, dst, src) : ins(c | op | Source.K, dst, 0, 0, imm),
  );

/** div/mod, unsigned (off 0) or signed (off 1, v4); by a register (possibly 0) or a non-zero immediate. */
const divMod = fc
  .tuple(cls, fc.constantFrom(AluOp.DIV, AluOp.MOD), fc.constantFrom(0, 1), fc.boolean(), reg, reg)
  .chain(([c, op, off, x, dst, src]) =>
    x
      ? fc.constant(ins(c | op | Source.X, dst, src, off))
      : nonZeroImm.map((imm) => ins(c | op | Source.K, dst, 0, off, imm)),
  );

/** Shifts: by any register value (the machine masks it) or an in-range immediate. */
const shift = fc
  .tuple(cls, fc.constantFrom(AluOp.LSH, AluOp.RSH, AluOp.ARSH), fc.boolean(), reg, reg)
  .chain(([c, op, x, dst, src]) =>
    x
      ? fc.constant(ins(c | op | Source.X, dst, src))
      : fc
          .integer({ min: 0, max: c === Class.ALU64 ? 63 : 31 })
          .map((imm) => ins(c | op | Source.K, dst, 0, 0, imm)),
  );

const neg = fc.tuple(cls, reg).map(([c, dst]) => ins(c | AluOp.NEG, dst));

/** v4 movsx: 64-bit from 8/16/32 bits, 32-bit from 8/16 bits. */
const movsx = fc
  .tuple(cls, reg, reg, fc.constantFrom(8, 16, 32))
  .map(([c, dst, src, bits]) =>
    ins(c | AluOp.MOV | Source.X, dst, src, c === Class.ALU && bits === 32 ? 16 : bits),
  );

/** le/be (ALU class) and v4 bswap (ALU64 class, TO_LE bit). */
const endian = fc
  .tuple(fc.constantFrom("le", "be", "bswap"), reg, fc.constantFrom(16, 32, 64))
  .map(([kind, dst, imm]) =>
    kind === "bswap"
      ? ins(Class.ALU64 | AluOp.END | Endian.LE, dst, 0, 0, imm)
      : ins(Class.ALU | AluOp.END | (kind === "be" ? Endian.BE : Endian.LE), dst, 0, 0, imm),
  );

const ldImm64 = fc.tuple(reg, imm64).map(([dst, v]) => {
  const u = BigInt.asUintN(64, v);
  return { ...ins(LD_IMM64, dst, 0, 0, Number(BigInt.asIntN(32, u))), imm64: u };
});

const SIZES = [
  { size: Size.B, bytes: 1 },
  { size: Size.H, bytes: 2 },
  { size: Size.W, bytes: 4 },
  { size: Size.DW, bytes: 8 },
] as const;

/** An aligned offset from r10 inside the body's stack area (the kernel requires aligned stack access). */
const slot = (bytes: number) =>
  fc.integer({ min: 0, max: AREA_SIZE / bytes - 1 }).map((i) => AREA_LO + i * bytes);

const sized = fc.constantFrom(...SIZES);

const stackStore = fc
  .tuple(sized, fc.boolean(), reg, imm32)
  .chain(([s, x, src, imm]) =>
    slot(s.bytes).map((off) =>
      x
        ? ins(Class.STX | Mode.MEM | s.size, 10, src, off)
        : ins(Class.ST | Mode.MEM | s.size, 10, 0, off, imm),
    ),
  );

const stackLoad = fc
  .tuple(sized, fc.boolean(), reg)
  .chain(([s, sx, dst]) =>
    slot(s.bytes).map((off) =>
      ins(Class.LDX | (sx && s.bytes < 8 ? Mode.MEMSX : Mode.MEM) | s.size, dst, 10, off),
    ),
  );

const atomic = fc
  .tuple(
    fc.constantFrom(SIZES[2], SIZES[3]),
    fc.constantFrom(
      AtomicOp.ADD,
      AtomicOp.OR,
      AtomicOp.AND,
      AtomicOp.XOR,
      AtomicOp.ADD | AtomicOp.FETCH,
      AtomicOp.OR | AtomicOp.FETCH,
      AtomicOp.AND | AtomicOp.FETCH,
      AtomicOp.XOR | AtomicOp.FETCH,
      AtomicOp.XCHG,
      AtomicOp.CMPXCHG,
    ),
    reg,
  )
  .chain(([s, op, src]) =>
    slot(s.bytes).map((off) => ins(Class.STX | Mode.ATOMIC | s.size, 10, src, off, op)),
  );

const JMP_OPS = [
  JmpOp.JEQ,
  JmpOp.JGT,
  JmpOp.JGE,
  JmpOp.JSET,
  JmpOp.JNE,
  JmpOp.JSGT,
  JmpOp.JSGE,
  JmpOp.JLT,
  JmpOp.JLE,
  JmpOp.JSLT,
  JmpOp.JSLE,
];

const jump = fc
  .tuple(
    fc.constantFrom(Class.JMP, Class.JMP32),
    fc.constantFrom(...JMP_OPS),
    fc.boolean(),
    reg,
    reg,
    imm32,
    fc.integer({ min: 0, max: 6 }),
  )
  .map(
    ([c, op, x, dst, src, imm, skip]): Item => ({
      k: "jmp",
      opcode: c | op | (x ? Source.X : Source.K),
      dst,
      src: x ? src : 0,
      imm: x ? 0 : imm,
      skip,
    }),
  );

const insnItem = (a: fc.Arbitrary<Instruction>): fc.Arbitrary<Item> =>
  a.map((insn) => ({ k: "insn", insn }));

export const itemArb: fc.Arbitrary<Item> = fc.oneof(
  { arbitrary: insnItem(plainAlu), weight: 8 },
  { arbitrary: insnItem(divMod), weight: 4 },
  { arbitrary: insnItem(shift), weight: 4 },
  { arbitrary: insnItem(neg), weight: 1 },
  { arbitrary: insnItem(movsx), weight: 2 },
  { arbitrary: insnItem(endian), weight: 2 },
  { arbitrary: insnItem(ldImm64), weight: 2 },
  { arbitrary: insnItem(stackStore), weight: 3 },
  { arbitrary: insnItem(stackLoad), weight: 3 },
  { arbitrary: insnItem(atomic), weight: 2 },
  { arbitrary: jump, weight: 3 },
);

export const bodyArb = (maxLength = 40): fc.Arbitrary<Item[]> =>
  fc.array(itemArb, { minLength: 1, maxLength });

/** Context bytes for one body: random registers (edge values likely) and stack area. */
export const inputArb: fc.Arbitrary<Uint8Array> = fc
  .tuple(fc.array(imm64, { minLength: 10, maxLength: 10 }), fc.uint8Array({ minLength: AREA_SIZE, maxLength: AREA_SIZE }))
  .map(([regs, area]) => {
    const b = new Uint8Array(SLICE);
    const v = new DataView(b.buffer);
    regs.forEach((r, i) => v.setBigUint64(i * 8, BigInt.asUintN(64, r), true));
    b.set(area, 80);
    return b;
  });

const slots = (i: Instruction): number => (i.opcode === LD_IMM64 ? 2 : 1);

/** The body's instructions, jumps resolved to slot offsets (never past the body's end). */
export function lowerBody(items: readonly Item[]): Instruction[] {
  const at: number[] = [];
  let n = 0;
  for (const it of items) {
    at.push(n);
    n += it.k === "insn" ? slots(it.insn) : 1;
  }
  at.push(n);
  return items.map((it, i) => {
    if (it.k === "insn") return it.insn;
    const target = Math.min(items.length, i + 1 + it.skip);
    return ins(it.opcode, it.dst, it.src, at[target]! - at[i + 1]!, it.imm);
  });
}

const ldx64 = (dst: number, src: number, off: number) =>
  ins(Class.LDX | Mode.MEM | Size.DW, dst, src, off);
const stx64 = (dst: number, src: number, off: number) =>
  ins(Class.STX | Mode.MEM | Size.DW, dst, src, off);

/**
 * One program running `bodies[k]` on context slice k: load registers and stack area from the
 * slice, run the body, store them back. Ends with `r0 = 0; exit`.
 */
export function buildBatch(bodies: readonly Instruction[][]): Instruction[] {
  const out: Instruction[] = [stx64(10, 1, -8)];
  bodies.forEach((body, k) => {
    const base = k * SLICE;
    // A jump here makes the next instruction a pruning point, so the verifier's work is the
    // sum over bodies, not the product of their paths.
    out.push(ins(Class.JMP | JmpOp.JEQ | Source.X, 1, 1, 0));
    for (let j = 0; j < AREA_SIZE / 8; j++) {
      out.push(ldx64(2, 1, base + 80 + 8 * j), stx64(10, 2, AREA_LO + 8 * j));
    }
    for (const r of [0, 2, 3, 4, 5, 6, 7, 8, 9]) out.push(ldx64(r, 1, base + 8 * r));
    out.push(ldx64(1, 1, base + 8));
    out.push(...body);
    out.push(stx64(10, 1, -16), ldx64(1, 10, -8));
    for (const r of [0, 2, 3, 4, 5, 6, 7, 8, 9]) out.push(stx64(1, r, base + 8 * r));
    out.push(ldx64(2, 10, -16), stx64(1, 2, base + 8));
    for (let j = 0; j < AREA_SIZE / 8; j++) {
      out.push(ldx64(2, 10, AREA_LO + 8 * j), stx64(1, 2, base + 80 + 8 * j));
    }
  });
  out.push(ins(Class.ALU64 | AluOp.MOV | Source.K, 0, 0, 0, 0), ins(Class.JMP | JmpOp.EXIT));
  return out;
}

/** llvm-style text of a body, one instruction per line, for mismatch reports. */
export function bodyText(body: readonly Instruction[]): string {
  return body.map((i, n) => `  ${String(n).padStart(3)}: ${formatInstruction(i)}`).join("\n");
}

/** Registers and stack area of a context slice, for reports. */
export function sliceText(b: Uint8Array): string {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const regs = Array.from(
    { length: 10 },
    (_, i) => `r${i}=0x${v.getBigUint64(i * 8, true).toString(16)}`,
  ).join(" ");
  return `${regs} stack=${Buffer.from(b.subarray(80, SLICE)).toString("hex")}`;
}
