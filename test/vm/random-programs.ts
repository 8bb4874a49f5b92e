// Random but kernel-acceptable BPF programs for differential testing (VM vs kernel).
//
// A *body* is straight-line code with forward conditional jumps over r0–r9: 32/64-bit ALU with
// random registers and immediates (division and modulo by a zero register, shifts by large
// register amounts, v4 sdiv/smod/movsx/bswap), byte swaps, ld_imm64, stack stores/loads of
// every size (sign-extending loads too) and atomics on a 64-byte stack area, context loads and
// stores of every size on a 32-byte context area, and (with `gdata`) loads, stores and atomics
// on a 32-byte global-data section (`.data`, through a relocated ld_imm64). Immediate forms
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
/** The body's own context bytes: CTX_AREA_SIZE bytes at CTX_AREA in its slice. */
export const CTX_AREA = 10 * 8 + AREA_SIZE;
export const CTX_AREA_SIZE = 32;
/** Context bytes per body: r0..r9 (8 bytes each), the stack area, then the context area. */
export const SLICE = CTX_AREA + CTX_AREA_SIZE;
/** Bytes of the global-data section (`.data`, symbol GDATA) ring cases give their bodies. */
export const GDATA_SIZE = 32;
export const GDATA = "gdata";

/**
 * Instructions whose final form depends on where they are placed: context accesses (`off`
 * is relative to the body's slice; buildBatch adds the slice's base) and ld_imm64 of the
 * global-data section (a relocation against GDATA, added by whoever builds the object).
 */
export const placed = new WeakMap<Instruction, "ctx" | "gdata">();
const mark = (i: Instruction, how: "ctx" | "gdata"): Instruction => (placed.set(i, how), i);

/**
 * A body item: an instruction; a conditional jump over the next `skip` items of its block;
 * if/else (`if cond goto else; then…; goto end; else: else…`); a loop running `items`
 * `count` times (counter at r10-16, decremented through register `reg`, so that register's
 * value is part of the result); or a BPF-to-BPF call of a subprogram with its own body.
 */
export type Item =
  | { k: "insn"; insn: Instruction }
  | { k: "insns"; insns: Instruction[] }
  | { k: "jmp"; opcode: number; dst: number; src: number; imm: number; skip: number }
  | { k: "if"; cond: Instruction; then: Item[]; else: Item[]; long: boolean }
  | { k: "loop"; count: number; reg: number; items: Item[] }
  | { k: "call"; body: Item[] };

/** A lowered body: instructions (calls carry the callee's index in `imm` until placed) and callees. */
export interface Lowered {
  insns: Instruction[];
  callees: Instruction[][];
}

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
    fc.tuple(slot(s.bytes), fc.integer({ min: -128, max: 127 })).map(([off, byte]) => {
      const atomic = ins(Class.STX | Mode.ATOMIC | s.size, 10, src, off, op);
      // Linux 6.18 does not backtrack precision from the register a fetching atomic loads
      // into to the register spilled in that slot, so it can prune a path whose value it
      // needed and remove a branch it wrongly believes dead (docs/vm.md, "Differential
      // testing"). A byte store first makes the slot plain bytes: the loaded value is then
      // unknown to the verifier and nothing depends on its precision.
      return (op & AtomicOp.FETCH) !== 0
        ? [ins(Class.ST | Mode.MEM | Size.B, 10, 0, off, byte), atomic]
        : [atomic];
    }),
  );

/** load_acquire / store_release (kernel 6.15+): every size; the stack pointer is src resp. dst. */
const acqRel = fc
  .tuple(sized, fc.boolean(), reg)
  .chain(([s, acquire, r]) =>
    slot(s.bytes).map((off) =>
      acquire
        ? ins(Class.STX | Mode.ATOMIC | s.size, r, 10, off, AtomicOp.LOAD_ACQ)
        : ins(Class.STX | Mode.ATOMIC | s.size, 10, r, off, AtomicOp.STORE_REL),
    ),
  );

const mov64imm = (dst: number, imm: number) =>
  ins(Class.ALU64 | AluOp.MOV | Source.K, dst, 0, 0, imm);
/** A register other than `r` (and other than r0 when `no0`). */
const otherReg = (r: number, no0 = false) =>
  fc.integer({ min: no0 ? 1 : 0, max: 9 }).filter((x) => x !== r);

/**
 * Context accesses (top-level code only: the context pointer is in the wrapper's r10-8):
 * `rT = ctx; <access at rT + CTX_AREA + off>`, then rT overwritten (loads load into rT
 * itself), so no pointer reaches the compared registers. Atomics on the context are refused
 * by the kernel and not generated.
 */
