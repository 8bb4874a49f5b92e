// The reference interpreter: every instruction form of RFC 9669 plus the kernel extensions
// (cpu v1–v4, atomics with load_acquire/store_release, may_goto, callx). Programs are
// pre-decoded once into dense per-slot arrays keyed by a small operation number, so the hot
// loop is one switch. Registers are two Int32Arrays (low and high words): bench/vm.ts measures
// this at ~1.7–2.4x an idealised BigInt-register loop on 64-bit values (docs/vm.md); BigInt is used
// only for 64-bit div/mod and in helpers. Memory is the checked region model of memory.ts; any fault stops the run and is
// reported with its pc.
import type { Instruction } from "../isa/instruction.js";
import { AtomicOp, Imm64Src, type JmpOpName, LD_IMM64 } from "../isa/opcodes.js";
import { formOf } from "../isa/table.js";
import { Memory, type Region, regionTag } from "./memory.js";

/** The kernel's MAX_CALL_FRAMES: the main program plus 7 nested calls. */
export const MAX_CALL_FRAMES = 8;
/** MAX_BPF_STACK. */
export const STACK_SIZE = 512;
/** The kernel's BPF_MAX_LOOPS budget for may_goto. */
export const MAY_GOTO_BUDGET = 8 * 1024 * 1024;

export class VmFault extends Error {
  constructor(
    readonly pc: number,
    message: string,
    /** "limit" when the instruction limit stopped the run. */
    readonly kind: "fault" | "limit" = "fault",
  ) {
    super(message);
  }
}

/** A helper reads its arguments from r1–r5 through the interpreter and returns r0. */
export type HelperFn = (vm: Interpreter, pc: number) => bigint | number;

export interface InterpreterOptions {
  /** Helpers by id. An unknown id faults. */
  helpers?: ReadonlyMap<number, HelperFn>;
  /** Kfuncs by the slot of their call instruction (the loader knows each call's extern name). */
  kfuncs?: ReadonlyMap<number, HelperFn>;
  /** Instructions one run may execute (default 1,000,000, the kernel's complexity budget scale). */
  maxInsns?: number;
  /** may_goto budget per run. */
  mayGotoBudget?: number;
  /**
   * The value of a relocated or pseudo ld_imm64 at a slot (map handles, global data). Called
   * once per ld_imm64 at pre-decode; undefined means "use imm64 as written".
   */
  resolveImm64?: (slot: number, insn: Instruction, vm: Interpreter) => bigint | undefined;
}

export interface RunResult {
  r0: bigint;
  /** Instructions executed. */
  insns: number;
  fault?: { pc: number; message: string; kind: "fault" | "limit" };
}

// Operation numbers of the pre-decoded program (const enum: inlined literals in the switch).
const enum Op {
  INVALID = 0,
  LDIMM64_SECOND,
  // ALU64 / ALU32: operand from a register (X) or the immediate (K) is chosen at pre-decode.
  ADD64,
  SUB64,
  MUL64,
  DIV64,
  SDIV64,
  MOD64,
  SMOD64,
  OR64,
  AND64,
  LSH64,
  RSH64,
  ARSH64,
  XOR64,
  MOV64,
  NEG64,
  MOVSX64_8,
  MOVSX64_16,
  MOVSX64_32,
  ADD32,
  SUB32,
  MUL32,
  DIV32,
  SDIV32,
  MOD32,
  SMOD32,
  OR32,
  AND32,
  LSH32,
  RSH32,
  ARSH32,
  XOR32,
  MOV32,
  NEG32,
  MOVSX32_8,
  MOVSX32_16,
  LE16,
  LE32,
  LE64,
  BE16,
  BE32,
  BE64,
  ADDR_SPACE_CAST,
  LDIMM64,
  LDX,
  LDXSX,
  ST,
  STX,
  ATOMIC,
  LEGACY_PACKET,
  JA,
  JA32,
  JEQ,
  JNE,
  JGT,
  JGE,
  JLT,
  JLE,
  JSGT,
  JSGE,
  JSLT,
  JSLE,
  JSET,
  JEQ32,
  JNE32,
  JGT32,
  JGE32,
  JLT32,
  JLE32,
  JSGT32,
  JSGE32,
  JSLT32,
  JSLE32,
  JSET32,
  CALL_HELPER,
  CALL_LOCAL,
  CALL_KFUNC,
  CALLX,
  EXIT,
  MAY_GOTO,
}

type AluName =
  | "ADD"
  | "SUB"
  | "MUL"
  | "DIV"
  | "SDIV"
  | "MOD"
  | "SMOD"
  | "OR"
  | "AND"
  | "LSH"
  | "RSH"
  | "ARSH"
  | "XOR"
  | "MOV";