const ctxAccess = fc
  .tuple(sized, fc.constantFrom("load", "loadsx", "store", "storeImm"), reg, imm32)
  .chain(([s, kind, t, imm]) =>
    fc
      .tuple(
        fc.integer({ min: 0, max: CTX_AREA_SIZE / s.bytes - 1 }).map((i) => CTX_AREA + i * s.bytes),
        otherReg(t),
      )
      .map(([off, other]): Instruction[] => {
        const base = ldx64(t, 10, -8);
        if (kind === "load" || (kind === "loadsx" && s.bytes === 8))
          return [base, mark(ins(Class.LDX | Mode.MEM | s.size, t, t, off), "ctx")];
        if (kind === "loadsx")
          return [base, mark(ins(Class.LDX | Mode.MEMSX | s.size, t, t, off), "ctx")];
        const access =
          kind === "store"
            ? ins(Class.STX | Mode.MEM | s.size, t, other, off)
            : ins(Class.ST | Mode.MEM | s.size, t, 0, off, imm);
        return [base, mark(access, "ctx"), mov64imm(t, imm)];
      }),
  );

/**
 * Global-data accesses: `rT = gdata ll; <access at rT + off>`, then rT overwritten. Loads
 * (zero- and sign-extending), stores (register and immediate) and every atomic, all sizes
 * the ISA has for them.
 */
const gdataAccess = fc
  .tuple(
    sized,
    fc.constantFrom("load", "loadsx", "store", "storeImm", "atomic"),
    fc.integer({ min: 1, max: 9 }),
    imm32,
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
  )
  .chain(([s0, kind, t, imm, aop]) => {
    const s = kind === "atomic" && s0.bytes < 4 ? SIZES[2 + (s0.bytes >> 1)] : s0;
    return fc
      .tuple(
        fc.integer({ min: 0, max: GDATA_SIZE / s.bytes - 1 }).map((i) => i * s.bytes),
        otherReg(t, true),
      )
      .map(([off, other]): Instruction[] => {
        const base = mark({ ...ins(LD_IMM64, t), imm64: 0n }, "gdata");
        if (kind === "load" || (kind === "loadsx" && s.bytes === 8))
          return [base, ins(Class.LDX | Mode.MEM | s.size, t, t, off)];
        if (kind === "loadsx") return [base, ins(Class.LDX | Mode.MEMSX | s.size, t, t, off)];
        const access =
          kind === "store"
            ? ins(Class.STX | Mode.MEM | s.size, t, other, off)
            : kind === "storeImm"
              ? ins(Class.ST | Mode.MEM | s.size, t, 0, off, imm)
              : ins(Class.STX | Mode.ATOMIC | s.size, t, other, off, aop);
        return [base, access, mov64imm(t, imm)];
      });
  });

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

const condition = fc
  .tuple(
    fc.constantFrom(Class.JMP, Class.JMP32),
    fc.constantFrom(...JMP_OPS),
    fc.boolean(),
    reg,
    reg,
    imm32,
  )
  .map(([c, op, x, dst, src, imm]) =>
    ins(c | op | (x ? Source.X : Source.K), dst, x ? src : 0, 0, x ? 0 : imm),
  );

const jump = fc.tuple(condition, fc.integer({ min: 0, max: 6 })).map(([c, skip]): Item => ({
  k: "jmp",
  opcode: c.opcode,
  dst: c.dst,
  src: c.src,
  imm: c.imm,
  skip,
}));

const insnItem = (a: fc.Arbitrary<Instruction>): fc.Arbitrary<Item> =>
  a.map((insn) => ({ k: "insn", insn }));

/** What a body may touch besides registers and its stack area. */
export interface BodyOptions {
  /** Context loads/stores (top-level code; default true). */
  ctx?: boolean;
  /** Global-data accesses (needs a `.data` section with symbol GDATA; default false). */
  gdata?: boolean;
}

function itemArbs(o: { ctx: boolean; gdata: boolean }) {
  const mem: { arbitrary: fc.Arbitrary<Item>; weight: number }[] = [];
  if (o.ctx)
    mem.push({ arbitrary: ctxAccess.map((insns): Item => ({ k: "insns", insns })), weight: 3 });
  if (o.gdata)
    mem.push({ arbitrary: gdataAccess.map((insns): Item => ({ k: "insns", insns })), weight: 4 });
  /** Straight-line items and forward jumps. */
  const leaf: fc.Arbitrary<Item> = fc.oneof(
    { arbitrary: insnItem(plainAlu), weight: 8 },
    { arbitrary: insnItem(divMod), weight: 4 },
    { arbitrary: insnItem(shift), weight: 4 },
    { arbitrary: insnItem(neg), weight: 1 },
    { arbitrary: insnItem(movsx), weight: 2 },
    { arbitrary: insnItem(endian), weight: 2 },
    { arbitrary: insnItem(ldImm64), weight: 2 },
    { arbitrary: insnItem(stackStore), weight: 3 },
    { arbitrary: insnItem(stackLoad), weight: 3 },
    { arbitrary: atomic.map((insns): Item => ({ k: "insns", insns })), weight: 2 },
    { arbitrary: insnItem(acqRel), weight: 1 },
    { arbitrary: jump, weight: 3 },
    ...mem,
  );
  const block = (max: number) => fc.array(leaf, { minLength: 0, maxLength: max, size: "max" });
  // `long`: the jump over the else block is v4 `gotol` (32-bit offset in imm).
  const ifElse = fc
    .tuple(condition, block(6), block(6), fc.boolean())
    .map(([cond, a, b, long]): Item => ({ k: "if", cond, then: a, else: b, long }));
  // Few iterations: the verifier walks every iteration of a bounded loop.
  const loop = fc
    .tuple(fc.integer({ min: 1, max: 4 }), reg, block(8))
    .map(([count, r, items]): Item => ({ k: "loop", count, reg: r, items }));
  return { leaf, ifElse, loop };
}