const ALU_OPS: Record<AluName, [Op, Op]> = {
  ADD: [Op.ADD64, Op.ADD32],
  SUB: [Op.SUB64, Op.SUB32],
  MUL: [Op.MUL64, Op.MUL32],
  DIV: [Op.DIV64, Op.DIV32],
  SDIV: [Op.SDIV64, Op.SDIV32],
  MOD: [Op.MOD64, Op.MOD32],
  SMOD: [Op.SMOD64, Op.SMOD32],
  OR: [Op.OR64, Op.OR32],
  AND: [Op.AND64, Op.AND32],
  LSH: [Op.LSH64, Op.LSH32],
  RSH: [Op.RSH64, Op.RSH32],
  ARSH: [Op.ARSH64, Op.ARSH32],
  XOR: [Op.XOR64, Op.XOR32],
  MOV: [Op.MOV64, Op.MOV32],
};

const JMP_OPS: Partial<Record<JmpOpName, [Op, Op]>> = {
  JEQ: [Op.JEQ, Op.JEQ32],
  JNE: [Op.JNE, Op.JNE32],
  JGT: [Op.JGT, Op.JGT32],
  JGE: [Op.JGE, Op.JGE32],
  JLT: [Op.JLT, Op.JLT32],
  JLE: [Op.JLE, Op.JLE32],
  JSGT: [Op.JSGT, Op.JSGT32],
  JSGE: [Op.JSGE, Op.JSGE32],
  JSLT: [Op.JSLT, Op.JSLT32],
  JSLE: [Op.JSLE, Op.JSLE32],
  JSET: [Op.JSET, Op.JSET32],
};

const END_OPS = {
  le: { 16: Op.LE16, 32: Op.LE32, 64: Op.LE64 },
  be: { 16: Op.BE16, 32: Op.BE32, 64: Op.BE64 },
  // bswap (v4) swaps unconditionally, which on the little-endian VM is the same as "to BE".
  swap: { 16: Op.BE16, 32: Op.BE32, 64: Op.BE64 },
} as const;

/**
 * Maps one instruction to its operation through the instruction table's semantics (the one
 * definition of what an opcode means), with the width for memory ops. Unknown forms → INVALID.
 */
function classify(insn: Instruction): { op: Op; width: number; useReg: boolean } {
  const bad = { op: Op.INVALID, width: 0, useReg: false };
  const form = formOf(insn);
  if (!form) return bad;
  const sem = form.sem;
  switch (sem.kind) {
    case "alu": {
      const useReg = sem.source === "X";
      const i = sem.width === 64 ? 0 : 1;
      if (sem.op === "MOVSX") {
        if (sem.extend === 8)
          return { op: i === 0 ? Op.MOVSX64_8 : Op.MOVSX32_8, width: 0, useReg };
        if (sem.extend === 16)
          return { op: i === 0 ? Op.MOVSX64_16 : Op.MOVSX32_16, width: 0, useReg };
        return i === 0 ? { op: Op.MOVSX64_32, width: 0, useReg } : bad;
      }
      const pair = ALU_OPS[sem.op as AluName];
      return pair ? { op: pair[i], width: 0, useReg } : bad;
    }
    case "neg":
      return { op: sem.width === 64 ? Op.NEG64 : Op.NEG32, width: 0, useReg: false };
    case "end":
      return { op: END_OPS[sem.order][sem.bits], width: sem.bits, useReg: false };
    case "addr_space_cast":
      return { op: Op.ADDR_SPACE_CAST, width: 0, useReg: true };
    case "ld_imm64":
      return { op: Op.LDIMM64, width: 8, useReg: false };
    case "ld_packet":
      return { op: Op.LEGACY_PACKET, width: sem.bytes, useReg: false };
    case "load":
      return { op: sem.signed ? Op.LDXSX : Op.LDX, width: sem.bytes, useReg: true };
    case "store_imm":
      return { op: Op.ST, width: sem.bytes, useReg: false };
    case "store":
      return { op: Op.STX, width: sem.bytes, useReg: true };
    case "atomic":
    case "load_acquire":
    case "store_release":
      return { op: Op.ATOMIC, width: sem.bytes, useReg: true };
    case "ja":
      return { op: sem.wide ? Op.JA32 : Op.JA, width: 0, useReg: false };
    case "jcond": {
      const pair = JMP_OPS[sem.op];
      return pair
        ? { op: pair[sem.width === 64 ? 0 : 1], width: 0, useReg: sem.source === "X" }
        : bad;
    }
    case "may_goto":
      return { op: Op.MAY_GOTO, width: 0, useReg: false };
    case "call":
      return {
        op:
          sem.target === "helper"
            ? Op.CALL_HELPER
            : sem.target === "local"
              ? Op.CALL_LOCAL
              : Op.CALL_KFUNC,
        width: 0,
        useReg: false,
      };
    case "callx":
      return { op: Op.CALLX, width: 0, useReg: false };
    case "exit":
      return { op: Op.EXIT, width: 0, useReg: false };
  }
  return bad;
}

// Scratch results of the 64-bit helpers below (returning two numbers without allocating).
let RLO = 0;
let RHI = 0;

/** Low 64 bits of a 64x64 product, from 16-bit partial products (exact in doubles). */
function mul64(alo: number, ahi: number, blo: number, bhi: number): void {
  const a0 = alo & 0xffff,
    a1 = alo >>> 16,
    b0 = blo & 0xffff,
    b1 = blo >>> 16;
  const p00 = a0 * b0,
    p01 = a0 * b1,
    p10 = a1 * b0,
    p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  RLO = (p00 & 0xffff) | ((mid & 0xffff) << 16);
  const hiOfLo = p11 + Math.floor(p01 / 65536) + Math.floor(p10 / 65536) + Math.floor(mid / 65536);
  RHI = (hiOfLo + Math.imul(alo, bhi) + Math.imul(ahi, blo)) | 0;
}

function toU64(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}
function toS64(lo: number, hi: number): bigint {
  return (BigInt(hi) << 32n) | BigInt(lo >>> 0);
}
function fromBig(v: bigint): void {
  RLO = Number(BigInt.asIntN(32, v));
  RHI = Number(BigInt.asIntN(32, v >> 32n));
}

function bswap32(x: number): number {
  return ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
}

interface Frame {
  retPc: number;
  saved: Int32Array; // r6–r10 low and high words
}

export class Interpreter {
  readonly mem: Memory;
  /** Register low and high words (r0–r10). */
  readonly lo = new Int32Array(11);
  readonly hi = new Int32Array(11);
  readonly slots: number;
  readonly stacks: Region[] = [];
  /** Region for code addresses (callx targets): size 0, so dereferencing one faults. */
  readonly codeRegion: Region;

  private readonly ops: Uint8Array;
  private readonly dsts: Uint8Array;
  private readonly srcs: Uint8Array;
  private readonly offs: Int32Array;
  private readonly imms: Int32Array;
  private readonly immHis: Int32Array;
  private readonly widths: Uint8Array;
  private readonly regSrc: Uint8Array;
  private readonly frames: Frame[] = [];
  private helpers: ReadonlyMap<number, HelperFn>;
  private kfuncs: ReadonlyMap<number, HelperFn>;
  maxInsns: number;
  mayGotoBudget: number;
  /** Executed-instruction count of the current/last run. */
  executed = 0;

  constructor(
    readonly code: readonly Instruction[],
    mem: Memory = new Memory(),
    private readonly options: InterpreterOptions = {},
  ) {
    this.mem = mem;
    this.helpers = options.helpers ?? new Map();
    this.kfuncs = options.kfuncs ?? new Map();
    this.maxInsns = options.maxInsns ?? 1_000_000;
    this.mayGotoBudget = options.mayGotoBudget ?? MAY_GOTO_BUDGET;
    for (let i = 0; i < MAX_CALL_FRAMES; i++)
      this.stacks.push(mem.add(`stack[frame ${i}]`, STACK_SIZE));
    this.codeRegion = mem.add("code", 0, { readable: false, writable: false });
    let n = 0;
    for (const insn of code) n += insn.opcode === LD_IMM64 ? 2 : 1;
    this.slots = n;
    this.ops = new Uint8Array(n);
    this.dsts = new Uint8Array(n);
    this.srcs = new Uint8Array(n);
    this.offs = new Int32Array(n);
    this.imms = new Int32Array(n);
    this.immHis = new Int32Array(n);
    this.widths = new Uint8Array(n);
    this.regSrc = new Uint8Array(n);
    this.frames = [];
    for (let i = 0; i < MAX_CALL_FRAMES; i++)
      this.frames.push({ retPc: 0, saved: new Int32Array(10) });
    this.predecode();
  }

  setHelpers(helpers: ReadonlyMap<number, HelperFn>): void {
    this.helpers = helpers;
  }

  /** Kfunc implementations by call slot (linux-7.1; see linux71.ts). */
  setKfuncs(kfuncs: ReadonlyMap<number, HelperFn>): void {
    this.kfuncs = kfuncs;
  }

  /** The instruction at a slot (undefined for the second half of ld_imm64). */
  instructionAt(slot: number): Instruction | undefined {
    let s = 0;
    for (const insn of this.code) {
      if (s === slot) return insn;
      s += insn.opcode === LD_IMM64 ? 2 : 1;
      if (s > slot) return undefined;
    }
    return undefined;
  }