const arbCache = new Map<string, fc.Arbitrary<Item>>();

/** Items of a body: straight-line code, if/else, loops, calls (callees never touch the context). */
function topItemArb(o: { ctx: boolean; gdata: boolean }): fc.Arbitrary<Item> {
  const key = `${o.ctx}/${o.gdata}`;
  const cached = arbCache.get(key);
  if (cached) return cached;
  const top = itemArbs(o);
  const inner = itemArbs({ ctx: false, gdata: o.gdata });
  /** Items of a subprogram's body: everything but calls. */
  const calleeItem: fc.Arbitrary<Item> = fc.oneof(
    { arbitrary: inner.leaf, weight: 20 },
    { arbitrary: inner.ifElse, weight: 1 },
    { arbitrary: inner.loop, weight: 1 },
  );
  const call = fc
    .array(calleeItem, { minLength: 1, maxLength: 16, size: "max" })
    .map((body): Item => ({ k: "call", body }));
  const item = fc.oneof(
    { arbitrary: top.leaf, weight: 40 },
    { arbitrary: top.ifElse, weight: 2 },
    { arbitrary: top.loop, weight: 2 },
    { arbitrary: call, weight: 1 },
  );
  arbCache.set(key, item);
  return item;
}

export const bodyArb = (maxLength = 40, o: BodyOptions = {}): fc.Arbitrary<Item[]> =>
  fc.array(topItemArb({ ctx: o.ctx ?? true, gdata: o.gdata ?? false }), {
    minLength: 1,
    maxLength,
    size: "max",
  });

/** Context bytes for one body: random registers (edge values likely) and stack area. */
export const inputArb: fc.Arbitrary<Uint8Array> = fc
  .tuple(
    fc.array(imm64, { minLength: 10, maxLength: 10 }),
    fc.uint8Array({ minLength: AREA_SIZE + CTX_AREA_SIZE, maxLength: AREA_SIZE + CTX_AREA_SIZE }),
  )
  .map(([regs, area]) => {
    const b = new Uint8Array(SLICE);
    const v = new DataView(b.buffer);
    regs.forEach((r, i) => v.setBigUint64(i * 8, BigInt.asUintN(64, r), true));
    b.set(area, 80);
    return b;
  });

const slots = (i: Instruction): number => (i.opcode === LD_IMM64 ? 2 : 1);
const count = (insns: readonly Instruction[]): number => insns.reduce((n, i) => n + slots(i), 0);

const ldx64 = (dst: number, src: number, off: number) =>
  ins(Class.LDX | Mode.MEM | Size.DW, dst, src, off);
const stx64 = (dst: number, src: number, off: number) =>
  ins(Class.STX | Mode.MEM | Size.DW, dst, src, off);
const mov64 = (dst: number, src: number) => ins(Class.ALU64 | AluOp.MOV | Source.X, dst, src);
const CALL_LOCAL = Class.JMP | JmpOp.CALL;
const EXIT = ins(Class.JMP | JmpOp.EXIT);