  /** Re-resolves ld_imm64 values (after the loader created its regions). */
  predecode(): void {
    let slot = 0;
    for (const insn of this.code) {
      const c = classify(insn);
      const s = slot;
      this.ops[s] = c.op;
      this.dsts[s] = insn.dst;
      this.srcs[s] = insn.src;
      this.offs[s] = insn.off;
      this.widths[s] = c.width;
      this.regSrc[s] = c.useReg ? 1 : 0;
      if (insn.dst > 10 || (c.useReg && insn.src > 10 && c.op !== Op.CALLX))
        this.ops[s] = Op.INVALID;
      if (c.op === Op.CALLX && insn.dst > 10) this.ops[s] = Op.INVALID;
      if (c.op === Op.LDIMM64) {
        let v = insn.imm64 ?? BigInt(insn.imm >>> 0);
        const resolved = this.options.resolveImm64?.(s, insn, this);
        if (resolved !== undefined) v = resolved;
        else if (insn.src === Imm64Src.CODE_ADDR)
          v = this.mem.addressOf(this.codeRegion, (s + insn.imm + 1) * 8);
        else if (insn.src !== Imm64Src.IMM64) this.ops[s] = Op.INVALID; // unresolved map/var reference
        fromBig(v);
        this.imms[s] = RLO;
        this.immHis[s] = RHI;
        if (s + 1 < this.ops.length) this.ops[s + 1] = Op.LDIMM64_SECOND;
        slot += 2;
      } else {
        this.imms[s] = insn.imm | 0;
        this.immHis[s] = (insn.imm | 0) >> 31;
        slot += 1;
      }
    }
  }

  reg(i: number): bigint {
    return toU64(this.lo[i]!, this.hi[i]!);
  }

  setReg(i: number, v: bigint | number): void {
    fromBig(BigInt(v));
    this.lo[i] = RLO;
    this.hi[i] = RHI;
  }

  /** Runs from `entry` with r1..r5 = args and r10 = top of the frame-0 stack. */
  run(entry: number, args: readonly (bigint | number)[] = []): RunResult {
    this.lo.fill(0);
    this.hi.fill(0);
    for (let i = 0; i < args.length && i < 5; i++) this.setReg(i + 1, args[i]!);
    for (const s of this.stacks) s.bytes.fill(0);
    this.lo[10] = STACK_SIZE;
    this.hi[10] = regionTag(this.stacks[0]!.id);
    this.executed = 0;
    try {
      this.loop(entry);
      return { r0: this.reg(0), insns: this.executed };
    } catch (e) {
      if (e instanceof VmFault)
        return {
          r0: this.reg(0),
          insns: this.executed,
          fault: { pc: e.pc, message: e.message, kind: e.kind },
        };
      throw e;
    }
  }

  private fault(pc: number, message: string): never {
    throw new VmFault(pc, message);
  }

  /** Resolves a memory access; returns the region and leaves the byte offset in RLO. */
  private access(
    pc: number,
    hi: number,
    lo: number,
    off: number,
    size: number,
    write: boolean,
  ): Region {
    const eff = (lo >>> 0) + off;
    const region = this.mem.regionOfHi(hi);
    if (region === undefined) {
      const addr = (toU64(lo, hi) + BigInt(off)) & 0xffffffffffffffffn;
      this.fault(
        pc,
        `invalid memory access: ${write ? "write" : "read"} of ${size} bytes at 0x${addr.toString(16)} (not a pointer into any region)`,
      );
    }
    if (
      region.freed ||
      eff < 0 ||
      eff + size > region.bytes.length ||
      (write ? !region.writable : !region.readable)
    ) {
      const why = this.mem.check(region, eff, size, write);
      this.fault(pc, `invalid memory access: ${typeof why === "string" ? why : "bad access"}`);
    }
    RLO = eff;
    return region;
  }

  private loadMem(
    pc: number,
    hi: number,
    lo: number,
    off: number,
    width: number,
    signed: boolean,
  ): void {
    const r = this.access(pc, hi, lo, off, width, false);
    const o = RLO;
    const v = r.view;
    switch (width) {
      case 1:
        RLO = signed ? v.getInt8(o) : v.getUint8(o);
        RHI = RLO >> 31;
        return;
      case 2:
        RLO = signed ? v.getInt16(o, true) : v.getUint16(o, true);
        RHI = RLO >> 31;
        return;
      case 4:
        RLO = v.getInt32(o, true);
        RHI = signed ? RLO >> 31 : 0;
        return;
      default:
        RLO = v.getInt32(o, true);
        RHI = v.getInt32(o + 4, true);
    }
  }

  private storeMem(
    pc: number,
    hi: number,
    lo: number,
    off: number,
    width: number,
    vlo: number,
    vhi: number,
  ): void {
    const r = this.access(pc, hi, lo, off, width, true);
    const o = RLO;
    const v = r.view;
    switch (width) {
      case 1:
        v.setUint8(o, vlo & 0xff);
        return;
      case 2:
        v.setUint16(o, vlo & 0xffff, true);
        return;
      case 4:
        v.setInt32(o, vlo, true);
        return;
      default:
        v.setInt32(o, vlo, true);
        v.setInt32(o + 4, vhi, true);
    }
  }

  private atomic(pc: number, d: number, s: number, off: number, width: number, imm: number): void {
    const lo = this.lo,
      hi = this.hi;
    if (imm === AtomicOp.LOAD_ACQ) {
      // dst = *(src + off); the address register is src, as for LDX.
      this.loadMem(pc, hi[s]!, lo[s]!, off, width, false);
      lo[d] = RLO;
      hi[d] = width === 8 ? RHI : 0;
      return;
    }
    if (imm === AtomicOp.STORE_REL) {
      this.storeMem(pc, hi[d]!, lo[d]!, off, width, lo[s]!, hi[s]!);
      return;
    }
    this.loadMem(pc, hi[d]!, lo[d]!, off, width, false);
    const olo = RLO,
      ohi = width === 8 ? RHI : 0;
    let nlo = lo[s]!,
      nhi = hi[s]!;
    const base = imm & ~AtomicOp.FETCH;
    if (imm === AtomicOp.CMPXCHG) {
      const eq = width === 8 ? olo === lo[0] && ohi === hi[0] : olo === lo[0];
      if (eq) this.storeMem(pc, hi[d]!, lo[d]!, off, width, nlo, nhi);
      lo[0] = olo;
      hi[0] = ohi;
      return;
    }
    if (imm !== AtomicOp.XCHG) {
      switch (base) {
        case AtomicOp.ADD: {
          const sum = (olo >>> 0) + (nlo >>> 0);
          nhi = (ohi + nhi + (sum > 0xffffffff ? 1 : 0)) | 0;
          nlo = sum | 0;
          break;
        }
        case AtomicOp.OR:
          nlo = olo | nlo;
          nhi = ohi | nhi;
          break;
        case AtomicOp.AND:
          nlo = olo & nlo;
          nhi = ohi & nhi;
          break;
        default:
          nlo = olo ^ nlo;
          nhi = ohi ^ nhi;
      }
    }
    this.storeMem(pc, hi[d]!, lo[d]!, off, width, nlo, nhi);
    if (imm & AtomicOp.FETCH) {
      lo[s] = olo;
      hi[s] = ohi; // 32-bit fetches zero-extend
    }
  }

  private callHelper(pc: number, id: number): void {
    const fn = this.helpers.get(id);
    if (!fn) this.fault(pc, `call to unknown helper ${id}`);
    const r = fn(this, pc);
    this.setReg(0, r);
  }