/** Jumps resolved to slot offsets (never past the block's end); calls collected as callees. */
function lowerItems(items: readonly Item[], callees: Instruction[][]): Instruction[] {
  const parts = items.map((it): Instruction[] => {
    switch (it.k) {
      case "insn":
        return [it.insn];
      case "insns":
        return it.insns;
      case "jmp":
        return [ins(it.opcode, it.dst, it.src, 0, it.imm)]; // offset set below
      case "if": {
        const a = lowerItems(it.then, callees);
        const b = lowerItems(it.else, callees);
        return [
          { ...it.cond, off: count(a) + 1 },
          ...a,
          it.long
            ? ins(Class.JMP32 | JmpOp.JA, 0, 0, 0, count(b))
            : ins(Class.JMP | JmpOp.JA, 0, 0, count(b)),
          ...b,
        ];
      }
      case "loop": {
        const body = lowerItems(it.items, callees);
        const tail = [
          ldx64(it.reg, 10, -16),
          ins(Class.ALU64 | AluOp.ADD | Source.K, it.reg, 0, 0, -1),
          stx64(10, it.reg, -16),
        ];
        const back = -(count(body) + count(tail) + 1);
        return [
          ins(Class.ST | Mode.MEM | Size.DW, 10, 0, -16, it.count),
          ...body,
          ...tail,
          ins(Class.JMP | JmpOp.JNE | Source.K, it.reg, 0, back, 0),
        ];
      }
      case "call": {
        // The callee starts with every register and its stack area set from its arguments
        // (the kernel rejects reading r0/r6-r9 or stack a frame has not written).
        const callee = [mov64(0, 1), mov64(6, 2), mov64(7, 3), mov64(8, 4), mov64(9, 5)];
        for (let j = 0; j < AREA_SIZE / 8; j++)
          callee.push(stx64(10, 1 + (j % 5), AREA_LO + 8 * j));
        callee.push(...lowerItems(it.body, callees), EXIT);
        callees.push(callee);
        // r1-r5 are dead after a call (the kernel rejects reading them): give them values.
        return [
          ins(CALL_LOCAL, 0, 1, 0, callees.length - 1),
          mov64(1, 0),
          mov64(2, 6),
          mov64(3, 7),
          mov64(4, 8),
          mov64(5, 9),
        ];
      }
    }
  });
  const at: number[] = [];
  let n = 0;
  for (const p of parts) {
    at.push(n);
    n += count(p);
  }
  at.push(n);
  items.forEach((it, i) => {
    if (it.k !== "jmp") return;
    const target = Math.min(items.length, i + 1 + it.skip);
    parts[i]![0] = { ...parts[i]![0]!, off: at[target]! - at[i + 1]! };
  });
  return parts.flat();
}

export function lowerBody(items: readonly Item[]): Lowered {
  const callees: Instruction[][] = [];
  return { insns: lowerItems(items, callees), callees };
}

const RETURN_0 = [ins(Class.ALU64 | AluOp.MOV | Source.K, 0, 0, 0, 0), EXIT];

/**
 * One program running `bodies[k]` on context slice k: load registers and stack area from the
 * slice, run the body, store them back; then `tail` (default `r0 = 0; exit`), then the
 * subprograms the bodies call.
 */
export function buildBatch(
  bodies: readonly Lowered[],
  tail: Instruction[] = RETURN_0,
): Instruction[] {
  const out: Instruction[] = [stx64(10, 1, -8)];
  const calls: { at: number; callee: Instruction[] }[] = [];
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
    for (const i of body.insns) {
      if (i.opcode === CALL_LOCAL && i.src === 1)
        calls.push({ at: out.length, callee: body.callees[i.imm]! });
      // Context accesses: relative to the slice until placed.
      out.push(placed.get(i) === "ctx" ? { ...i, off: i.off + base } : i);
    }
    out.push(stx64(10, 1, -16), ldx64(1, 10, -8));
    for (const r of [0, 2, 3, 4, 5, 6, 7, 8, 9]) out.push(stx64(1, r, base + 8 * r));
    out.push(ldx64(2, 10, -16), stx64(1, 2, base + 8));
    for (let j = 0; j < AREA_SIZE / 8; j++) {
      out.push(ldx64(2, 10, AREA_LO + 8 * j), stx64(1, 2, base + 80 + 8 * j));
    }
  });
  out.push(...tail);
  // Place the callees and point each call at its own (offsets in slots, from the next one).
  for (const c of calls) {
    const start = count(out);
    const callAt = count(out.slice(0, c.at));
    out[c.at] = { ...out[c.at]!, imm: start - (callAt + 1) };
    out.push(...c.callee);
  }
  return out;
}

/** llvm-style text of a body and its callees, one instruction per line, for mismatch reports. */
export function bodyText(body: Lowered): string {
  const text = (insns: readonly Instruction[]) =>
    insns.map((i, n) => `  ${String(n).padStart(3)}: ${formatInstruction(i)}`).join("\n");
  return [text(body.insns), ...body.callees.map((c, k) => `  callee ${k}:\n${text(c)}`)].join("\n");
}

/** Registers and stack area of a context slice, for reports. */
export function sliceText(b: Uint8Array): string {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const regs = Array.from(
    { length: 10 },
    (_, i) => `r${i}=0x${v.getBigUint64(i * 8, true).toString(16)}`,
  ).join(" ");
  const hex = (from: number, to: number) => Buffer.from(b.subarray(from, to)).toString("hex");
  return `${regs} stack=${hex(80, CTX_AREA)} ctx=${hex(CTX_AREA, SLICE)}`;
}