  private loop(entry: number): void {
    const ops = this.ops,
      dsts = this.dsts,
      srcs = this.srcs,
      offs = this.offs,
      imms = this.imms,
      immHis = this.immHis;
    const widths = this.widths,
      regSrc = this.regSrc;
    const lo = this.lo,
      hi = this.hi;
    const n = ops.length;
    let depth = 0;
    let mayGoto = this.mayGotoBudget;
    const budget = this.maxInsns;
    let pc = entry;
    let executed = 0;
    try {
      for (;;) {
        if (pc < 0 || pc >= n)
          this.fault(pc, `jump out of the program (pc ${pc}, program has ${n} slots)`);
        if (executed >= budget)
          throw new VmFault(pc, `instruction limit of ${budget} reached`, "limit");
        executed++;
        const d = dsts[pc]!;
        const s = srcs[pc]!;
        let blo: number, bhi: number;
        if (regSrc[pc] === 1) {
          blo = lo[s]!;
          bhi = hi[s]!;
        } else {
          blo = imms[pc]!;
          bhi = immHis[pc]!;
        }
        switch (ops[pc] as Op) {
          // ---- ALU64
          case Op.ADD64: {
            const a = lo[d]!;
            const sum = (a >>> 0) + (blo >>> 0);
            hi[d] = (hi[d]! + bhi + (sum > 0xffffffff ? 1 : 0)) | 0;
            lo[d] = sum | 0;
            break;
          }
          case Op.SUB64: {
            const a = lo[d]!;
            const diff = (a >>> 0) - (blo >>> 0);
            hi[d] = (hi[d]! - bhi - (diff < 0 ? 1 : 0)) | 0;
            lo[d] = diff | 0;
            break;
          }
          case Op.MUL64:
            mul64(lo[d]!, hi[d]!, blo, bhi);
            lo[d] = RLO;
            hi[d] = RHI;
            break;
          case Op.DIV64: {
            const b = toU64(blo, bhi);
            fromBig(b === 0n ? 0n : toU64(lo[d]!, hi[d]!) / b);
            lo[d] = RLO;
            hi[d] = RHI;
            break;
          }
          case Op.SDIV64: {
            const b = toS64(blo, bhi);
            // BigInt division truncates toward zero as BPF sdiv does; INT64_MIN / -1 wraps.
            fromBig(b === 0n ? 0n : toS64(lo[d]!, hi[d]!) / b);
            lo[d] = RLO;
            hi[d] = RHI;
            break;
          }
          case Op.MOD64: {
            const b = toU64(blo, bhi);
            if (b !== 0n) {
              fromBig(toU64(lo[d]!, hi[d]!) % b);
              lo[d] = RLO;
              hi[d] = RHI;
            }
            break;
          }
          case Op.SMOD64: {
            const b = toS64(blo, bhi);
            if (b !== 0n) {
              fromBig(toS64(lo[d]!, hi[d]!) % b); // sign of the dividend, as BPF smod
              lo[d] = RLO;
              hi[d] = RHI;
            }
            break;
          }
          case Op.OR64:
            lo[d] = lo[d]! | blo;
            hi[d] = hi[d]! | bhi;
            break;
          case Op.AND64:
            lo[d] = lo[d]! & blo;
            hi[d] = hi[d]! & bhi;
            break;
          case Op.XOR64:
            lo[d] = lo[d]! ^ blo;
            hi[d] = hi[d]! ^ bhi;
            break;
          case Op.MOV64:
            lo[d] = blo;
            hi[d] = bhi;
            break;
          case Op.NEG64: {
            const l = lo[d]!;
            lo[d] = -l | 0;
            hi[d] = (~hi[d]! + (l === 0 ? 1 : 0)) | 0;
            break;
          }
          case Op.LSH64: {
            const k = blo & 63;
            if (k === 0) break;
            const l = lo[d]!;
            if (k < 32) {
              hi[d] = (hi[d]! << k) | (l >>> (32 - k));
              lo[d] = l << k;
            } else {
              hi[d] = l << (k - 32);
              lo[d] = 0;
            }
            break;
          }
          case Op.RSH64: {
            const k = blo & 63;
            if (k === 0) break;
            const h = hi[d]!;
            if (k < 32) {
              lo[d] = (lo[d]! >>> k) | (h << (32 - k));
              hi[d] = h >>> k;
            } else {
              lo[d] = h >>> (k - 32);
              hi[d] = 0;
            }
            break;
          }
          case Op.ARSH64: {
            const k = blo & 63;
            if (k === 0) break;
            const h = hi[d]!;
            if (k < 32) {
              lo[d] = (lo[d]! >>> k) | (h << (32 - k));
              hi[d] = h >> k;
            } else {
              lo[d] = h >> (k - 32);
              hi[d] = h >> 31;
            }
            break;
          }
          case Op.MOVSX64_8:
            lo[d] = (blo << 24) >> 24;
            hi[d] = lo[d]! >> 31;
            break;
          case Op.MOVSX64_16:
            lo[d] = (blo << 16) >> 16;
            hi[d] = lo[d]! >> 31;
            break;
          case Op.MOVSX64_32:
            lo[d] = blo;
            hi[d] = blo >> 31;
            break;
          // ---- ALU32: results are zero-extended into 64 bits
          case Op.ADD32:
            lo[d] = (lo[d]! + blo) | 0;
            hi[d] = 0;
            break;
          case Op.SUB32:
            lo[d] = (lo[d]! - blo) | 0;
            hi[d] = 0;
            break;
          case Op.MUL32:
            lo[d] = Math.imul(lo[d]!, blo);
            hi[d] = 0;
            break;
          case Op.DIV32:
            lo[d] = blo === 0 ? 0 : Math.floor((lo[d]! >>> 0) / (blo >>> 0)) | 0;
            hi[d] = 0;
            break;
          case Op.SDIV32:
            // INT32_MIN / -1 = 2^31, which |0 wraps to INT32_MIN as BPF specifies.
            lo[d] = blo === 0 ? 0 : Math.trunc(lo[d]! / blo) | 0;
            hi[d] = 0;
            break;
          case Op.MOD32:
            if (blo !== 0) lo[d] = ((lo[d]! >>> 0) % (blo >>> 0)) | 0;
            hi[d] = 0;
            break;
          case Op.SMOD32:
            if (blo !== 0) lo[d] = (lo[d]! % blo) | 0;
            hi[d] = 0;
            break;
          case Op.OR32:
            lo[d] = lo[d]! | blo;
            hi[d] = 0;
            break;
          case Op.AND32:
            lo[d] = lo[d]! & blo;
            hi[d] = 0;
            break;
          case Op.XOR32:
            lo[d] = lo[d]! ^ blo;
            hi[d] = 0;
            break;
          case Op.MOV32:
            lo[d] = blo;
            hi[d] = 0;
            break;
          case Op.NEG32:
            lo[d] = -lo[d]! | 0;
            hi[d] = 0;
            break;
          case Op.LSH32:
            lo[d] = lo[d]! << (blo & 31);
            hi[d] = 0;
            break;
          case Op.RSH32:
            lo[d] = lo[d]! >>> (blo & 31);
            hi[d] = 0;
            break;
          case Op.ARSH32:
            lo[d] = lo[d]! >> (blo & 31);
            hi[d] = 0;
            break;
          case Op.MOVSX32_8:
            lo[d] = (blo << 24) >> 24;
            hi[d] = 0;
            break;
          case Op.MOVSX32_16:
            lo[d] = (blo << 16) >> 16;
            hi[d] = 0;
            break;
          // ---- byte order (the VM's host order is little-endian, as bpfel)
          case Op.LE16:
            lo[d] = lo[d]! & 0xffff;
            hi[d] = 0;
            break;
          case Op.LE32:
            hi[d] = 0;
            break;
          case Op.LE64:
            break;
          case Op.BE16: {
            const l = lo[d]!;
            lo[d] = ((l & 0xff) << 8) | ((l >>> 8) & 0xff);
            hi[d] = 0;
            break;
          }
          case Op.BE32:
            lo[d] = bswap32(lo[d]!);
            hi[d] = 0;
            break;
          case Op.BE64: {
            const l = lo[d]!;
            lo[d] = bswap32(hi[d]!);
            hi[d] = bswap32(l);
            break;
          }
          case Op.ADDR_SPACE_CAST:
            // Arena casts: without arenas the VM keeps the value (kernel: cast of a non-arena value).
            lo[d] = blo;
            hi[d] = bhi;
            break;
          case Op.LDIMM64:
            lo[d] = imms[pc]!;
            hi[d] = immHis[pc]!;
            pc += 2;
            continue;
          // ---- memory
          case Op.LDX:
            this.loadMem(pc, hi[s]!, lo[s]!, offs[pc]!, widths[pc]!, false);
            lo[d] = RLO;
            hi[d] = widths[pc]! === 8 ? RHI : 0;
            break;
          case Op.LDXSX:
            this.loadMem(pc, hi[s]!, lo[s]!, offs[pc]!, widths[pc]!, true);
            lo[d] = RLO;
            hi[d] = RHI;
            break;
          case Op.ST:
            this.storeMem(pc, hi[d]!, lo[d]!, offs[pc]!, widths[pc]!, imms[pc]!, immHis[pc]!);
            break;
          case Op.STX:
            this.storeMem(pc, hi[d]!, lo[d]!, offs[pc]!, widths[pc]!, blo, bhi);
            break;
          case Op.ATOMIC:
            this.atomic(pc, d, s, offs[pc]!, widths[pc]!, imms[pc]!);
            break;
          case Op.LEGACY_PACKET:
            return this.fault(
              pc,
              "legacy packet access (LD_ABS/LD_IND): this program type has no packet",
            );
          // ---- jumps
          case Op.JA:
            pc += offs[pc]! + 1;
            continue;
          case Op.JA32:
            pc += imms[pc]! + 1;
            continue;
          case Op.JEQ:
            pc += lo[d] === blo && hi[d] === bhi ? offs[pc]! + 1 : 1;
            continue;
          case Op.JNE:
            pc += lo[d] !== blo || hi[d] !== bhi ? offs[pc]! + 1 : 1;
            continue;
          case Op.JGT: {
            const ah = hi[d]! >>> 0,
              bh = bhi >>> 0;
            pc += ah > bh || (ah === bh && lo[d]! >>> 0 > blo >>> 0) ? offs[pc]! + 1 : 1;
            continue;
          }
          case Op.JGE: {
            const ah = hi[d]! >>> 0,
              bh = bhi >>> 0;
            pc += ah > bh || (ah === bh && lo[d]! >>> 0 >= blo >>> 0) ? offs[pc]! + 1 : 1;
            continue;
          }
          case Op.JLT: {
            const ah = hi[d]! >>> 0,
              bh = bhi >>> 0;
            pc += ah < bh || (ah === bh && lo[d]! >>> 0 < blo >>> 0) ? offs[pc]! + 1 : 1;
            continue;
          }
          case Op.JLE: {
            const ah = hi[d]! >>> 0,
              bh = bhi >>> 0;
            pc += ah < bh || (ah === bh && lo[d]! >>> 0 <= blo >>> 0) ? offs[pc]! + 1 : 1;
            continue;
          }
          case Op.JSGT: {
            const ah = hi[d]!;
            pc += ah > bhi || (ah === bhi && lo[d]! >>> 0 > blo >>> 0) ? offs[pc]! + 1 : 1;
            continue;
          }
          case Op.JSGE: {
            const ah = hi[d]!;
            pc += ah > bhi || (ah === bhi && lo[d]! >>> 0 >= blo >>> 0) ? offs[pc]! + 1 : 1;
            continue;
          }
          case Op.JSLT: {
            const ah = hi[d]!;
            pc += ah < bhi || (ah === bhi && lo[d]! >>> 0 < blo >>> 0) ? offs[pc]! + 1 : 1;
            continue;
          }
          case Op.JSLE: {
            const ah = hi[d]!;
            pc += ah < bhi || (ah === bhi && lo[d]! >>> 0 <= blo >>> 0) ? offs[pc]! + 1 : 1;
            continue;
          }
          case Op.JSET:
            pc += (lo[d]! & blo) !== 0 || (hi[d]! & bhi) !== 0 ? offs[pc]! + 1 : 1;
            continue;
          case Op.JEQ32:
            pc += lo[d] === blo ? offs[pc]! + 1 : 1;
            continue;
          case Op.JNE32:
            pc += lo[d] !== blo ? offs[pc]! + 1 : 1;
            continue;
          case Op.JGT32:
            pc += lo[d]! >>> 0 > blo >>> 0 ? offs[pc]! + 1 : 1;
            continue;
          case Op.JGE32:
            pc += lo[d]! >>> 0 >= blo >>> 0 ? offs[pc]! + 1 : 1;
            continue;
          case Op.JLT32:
            pc += lo[d]! >>> 0 < blo >>> 0 ? offs[pc]! + 1 : 1;
            continue;
          case Op.JLE32:
            pc += lo[d]! >>> 0 <= blo >>> 0 ? offs[pc]! + 1 : 1;
            continue;
          case Op.JSGT32:
            pc += lo[d]! > blo ? offs[pc]! + 1 : 1;
            continue;
          case Op.JSGE32:
            pc += lo[d]! >= blo ? offs[pc]! + 1 : 1;
            continue;
          case Op.JSLT32:
            pc += lo[d]! < blo ? offs[pc]! + 1 : 1;
            continue;
          case Op.JSLE32:
            pc += lo[d]! <= blo ? offs[pc]! + 1 : 1;
            continue;
          case Op.JSET32:
            pc += (lo[d]! & blo) !== 0 ? offs[pc]! + 1 : 1;
            continue;
          case Op.MAY_GOTO:
            // The kernel counts down a per-program budget and takes the branch once it is spent.
            if (mayGoto <= 0) {
              pc += offs[pc]! + 1;
              continue;
            }
            mayGoto--;
            break;
          // ---- calls
          case Op.CALL_HELPER:
            this.executed = executed;
            this.callHelper(pc, imms[pc]!);
            break;
          case Op.CALL_KFUNC: {
            const fn = this.kfuncs.get(pc);
            if (!fn)
              return this.fault(
                pc,
                `kfunc call (btf id ${imms[pc]}) that this run does not provide`,
              );
            this.executed = executed;
            this.setReg(0, fn(this, pc));
            // Like a helper call: r1-r5 are clobbered (left as they are; the verifier forbids reading them).
            break;
          }
          case Op.CALLX:
          case Op.CALL_LOCAL: {
            let target: number;
            if (ops[pc] === Op.CALL_LOCAL) target = pc + imms[pc]! + 1;
            else {
              const th = hi[d]!,
                tl = lo[d]!;
              if (th === regionTag(this.codeRegion.id) && (tl & 7) === 0) target = tl >>> 3;
              else if (th === 0 && tl >= 0) {
                // A plain number is a helper id (the convention of bpf_conformance's callx tests).
                this.executed = executed;
                this.callHelper(pc, tl);
                break;
              } else this.fault(pc, `callx through r${d}, which holds no code address`);
            }
            if (target < 0 || target >= n || ops[target] === Op.LDIMM64_SECOND)
              this.fault(pc, `call to slot ${target}, which is not an instruction of the program`);
            if (depth + 1 >= MAX_CALL_FRAMES)
              this.fault(pc, `call depth exceeds ${MAX_CALL_FRAMES} frames`);
            const f = this.frames[depth]!;
            f.retPc = pc + 1;
            for (let r = 6; r <= 10; r++) {
              f.saved[r - 6] = lo[r]!;
              f.saved[r - 1] = hi[r]!;
            }
            depth++;
            this.stacks[depth]!.bytes.fill(0);
            lo[10] = STACK_SIZE;
            hi[10] = regionTag(this.stacks[depth]!.id);
            pc = target;
            continue;
          }
          case Op.EXIT: {
            if (depth === 0) {
              this.executed = executed;
              return;
            }
            depth--;
            const f = this.frames[depth]!;
            for (let r = 6; r <= 10; r++) {
              lo[r] = f.saved[r - 6]!;
              hi[r] = f.saved[r - 1]!;
            }
            pc = f.retPc;
            continue;
          }
          case Op.LDIMM64_SECOND:
            return this.fault(pc, "jump into the middle of a 16-byte ld_imm64");
          case Op.INVALID:
          default:
            this.fault(pc, this.invalidMessage(pc));
        }
        pc++;
      }
    } finally {
      this.executed = executed;
    }
  }

  private invalidMessage(pc: number): string {
    const insn = this.instructionAt(pc);
    if (!insn) return "invalid instruction";
    const hex = `0x${(insn.opcode & 0xff).toString(16).padStart(2, "0")}`;
    if (insn.opcode === LD_IMM64)
      return `ld_imm64 with src ${insn.src} was not resolved by the loader`;
    if (insn.dst > 10 || insn.src > 10)
      return `invalid register in instruction (opcode ${hex}, dst ${insn.dst}, src ${insn.src})`;
    return `invalid instruction: opcode ${hex} (src ${insn.src}, off ${insn.off}, imm ${insn.imm})`;
  }
}
