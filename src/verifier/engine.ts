// Abstract interpretation of one linked program: every path is walked with an abstract
// state (register types, scalar bounds, per-byte stack contents, call frames); states are
// saved at prune points and a new state that an explored one subsumes is not walked again.
// The first rule broken stops the walk with a VerifyFailure naming the rule, the instruction
// and the branch decisions that led there. We match the privileged kernel (the io_uring
// loader has CAP_BPF + CAP_PERFMON) and keep the unprivileged rules that catch real bugs
// (uninitialised stack, pointer leaks); the unprivileged Spectre-v1 mitigations apply only
// with rules.unprivileged (docs/verifier.md, "Which kernel we match").
import type { HelperArgKind } from "../targets/targets.js";
import { VerifierCodes } from "./codes.js";
import { mapCompatible } from "./helpers.js";
import type { Insn, LinkedProgram } from "./program.js";
import { successors, subprogOf } from "./program.js";
import type { ProgramRules } from "./rules.js";
import * as S from "./scalar.js";
import { LIVE_WORDS, NEED_WORDS, stackLiveness } from "./stacklive.js";
import {
  argsAccess,
  kfuncCall,
  rodataKnown,
  type StructOpsHost,
  syntheticAccess,
  syntheticOf,
} from "./structops.js";
import type { Scalar } from "./scalar.js";

export const MAX_STACK = 512;
export const MAX_CALL_FRAMES = 8;
/** Processed-instruction budget: the kernel's (BPF_COMPLEXITY_LIMIT_INSNS), so that no program the
 * kernel accepts is rejected by us for its size alone (issue 16). */
export const COMPLEXITY_LIMIT = 1_000_000;
/** Branch decisions kept to explain a failure (the most recent ones). */
export const MAX_PATH = 64;
/** Pending branch states at once (the kernel's jump-sequence limit). */
export const MAX_PENDING = 8192;
/** Saved checkpoints per instruction and in all (bounds the cost of each prune check). */
export const MAX_STATES_PER_PC = 256;
export const MAX_STATES = 20_000;
const MAX_VAR_OFF = 1 << 29;
/** Failures that reject the program even on a speculative path. */
const SPEC_FATAL = new Set<string>([
  VerifierCodes.infiniteLoop,
  VerifierCodes.complexity,
  VerifierCodes.tooManyBranches,
]);

export type Reg =
  | { t: "none" }
  | { t: "scalar"; s: Scalar }
  | { t: "ctx"; off: number }
  | { t: "stack"; frame: number; off: number }
  | { t: "map"; map: number }
  | { t: "value"; map: number; off: number; v: Scalar }
  | { t: "valueOrNull"; map: number; id: number };

const NONE: Reg = { t: "none" };
const scalarReg = (s: Scalar): Reg => ({ t: "scalar", s });

const enum B {
  UNINIT = 0,
  MISC = 1,
  ZERO = 2,
  SPILL = 3,
}

interface Frame {
  regs: Reg[];
  /** Byte kinds of the 512-byte stack, index = offset + 512. */
  kinds: Uint8Array;
  /** Full 8-byte spills by slot (index = (offset + 512) / 8). */
  spills: (Reg | undefined)[];
  /** Constants stored by a narrow (< 8 bytes) store at the start of a slot, by slot. */
  narrow: ({ size: number; v: bigint } | undefined)[];
  /** pc to continue at after this frame returns (-1 for the program's frame). */
  ret: number;
  /** Subprogram index. */
  fn: number;
}

export interface Decision {
  pc: number;
  text: string;
  taken: boolean;
}

interface Trail {
  d: Decision;
  prev: Trail | undefined;
  /** Decisions on the path up to and including this one (only the last MAX_PATH are reported). */
  n: number;
}

interface Checkpoint {
  frames: Frame[];
  parent: Checkpoint | undefined;
  pending: number;
  pc: number;
  hit: number;
  miss: number;
  /** Fingerprint of the live registers: equal states have equal fingerprints. */
  fp: number;
}

interface State {
  frames: Frame[];
  pc: number;
  trail: Trail | undefined;
  parent: Checkpoint | undefined;
  /**
   * A speculative path: the kernel (without CAP_PERFMON) also walks the impossible side of a
   * branch whose outcome it knows, to guard against Spectre v1. Rule violations there only end
   * the path (the kernel inserts a speculation barrier), but a loop that can come back to a
   * state its ancestor covers is reported as an infinite loop.
   */
  spec?: boolean;
}

export class VerifyFailure {
  constructor(
    readonly code: string,
    readonly message: string,
    readonly pc: number,
    readonly path: Decision[],
    readonly hint?: string,
    /** Decisions on the whole failing path (`path` is its last MAX_PATH). */
    readonly pathLength: number = path.length,
  ) {}
}

class Fail {
  constructor(
    readonly code: string,
    readonly message: string,
    readonly hint?: string,
  ) {}
}

const fail = (code: string, message: string, hint?: string): never => {
  throw new Fail(code, message, hint);
};

export interface EngineResult {
  failure?: VerifyFailure;
  insnsProcessed: number;
  statesExplored: number;
  /** Instructions no explored path reached (pruned-away dead code). */
  dead: number[];
  maxStack: number[];
}

function regText(r: Reg): string {
  switch (r.t) {
    case "none":
      return "not initialised";
    case "scalar":
      return S.show(r.s);
    case "ctx":
      return `ctx(off=${r.off})`;
    case "stack":
      return `fp${r.off}`;
    case "map":
      return "map_ptr";
    case "value":
      return `map_value(off=${r.off}${S.isConst(r.v) && r.v.v === 0n ? "" : `, var=${S.show(r.v)}`})`;
    case "valueOrNull":
      return "map_value_or_null";
  }
}

const isPtr = (r: Reg): boolean => r.t !== "none" && r.t !== "scalar";

function cloneFrame(f: Frame): Frame {
  return {
    regs: f.regs.slice(),
    kinds: f.kinds.slice(),
    spills: f.spills.slice(),
    narrow: f.narrow.slice(),
    ret: f.ret,
    fn: f.fn,
  };
}

function newFrame(fn: number, ret: number, frameNo: number): Frame {
  const regs: Reg[] = new Array(11).fill(NONE);
  regs[10] = { t: "stack", frame: frameNo, off: 0 };
  return {
    regs,
    kinds: new Uint8Array(MAX_STACK),
    spills: new Array(MAX_STACK / 8).fill(undefined),
    narrow: new Array(MAX_STACK / 8).fill(undefined),
    ret,
    fn,
  };
}

/**
 * The cpu version whose kernel support an instruction needs. The table's `cpu` is LLVM's
 * sense (it emits BPF_ST only for v4), so the kernel-side level is derived from semantics:
 * the v4 additions are signed division, movsx, sign-extending loads, bswap and gotol.
 */
function kernelCpu(insn: Insn): number {
  const sem = insn.d.form.sem;
  switch (sem.kind) {
    case "alu":
      return sem.op === "SDIV" || sem.op === "SMOD" || sem.op === "MOVSX" ? 4 : 1;
    case "load":
      return sem.signed ? 4 : 1;
    case "end":
      return sem.order === "swap" ? 4 : 1;
    case "ja":
      return sem.wide ? 4 : 1;
    default:
      return 1;
  }
}

// ---------------------------------------------------------------------------------------
// Static register liveness (over-approximate), so pruning ignores dead registers.

function liveness(p: LinkedProgram, rules: ProgramRules): Uint16Array {
  const n = p.insns.length;
  const use = new Uint16Array(n);
  const def = new Uint16Array(n);
  const bit = (r: number) => 1 << r;
  for (const insn of p.insns) {
    if (!insn) continue;
    const { dst, src, imm } = insn.d.insn;
    const sem = insn.d.form.sem;
    let u = 0;
    let d = 0;
    switch (sem.kind) {
      case "alu":
        if (sem.op !== "MOV" && sem.op !== "MOVSX") u |= bit(dst);
        if (sem.source === "X") u |= bit(src);
        d |= bit(dst);
        break;
      case "neg":
      case "end":
      case "addr_space_cast":
        u |= bit(dst);
        d |= bit(dst);
        break;
      case "ld_imm64":
        d |= bit(dst);
        break;
      case "load":
      case "load_acquire":
        u |= bit(src);
        d |= bit(dst);
        break;
      case "store_imm":
        u |= bit(dst);
        break;
      case "store":
      case "store_release":
        u |= bit(dst) | bit(src);
        break;
      case "atomic":
        u |= bit(dst) | bit(src);
        if (sem.op === "CMPXCHG") {
          u |= bit(0);
          d |= bit(0);
        } else if (sem.fetch) d |= bit(src);
        break;
      case "jcond":
        u |= bit(dst);
        if (sem.source === "X") u |= bit(src);
        break;
      case "ja":
      case "may_goto":
        break; // reads no register
      case "call": {
        let nargs = 5;
        if (sem.target === "helper") nargs = rules.helper(imm)?.args.length ?? 5;
        for (let i = 1; i <= nargs; i++) u |= bit(i);
        d |= 0x3f;
        break;
      }
      case "exit":
        u |= bit(0);
        break;
      default:
        u |= 0x7ff;
    }
    use[insn.pc] = u & 0x7ff;
    def[insn.pc] = d & ~u & 0x7ff;
  }
  const live = new Uint16Array(n);
  let changed = true;
  while (changed) {
    changed = false;
    for (let pc = n - 1; pc >= 0; pc--) {
      const insn = p.insns[pc];
      if (!insn) continue;
      let out = 0;
      for (const s of successors(p, insn)) if (s >= 0 && s < n) out |= live[s]!;
      // a callee returns into the caller with r6-r9 preserved
      const v = use[pc]! | (out & ~def[pc]!) | bit(10);
      if (v !== live[pc]) {
        live[pc] = v;
        changed = true;
      }
    }
  }
  return live;
}

// ---------------------------------------------------------------------------------------

export function analyze(p: LinkedProgram, rules: ProgramRules): EngineResult {
  const n = p.insns.length;
  const live = liveness(p, rules);
  const { live: stackLive, need } = stackLiveness(p, rules);
  /** Per pc: the live byte indexes (offset + 512), and ~slot for a slot only its pointer-ness is live of. */
  const liveByteCache: (Int16Array | undefined)[] = new Array(n);
  const liveBytes = (pc: number): Int16Array => {
    let c = liveByteCache[pc];
    if (c) return c;
    const out: number[] = [];
    const w0 = pc * LIVE_WORDS;
    for (let sl = 0; sl < MAX_STACK / 8; sl++) {
      const bits = (stackLive[w0 + (sl >> 2)]! >>> ((sl & 3) * 8)) & 0xff;
      if (bits !== 0) {
        for (let b = 0; b < 8; b++) if (bits & (1 << b)) out.push(sl * 8 + b);
      } else if ((stackLive[w0 + 16 + (sl >> 5)]! >>> (sl & 31)) & 1) out.push(~sl);
    }
    c = Int16Array.from(out);
    liveByteCache[pc] = c;
    return c;
  };
  /** Per pc: the slots with a live byte (compared by slotSub). */
  const liveSlotCache: (Uint8Array | undefined)[] = new Array(n);
  const liveSlots = (pc: number): Uint8Array => {
    let c = liveSlotCache[pc];
    if (c) return c;
    const out: number[] = [];
    const w0 = pc * LIVE_WORDS;
    for (let sl = 0; sl < MAX_STACK / 8; sl++)
      if (((stackLive[w0 + (sl >> 2)]! >>> ((sl & 3) * 8)) & 0xff) !== 0) out.push(sl);
    c = Uint8Array.from(out);
    liveSlotCache[pc] = c;
    return c;
  };
  const prunePoint = new Uint8Array(n);
  for (const insn of p.insns) {
    if (!insn) continue;
    const sem = insn.d.form.sem;
    if (sem.kind === "ja" || sem.kind === "jcond")
      for (const t of successors(p, insn)) if (t >= 0 && t < n) prunePoint[t] = 1;
    if (sem.kind === "call") prunePoint[insn.pc + 1] = 1;
    // the convergence point of an open-coded iterator loop (iterConverged)
    if (insn.kfunc === "bpf_iter_num_next") prunePoint[insn.pc] = 1;
  }
  const explored: (Checkpoint[] | undefined)[] = new Array(n);
  const visited = new Uint8Array(n);
  const maxStack = new Array<number>(p.subprogs.length).fill(0);
  const aluAux = new Map<number, { state: number; limit: number }>();
  let exactScalars = false; // set by variable pointer arithmetic (the kernel's explore_alu_limits)
  let nextId = 1;
  let processed = 0;
  let statesExplored = 0;
  let storedStates = 0;
  const stack: State[] = [];

  const complete = (cp: Checkpoint | undefined): void => {
    for (let c = cp; c; c = c.parent) {
      c.pending--;
      if (c.pending > 0) break;
    }
  };

  let cur: State = { frames: [newFrame(0, -1, 0)], pc: 0, trail: undefined, parent: undefined };
  cur.frames[0]!.regs[1] = { t: "ctx", off: 0 };

  const frame = (): Frame => cur.frames[cur.frames.length - 1]!;
  const reg = (r: number): Reg => frame().regs[r]!;
  const setReg = (r: number, v: Reg): void => {
    frame().regs[r] = v;
  };
  const readReg = (r: number): Reg => {
    const v = reg(r);
    if (v.t === "none")
      fail(VerifierCodes.uninitRegister, `r${r} is read but was never written (!read_ok)`);
    return v;
  };
  const writeDst = (r: number): void => {
    if (r === 10) fail(VerifierCodes.writeFramePointer, "r10 (the frame pointer) is read-only");
  };
  // linux-7.1 struct_ops rules (structops.ts) reach the state through this.
  const soHost: StructOpsHost = {
    p,
    rules,
    fail,
    reg: (r) => reg(r),
    setReg: (r, v) => setReg(r, v),
    newId: () => nextId++,
    isPtr,
    regText,
    stackStore: (ptr, v) => {
      stackAccess(ptr, 0, 8, true, v, false);
    },
    stackLoad: (ptr) => stackAccess(ptr, 0, 8, false, undefined, false),
  };

  // --- state comparison (old subsumes cur) --------------------------------------------
  const regSub = (o: Reg, c: Reg, ids: Map<number, number>): boolean => {
    if (o === c && o.t !== "valueOrNull") return true;
    if (o.t === "none") return true;
    if (o.t !== c.t) return false;
    switch (o.t) {
      case "scalar": {
        const cs = (c as { s: Scalar }).s;
        return exactScalars ? S.equal(o.s, cs) : S.contains(o.s, cs);
      }
      case "ctx":
        return o.off === (c as typeof o).off;
      case "stack":
        return o.off === (c as typeof o).off && o.frame === (c as typeof o).frame;
      case "map":
        return o.map === (c as typeof o).map;
      case "value": {
        const cv = c as typeof o;
        return (
          o.map === cv.map &&
          o.off === cv.off &&
          (exactScalars ? S.equal(o.v, cv.v) : S.contains(o.v, cv.v))
        );
      }
      case "valueOrNull": {
        const cv = c as typeof o;
        if (o.map !== cv.map) return false;
        const m = ids.get(o.id);
        if (m === undefined) {
          ids.set(o.id, cv.id);
          return true;
        }
        return m === cv.id;
      }
    }
  };
  /** Whether old byte i (offset + 512) covers the current one (non-exact). */
  const byteSub = (of: Frame, cf: Frame, i: number): boolean => {
    const ok = of.kinds[i]!;
    const ck = cf.kinds[i]!;
    if (ok === B.UNINIT || (ok === ck && ok !== B.SPILL)) return true;
    if (ok === B.MISC && (ck === B.MISC || ck === B.ZERO)) return true;
    if (ok === B.MISC && ck === B.SPILL && cf.spills[i >> 3]?.t === "scalar") return true;
    return ok === B.SPILL && ck === B.SPILL;
  };
  /**
   * The scalar a whole-slot read of slot sl gives, when the slot is uniformly one thing: a
   * 64-bit scalar spill, eight MISC bytes (unknown) or eight ZERO bytes (0). Like the kernel's
   * scalar_reg_for_stack, this lets a spilled scalar and plain data compare as scalars (with
   * precision), not byte kind against byte kind.
   */
  const slotView = (f: Frame, sl: number): Scalar | undefined => {
    const b0 = sl * 8;
    const k0 = f.kinds[b0]!;
    for (let b = b0 + 1; b < b0 + 8; b++) if (f.kinds[b] !== k0) return undefined;
    if (k0 === B.SPILL) {
      const sp = f.spills[sl];
      return sp?.t === "scalar" ? sp.s : undefined;
    }
    if (f.narrow[sl] || (k0 !== B.MISC && k0 !== B.ZERO)) return undefined;
    return k0 === B.ZERO ? S.constant(0) : S.unknown();
  };
  /** Byte i holds data (not a pointer, not uninitialised): a read of it gives a scalar. */
  const dataByte = (f: Frame, i: number): boolean => {
    const k = f.kinds[i]!;
    return k === B.MISC || k === B.ZERO || (k === B.SPILL && f.spills[i >> 3]?.t === "scalar");
  };
  /** No value read from slot sl can matter any more (precisionNeeds), at the pc of n0. */
  const slotIgnored = (sl: number, n0: number): boolean =>
    n0 >= 0 && !((need[n0 + 1 + (sl >> 5)]! >>> (sl & 31)) & 1);
  /** Old slot sl covers the current one as a scalar (ignoring the value where it cannot matter, n0 ≥ 0). */
  const slotScalarSub = (of: Frame, cf: Frame, sl: number, n0: number): boolean => {
    const o = slotView(of, sl);
    if (!o) return false;
    const c = slotView(cf, sl);
    if (!c) return false;
    if (n0 >= 0 && !((need[n0 + 1 + (sl >> 5)]! >>> (sl & 31)) & 1)) return true;
    return exactScalars ? S.equal(o, c) : S.contains(o, c);
  };
  const spilledPtr = (f: Frame, sl: number): boolean =>
    f.kinds[sl * 8] === B.SPILL && isPtr(f.spills[sl] ?? NONE);
  /** Slot comparison: narrow constants, the spilled-pointer rule of narrow stores, spills. */
  const slotSub = (
    of: Frame,
    cf: Frame,
    sl: number,
    exact: boolean,
    ptrLive: boolean,
    n0: number,
    ids: () => Map<number, number>,
  ): boolean => {
    // a narrow store over a spilled pointer is rejected: an old state without that spill
    // (even one with uninitialised bytes there) does not cover it
    if (!exact && ptrLive && spilledPtr(cf, sl) && !(of.kinds[sl * 8] === B.SPILL && of.spills[sl]))
      return false;
    const on = of.narrow[sl];
    // a narrow constant matters only where the slot's value may still matter
    if ((on || exact) && (exact || !slotIgnored(sl, n0))) {
      const cn = cf.narrow[sl];
      if (on?.size !== cn?.size || on?.v !== cn?.v) return false;
    }
    const o = of.spills[sl];
    if (!o || of.kinds[sl * 8] !== B.SPILL) return true;
    const c = cf.spills[sl];
    if (!c || cf.kinds[sl * 8] !== B.SPILL)
      // plain data where the old state spilled a scalar: the byte comparison checked that the
      // live bytes hold data; its value is compared when it may still matter
      return !exact && o.t === "scalar" && (slotIgnored(sl, n0) || slotScalarSub(of, cf, sl, n0));
    if (
      n0 >= 0 &&
      o.t === "scalar" &&
      c.t === "scalar" &&
      !((need[n0 + 1 + (sl >> 5)]! >>> (sl & 31)) & 1)
    )
      return true;
    return exact ? regEqual(o, c) : regSub(o, c, ids());
  };
  /** The id correspondence of one framesSub call (map_value_or_null copies). */
  const idScratch = new Map<number, number>();
  const ids = (): Map<number, number> => idScratch;
  /** `relax`: also ignore dead stack and scalars whose value cannot matter (only for pruning by a completed state). */
  const framesSub = (
    old: Frame[],
    now: Frame[],
    pc: number,
    exact: boolean,
    relax = false,
  ): boolean => {
    if (old.length !== now.length) return false;
    idScratch.clear();
    for (let fi = 0; fi < old.length; fi++) {
      const of = old[fi]!;
      const cf = now[fi]!;
      if (of.ret !== cf.ret || of.fn !== cf.fn) return false;
      const top = fi === old.length - 1;
      // scalars whose value cannot matter any more (stacklive.ts precisionNeeds) compare as "any
      // scalar", unless variable pointer arithmetic asked for exact scalars (as the kernel does)
      const n0 = top && relax && !exact && !exactScalars ? pc * NEED_WORDS : -1;
      for (let r = 0; r < 11; r++) {
        if (top && !(live[pc]! & (1 << r))) continue;
        if (!top && r <= 5) continue; // clobbered by the call's return
        const o = of.regs[r]!;
        const c = cf.regs[r]!;
        if (n0 >= 0 && o.t === "scalar" && c.t === "scalar" && !((need[n0]! >>> r) & 1)) continue;
        if (exact ? !regEqual(o, c) : !regSub(o, c, ids())) return false;
      }
      if (top && relax && !exact) {
        // stack liveness (stacklive.ts) of the top frame: only the bytes that may still be read;
        // a slot only a narrow store may still see (~slot in the list) counts when the current
        // state spills a pointer there
        const idx = liveBytes(pc);
        for (let k = 0; k < idx.length; k++) {
          const i = idx[k]!;
          if (i >= 0) {
            if (
              !byteSub(of, cf, i) &&
              dataByte(of, i) &&
              dataByte(cf, i) &&
              slotIgnored(i >> 3, n0)
            )
              continue;
            if (!byteSub(of, cf, i) && slotScalarSub(of, cf, i >> 3, n0)) {
              // the whole slot compares as a scalar: skip its other bytes
              while (k + 1 < idx.length && idx[k + 1]! >= 0 && idx[k + 1]! >> 3 === i >> 3) k++;
              continue;
            }
            if (!byteSub(of, cf, i)) return false;
            continue;
          }
          const sl = ~i;
          if (!spilledPtr(cf, sl)) continue;
          for (let b = sl * 8; b < sl * 8 + 8; b++) if (!byteSub(of, cf, b)) return false;
          if (!slotSub(of, cf, sl, false, true, n0, ids)) return false;
        }
        const sls = liveSlots(pc);
        const w0 = pc * LIVE_WORDS + 16;
        for (let k = 0; k < sls.length; k++) {
          const sl = sls[k]!;
          if (
            !slotSub(
              of,
              cf,
              sl,
              false,
              ((stackLive[w0 + (sl >> 5)]! >>> (sl & 31)) & 1) !== 0,
              n0,
              ids,
            )
          )
            return false;
        }
        continue;
      }
      if (exact) {
        for (let i = 0; i < MAX_STACK; i++) if (of.kinds[i] !== cf.kinds[i]) return false;
      } else for (let i = 0; i < MAX_STACK; i++) if (!byteSub(of, cf, i)) return false;
      for (let sl = 0; sl < MAX_STACK / 8; sl++)
        if (!slotSub(of, cf, sl, exact, true, -1, ids)) return false;
    }
    return true;
  };
  const regEqual = (a: Reg, b: Reg): boolean => {
    if (a.t !== b.t) return false;
    switch (a.t) {
      case "none":
        return true;
      case "scalar":
        return S.equal(a.s, (b as typeof a).s);
      case "value":
        return (
          a.map === (b as typeof a).map &&
          a.off === (b as typeof a).off &&
          S.equal(a.v, (b as typeof a).v)
        );
      case "ctx":
        return a.off === (b as typeof a).off;
      case "stack":
        return a.off === (b as typeof a).off && a.frame === (b as typeof a).frame;
      case "map":
        return a.map === (b as typeof a).map;
      case "valueOrNull":
        return a.map === (b as typeof a).map && a.id === (b as typeof a).id;
    }
  };
  const fingerprint = (pc: number): number => {
    let h = cur.frames.length;
    const f = frame();
    const lv = live[pc]!;
    for (let r = 0; r < 10; r++) {
      if (!(lv & (1 << r))) continue;
      const x = f.regs[r]!;
      let k = x.t.length;
      if (x.t === "scalar")
        k = k * 7919 + Number(x.s.v & 0xfffffffn) * 31 + Number((x.s.m ^ x.s.umax) & 0xfffffffn);
      else if (x.t === "stack" || x.t === "ctx" || x.t === "value") k = k * 131 + x.off;
      h = (Math.imul(h, 1000003) ^ k ^ r) | 0;
    }
    // the stack too (slot kinds and spilled values), so that the exact comparison of the
    // infinite-loop check rarely runs on states that differ only there (a spilled loop counter)
    for (let sl = 0; sl < MAX_STACK / 8; sl++) {
      const kd = f.kinds[sl * 8]!;
      if (kd === B.UNINIT) continue;
      let k = kd * 977 + sl;
      const x = kd === B.SPILL ? f.spills[sl] : undefined;
      if (x?.t === "scalar")
        k = k * 7919 + Number(x.s.v & 0xfffffffn) * 31 + Number((x.s.m ^ x.s.umax) & 0xfffffffn);
      else if (x && (x.t === "stack" || x.t === "ctx" || x.t === "value")) k = k * 131 + x.off;
      h = (Math.imul(h, 1000003) ^ k) | 0;
    }
    return h;
  };
  const isAncestor = (cp: Checkpoint): boolean => {
    for (let c = cur.parent; c; c = c.parent) if (c === cp) return true;
    return false;
  };

  /**
   * At a bpf_iter_num_next call: an in-progress ancestor checkpoint that covers the current
   * state once the iterator's slot (its depth) is ignored means the loop has converged: the
   * ancestor's own paths (including the NULL exit) cover every further iteration.
   */
  const iterConverged = (list: Checkpoint[], pc: number): boolean => {
    const it = reg(1);
    if (it.t !== "stack") return false;
    const f = cur.frames[it.frame]!;
    const sl = (it.off + MAX_STACK) >> 3;
    if (sl < 0 || sl >= f.spills.length) return false;
    const save = {
      spill: f.spills[sl],
      narrow: f.narrow[sl],
      kinds: f.kinds.slice(sl * 8, sl * 8 + 8),
    };
    try {
      for (const cp of list) {
        if (cp.pending === 0 || !isAncestor(cp)) continue;
        const of = cp.frames[it.frame];
        if (!of) continue;
        f.spills[sl] = of.spills[sl];
        f.narrow[sl] = of.narrow[sl];
        f.kinds.set(of.kinds.subarray(sl * 8, sl * 8 + 8), sl * 8);
        if (framesSub(cp.frames, cur.frames, pc, false, true)) return true;
      }
      return false;
    } finally {
      f.spills[sl] = save.spill;
      f.narrow[sl] = save.narrow;
      f.kinds.set(save.kinds, sl * 8);
    }
  };

  /**
   * Returns true when the current path can stop here (an explored state covers it).
   * The cost is bounded: a per-pc list holds at most MAX_STATES_PER_PC checkpoints (completed
   * ones that keep missing are evicted, as the kernel does with its miss/hit counts), and at
   * most MAX_STATES are kept in all. Saving fewer checkpoints only prunes less: it never accepts more.
   */
  const checkPrune = (): boolean => {
    const pc = cur.pc;
    const list = explored[pc] ?? (explored[pc] = []);
    let evict = false;
    const fp = fingerprint(pc);
    if (p.insns[pc]?.kfunc === "bpf_iter_num_next" && !cur.spec && iterConverged(list, pc))
      return true;
    for (const cp of list) {
      if (cp.pending === 0) {
        if (framesSub(cp.frames, cur.frames, pc, false, true)) {
          cp.hit++;
          return true;
        }
        if (++cp.miss > cp.hit * 3 + 3) evict = true;
      } else if (
        (cur.spec
          ? framesSub(cp.frames, cur.frames, pc, false)
          : cp.fp === fp && framesSub(cp.frames, cur.frames, pc, true)) &&
        isAncestor(cp)
      ) {
        fail(
          VerifierCodes.infiniteLoop,
          `infinite loop: insn ${pc} is reached again in the same state`,
          "every loop must change a value its exit condition tests",
        );
      }
    }
    if (evict) {
      const keep = list.filter((cp) => cp.pending !== 0 || cp.miss <= cp.hit * 3 + 3);
      storedStates -= list.length - keep.length;
      explored[pc] = keep;
    }
    if (explored[pc]!.length >= MAX_STATES_PER_PC || storedStates >= MAX_STATES) return false;
    const cp: Checkpoint = {
      frames: cur.frames.map(cloneFrame),
      parent: cur.parent,
      pending: 1,
      pc,
      hit: 0,
      miss: 0,
      fp,
    };
    explored[pc]!.push(cp);
    cur.parent = cp;
    statesExplored++;
    storedStates++;
    return false;
  };

  // --- null-check refinement of every copy of a map_value_or_null ------------------------
  const markId = (id: number, isNull: boolean): void => {
    const fix = (r: Reg | undefined): Reg | undefined => {
      if (r?.t !== "valueOrNull" || r.id !== id) return r;
      return isNull
        ? scalarReg(S.constant(0))
        : { t: "value", map: r.map, off: 0, v: S.constant(0) };
    };
    for (const f of cur.frames) {
      for (let i = 0; i < 11; i++) f.regs[i] = fix(f.regs[i])!;
      for (let i = 0; i < f.spills.length; i++) f.spills[i] = fix(f.spills[i]);
    }
  };

  // --- memory ---------------------------------------------------------------------------
  const bumpStack = (fn: number, depth: number): void => {
    if (depth > maxStack[fn]!) maxStack[fn] = depth;
  };

  const stackAccess = (
    ptr: { frame: number; off: number },
    off: number,
    size: number,
    write: boolean,
    value: Reg | undefined,
    signed: boolean,
  ): Reg | undefined => {
    const abs = ptr.off + off;
    if (abs < -MAX_STACK || abs + size > 0)
      fail(
        VerifierCodes.stackOutOfBounds,
        `invalid stack access: offset ${abs}, size ${size} is outside [-512, 0)`,
      );
    if (abs % size !== 0)
      fail(
        VerifierCodes.misalignedStack,
        `misaligned stack access: offset ${abs} is not a multiple of the size ${size}`,
      );
    const f = cur.frames[ptr.frame]!;
    bumpStack(f.fn, -abs);
    const i0 = abs + MAX_STACK;
    if (write) {
      if (value && isPtr(value)) {
        if (size !== 8)
          fail(
            VerifierCodes.pointerLeak,
            `a pointer (${regText(value)}) is stored with a ${size}-byte store: invalid size of register spill`,
          );
        if (value.t === "stack" && value.frame > ptr.frame)
          fail(
            VerifierCodes.pointerLeak,
            "a pointer to a callee's stack cannot be stored in a caller's stack",
          );
      }
      // partial overwrite of a spilled pointer
      for (let sl = i0 >> 3; sl <= (i0 + size - 1) >> 3; sl++) {
        const sp = f.spills[sl];
        if (f.kinds[sl * 8] === B.SPILL && sp) {
          const whole = size === 8 && sl * 8 === i0;
          // privileged loads only scrub the slot to plain data (what the compiler's slot reuse needs)
          if (!whole && isPtr(sp) && rules.unprivileged)
            fail(
              VerifierCodes.spilledPointerCorrupt,
              `a ${size}-byte store at fp${abs} overwrites part of a spilled pointer`,
            );
          if (!whole) {
            for (let b = sl * 8; b < sl * 8 + 8; b++)
              if (f.kinds[b] === B.SPILL) f.kinds[b] = B.MISC;
            f.spills[sl] = undefined;
          }
        }
      }
      for (let sl = i0 >> 3; sl <= (i0 + size - 1) >> 3; sl++) f.narrow[sl] = undefined;
      if (size < 8 && (i0 & 7) === 0 && value?.t === "scalar" && S.isConst(value.s))
        f.narrow[i0 >> 3] = { size, v: value.s.v };
      if (size === 8 && value) {
        f.kinds.fill(B.SPILL, i0, i0 + 8);
        f.spills[i0 >> 3] = value;
      } else {
        const zero = value?.t === "scalar" && S.isConst(value.s) && value.s.v === 0n;
        f.kinds.fill(zero ? B.ZERO : B.MISC, i0, i0 + size);
      }
      return undefined;
    }
    // read
    if (f.kinds[i0] === B.SPILL && size === 8 && (i0 & 7) === 0) {
      const sp = f.spills[i0 >> 3];
      if (sp) return sp;
    }
    let allZero = true;
    let constBytes: bigint | undefined = 0n;
    for (let b = i0; b < i0 + size; b++) {
      const k = f.kinds[b]!;
      if (k === B.UNINIT)
        fail(
          VerifierCodes.stackUninit,
          `read of uninitialised stack at fp${b - MAX_STACK} (${size} bytes from fp${abs})`,
          "write the stack slot before reading it",
        );
      if (k === B.SPILL) {
        const sp = f.spills[b >> 3];
        if (sp && isPtr(sp))
          fail(
            VerifierCodes.spilledPointerCorrupt,
            `a ${size}-byte load at fp${abs} reads part of a spilled pointer (invalid size of register fill)`,
          );
        if (sp?.t === "scalar" && S.isConst(sp.s) && constBytes !== undefined) {
          const byte = (sp.s.v >> BigInt((b & 7) * 8)) & 0xffn;
          constBytes |= byte << BigInt((b - i0) * 8);
          if (byte !== 0n) allZero = false;
        } else {
          constBytes = undefined;
          allZero = false;
        }
      } else if (k === B.ZERO) {
        // contributes zero bytes
      } else {
        allZero = false;
        constBytes = undefined;
      }
    }
    if (allZero) return scalarReg(S.constant(0));
    if (constBytes !== undefined) {
      const c = S.constant(constBytes);
      return scalarReg(signed ? S.signExtend(c, (size * 8) as 8 | 16 | 32) : c);
    }
    return scalarReg(signed ? S.unknown() : S.unknownBytes(size));
  };

  const mapValueBounds = (
    ptr: { map: number; off: number; v: Scalar },
    off: number,
    size: number,
    what: string,
  ): void => {
    const m = p.maps[ptr.map]!;
    if (ptr.v.smin < 0n)
      fail(
        VerifierCodes.mapValueOutOfBounds,
        `${what}: the variable offset of the map value pointer may be negative (min ${ptr.v.smin})`,
        "check the index against 0 and the array length first",
      );
    if (ptr.v.umax >= BigInt(MAX_VAR_OFF))
      fail(
        VerifierCodes.mapValueOutOfBounds,
        `${what}: unbounded offset into map '${m.name}' value`,
        "bound the index with a comparison before adding it to the pointer",
      );
    const lo = BigInt(ptr.off + off) + ptr.v.smin;
    const hi = BigInt(ptr.off + off) + ptr.v.umax + BigInt(size);
    if (lo < 0n || hi > BigInt(m.valueSize))
      fail(
        VerifierCodes.mapValueOutOfBounds,
        `${what}: access of ${size} bytes at offset [${lo}, ${hi}) is outside map '${m.name}' value of ${m.valueSize} bytes`,
      );
  };

  const memAccess = (
    insn: Insn,
    ptrReg: number,
    off: number,
    size: number,
    write: boolean,
    value: Reg | undefined,
    opts: { signed?: boolean; atomic?: boolean; storeImm?: boolean } = {},
  ): Reg | undefined => {
    const ptr = readReg(ptrReg);
    switch (ptr.t) {
      case "stack":
        if (opts.atomic) {
          stackAccess(ptr, off, size, false, undefined, false);
          return stackAccess(ptr, off, size, true, undefined, false);
        }
        return stackAccess(ptr, off, size, write, value, opts.signed ?? false);
      case "value": {
        const m = p.maps[ptr.map]!;
        const so = syntheticAccess(soHost, m, ptr, off, size, write, value, opts);
        if (so !== "normal") return so;
        mapValueBounds(ptr, off, size, write ? "write" : "read");
        if (write && m.readOnly)
          fail(
            VerifierCodes.readOnlyWrite,
            `write into read-only map '${m.name}'`,
            m.name.startsWith(".rodata")
              ? "`.rodata` is read-only to the program; use `.data` for variables it changes"
              : undefined,
          );
        if (write && value && isPtr(value))
          fail(
            VerifierCodes.pointerLeak,
            `a pointer (${regText(value)}) is stored into map '${m.name}' (leaks an address)`,
          );
        if (write) return undefined;
        const at = ptr.off + off;
        if (
          m.frozen &&
          m.data &&
          S.isConst(ptr.v) &&
          size <= 8 &&
          rodataKnown(m, at + Number(ptr.v.v), size)
        ) {
          const a = at + Number(ptr.v.v);
          let x = 0n;
          for (let i = size - 1; i >= 0; i--) x = (x << 8n) | BigInt(m.data[a + i] ?? 0);
          const c = S.constant(x);
          return scalarReg(opts.signed ? S.signExtend(c, (size * 8) as 8 | 16 | 32) : c);
        }
        return scalarReg(opts.signed ? S.unknown() : S.unknownBytes(size));
      }
      case "ctx":
        return ctxAccess(insn, ptr, off, size, write, value, opts);
      case "valueOrNull":
        return fail(
          VerifierCodes.nullDeref,
          `r${ptrReg} may be NULL (map_value_or_null): it is dereferenced before a NULL check`,
          `compare r${ptrReg} with 0 and use it only on the non-NULL branch`,
        );
      case "scalar":
        return fail(
          VerifierCodes.invalidMemAccess,
          `invalid memory access through r${ptrReg}, which holds a scalar, not a pointer`,
        );
      case "map":
        return fail(
          VerifierCodes.invalidMemAccess,
          `invalid memory access through r${ptrReg}, a map pointer (pass it to a helper instead)`,
        );
      default:
        return fail(VerifierCodes.invalidMemAccess, `invalid memory access through r${ptrReg}`);
    }
  };

  const ctxAccess = (
    _insn: Insn,
    ptr: { off: number },
    off: number,
    size: number,
    write: boolean,
    value: Reg | undefined,
    opts: { atomic?: boolean; storeImm?: boolean },
  ): Reg | undefined => {
    const c = rules.ctx;
    if (c.kind === "structOps") return argsAccess(soHost, ptr.off, off, size, write, opts);
    if (c.kind === "opaque")
      fail(
        VerifierCodes.ctxOpaque,
        `the context of ${rules.target.name} programs is opaque: it cannot be ${write ? "written" : "read"}, only passed to helpers`,
      );
    if (c.kind !== "fields")
      return fail(
        VerifierCodes.targetUnsupported,
        `context accesses of ${rules.target.name} are not modelled`,
      );
    if (ptr.off !== 0)
      fail(
        VerifierCodes.ctxModified,
        `dereference of a modified context pointer (ctx + ${ptr.off})`,
        "access context fields through the unmodified context pointer with the field offset in the instruction",
      );
    if (opts.atomic)
      fail(VerifierCodes.ctxBadAccess, "atomic operations on the context are not allowed");
    if (opts.storeImm)
      fail(
        VerifierCodes.ctxBadAccess,
        "BPF_ST (store immediate) into the context is not allowed; store a register",
      );
    const field = c.fields.find((f) => f.offset === off);
    if (!field || field.size !== size) {
      const near = c.fields.find((f) => off >= f.offset && off < f.offset + f.size);
      return fail(
        VerifierCodes.ctxBadAccess,
        `invalid context access: ${size} bytes at offset ${off}` +
          (near
            ? ` (field ${near.name} is ${near.size} bytes at offset ${near.offset})`
            : ` (the context has ${c.fields.map((f) => `${f.name} u${f.size * 8} @${f.offset}`).join(", ")})`),
      );
    }
    if (write && !field.writable)
      fail(VerifierCodes.ctxBadAccess, `context field ${field.name} is read-only`);
    if (!write && !field.readable)
      fail(VerifierCodes.ctxBadAccess, `context field ${field.name} cannot be read`);
    if (write && value && isPtr(value))
      fail(
        VerifierCodes.pointerLeak,
        `a pointer is stored into context field ${field.name} (leaks an address)`,
      );
    if (write) return undefined;
    return scalarReg(S.unknownBytes(size));
  };

  // --- pointer arithmetic -------------------------------------------------------------------
  /** The kernel's Spectre-v1 masking limit of a pointer (retrieve_ptr_limit). */
  const ptrLimit = (r: Reg, toLeft: boolean): number => {
    if (r.t === "stack") {
      const max = MAX_STACK + (toLeft ? 1 : 0);
      const lim = -r.off;
      if (lim >= max)
        fail(VerifierCodes.badPointerArith, "stack pointer arithmetic goes beyond the stack");
      return lim;
    }
    if (r.t === "value") {
      const max = p.maps[r.map]!.valueSize;
      const lim = Number(toLeft ? r.v.smin : r.v.umax) + r.off;
      if (lim >= max)
        fail(
          VerifierCodes.badPointerArith,
          `pointer arithmetic goes beyond map '${p.maps[r.map]!.name}' value`,
        );
      return lim;
    }
    return fail(
      VerifierCodes.badPointerArith,
      `arithmetic with a register operand on a ${regText(r)} pointer is not allowed (only immediates)`,
    );
  };

  const pointerArith = (insn: Insn, op: string, dstR: Reg, srcR: Reg, viaReg: boolean): Reg => {
    const dst = insn.d.insn.dst;
    if (op !== "ADD" && op !== "SUB")
      fail(
        VerifierCodes.badPointerArith,
        `${op.toLowerCase()} on a pointer is not allowed (only + and -)`,
      );
    if (isPtr(dstR) && isPtr(srcR))
      fail(
        VerifierCodes.badPointerArith,
        `pointer ${op === "ADD" ? "+" : "-"} pointer is not allowed`,
      );
    let ptr = isPtr(dstR) ? dstR : srcR;
    const sc = (isPtr(dstR) ? srcR : dstR) as { t: "scalar"; s: Scalar };
    if (!isPtr(dstR) && op === "SUB")
      fail(VerifierCodes.badPointerArith, "scalar - pointer is not allowed");
    if (ptr.t === "valueOrNull")
      fail(
        VerifierCodes.nullArith,
        `arithmetic on r${dst}, a map_value_or_null, is not allowed: NULL-check it first`,
      );
    if (ptr.t === "map")
      fail(VerifierCodes.badPointerArith, "arithmetic on a map pointer is not allowed");
    if (ptr.t === "value") {
      const so = syntheticOf(p.maps[ptr.map]!);
      if (so === "ioRingCtx" || so === "loopParams")
        fail(
          VerifierCodes.badPointerArith,
          `arithmetic on the ${so === "ioRingCtx" ? "iou_ctx" : "iou_loop_params"} pointer is not allowed (use it as the argument gives it)`,
        );
    }
    const s = sc.s;
    const known = S.isConst(s);
    const delta = op === "ADD" ? s : S.neg(s);
    // Spectre-v1 sanitation of register operands, as an unprivileged load does (a privileged
    // loader's kernel skips it: rules.unprivileged)
    const sanitize = viaReg && rules.unprivileged === true;
    let before = 0;
    let toLeft = false;
    const neg = s.smin < 0n;
    if (sanitize) {
      if (!known && s.smin < 0n !== s.smax < 0n)
        fail(
          VerifierCodes.sanitizePaths,
          `r${insn.d.insn.src} has an unknown value with mixed signed bounds: pointer arithmetic with it is not allowed`,
          "bound the value to a non-negative range first",
        );
      toLeft = (op === "ADD" && neg) || (op === "SUB" && !neg);
      before = ptrLimit(ptr, toLeft);
      if (!known) {
        exactScalars = true;
        phantom();
      }
    }
    if (ptr.t === "ctx") {
      if (!known)
        fail(VerifierCodes.badPointerArith, "variable offset added to the context pointer");
      ptr = { t: "ctx", off: ptr.off + Number(BigInt.asIntN(32, delta.v)) };
    } else if (ptr.t === "stack") {
      if (!known)
        fail(
          VerifierCodes.variableStackOffset,
          "variable offset added to a stack pointer (not allowed for unprivileged programs)",
          "index stack arrays with constant offsets, or use a map value",
        );
      const off = ptr.off + Number(S.constant(delta.v).smin);
      if (off < -MAX_STACK || off > 0)
        fail(
          VerifierCodes.stackOutOfBounds,
          `stack pointer arithmetic goes out of range: fp${off >= 0 ? "+" : ""}${off}`,
        );
      ptr = { t: "stack", frame: ptr.frame, off };
    } else if (ptr.t === "value") {
      if (known) {
        const c = S.constant(delta.v).smin;
        if (c > 1n << 29n || c < -(1n << 29n))
          fail(VerifierCodes.mapValueOutOfBounds, "pointer arithmetic with a huge constant");
        ptr = { ...ptr, off: ptr.off + Number(c) };
      } else {
        ptr = { ...ptr, v: op === "ADD" ? S.add(ptr.v, s) : S.sub(ptr.v, s) };
      }
      // The unprivileged kernel keeps map value pointers inside the value (one byte must be
      // accessible: sanitize_check_bounds); the privileged one only asks for sane offsets and
      // checks the bounds where the pointer is dereferenced, so clang's `p != end` loops
      // that step one past the value are fine (issue 16).
      if (rules.unprivileged) mapValueBounds(ptr, 0, 1, "pointer arithmetic goes out of range");
      else if (
        Math.abs(ptr.off) >= MAX_VAR_OFF ||
        ptr.v.smin <= -BigInt(MAX_VAR_OFF) ||
        ptr.v.smax >= BigInt(MAX_VAR_OFF)
      )
        fail(
          VerifierCodes.mapValueOutOfBounds,
          `pointer arithmetic goes out of range: the offset into map '${p.maps[ptr.map]!.name}' value may reach ${ptr.v.smin <= -BigInt(MAX_VAR_OFF) ? ptr.v.smin : ptr.off + Number(ptr.v.smax)}, beyond the kernel's ±${MAX_VAR_OFF}`,
          "bound the index with a comparison before adding it to the pointer",
        );
    } else {
      fail(VerifierCodes.badPointerArith, `arithmetic on ${regText(ptr)} is not allowed`);
    }
    if (sanitize) {
      const after = ptrLimit(ptr, toLeft);
      const state = (neg ? 1 : 0) | (known ? 2 : 0) | (isPtr(dstR) ? 4 : 8);
      const limit = Math.abs(before - after);
      const prev = aluAux.get(insn.pc);
      if (prev && (prev.state !== state || prev.limit !== limit))
        fail(
          VerifierCodes.sanitizePaths,
          "this pointer arithmetic adds different pointers or scalars on different paths, which unprivileged programs may not do",
          "compute the pointer the same way on every path",
        );
      aluAux.set(insn.pc, { state, limit });
    }
    return ptr;
  };

  // --- scalar ALU ----------------------------------------------------------------------------
  const aluScalar = (op: string, a: Scalar, b: Scalar, width: 32 | 64, insn: Insn): Scalar => {
    const x = width === 32 ? S.low32(a) : a;
    const y = width === 32 ? S.low32(b) : b;
    const bits = width;
    let r: Scalar;
    const shiftAmount = (): number | undefined => {
      if (insn.d.form.sem.kind === "alu" && insn.d.form.sem.source === "K") {
        const k = insn.d.insn.imm;
        if (k < 0 || k >= bits)
          fail(VerifierCodes.badShift, `invalid shift by ${k} (must be 0..${bits - 1})`);
        return k;
      }
      return S.isConst(y) && y.v < BigInt(bits) ? Number(y.v) : undefined;
    };
    // The kernel does not track division and modulo at all: the result is an unknown 64-bit
    // value even for a 32-bit operation on constants (not zero-extended). Tracking it more
    // precisely lets us prove loops finite that the kernel reports as infinite.
    if (op === "DIV" || op === "MOD" || op === "SDIV" || op === "SMOD") return S.unknown();
    switch (op) {
      case "ADD":
        r = S.add(x, y);
        break;
      case "SUB":
        r = S.sub(x, y);
        break;
      case "MUL":
        r = S.mul(x, y);
        break;
      case "OR":
        r = S.or(x, y);
        break;
      case "AND":
        r = S.and(x, y);
        break;
      case "XOR":
        r = S.xor(x, y);
        break;
      case "LSH": {
        const k = shiftAmount();
        r = k === undefined ? S.unknown() : S.lsh(x, k);
        break;
      }
      case "RSH": {
        const k = shiftAmount();
        r = k === undefined ? (width === 32 ? S.unknownBytes(4) : S.unknown()) : S.rsh(x, k);
        break;
      }
      case "ARSH": {
        const k = shiftAmount();
        if (k === undefined) r = S.unknown();
        else if (width === 64) r = S.arsh(x, k);
        else r = S.isConst(x) ? S.constant(BigInt.asIntN(32, x.v) >> BigInt(k)) : S.unknown();
        break;
      }
      case "MOV":
        r = y;
        break;
      default:
        r = S.unknown();
    }
    return width === 32 ? S.low32(r) : r;
  };

  // --- helper calls ---------------------------------------------------------------------------
  const checkHelperMem = (
    regno: number,
    r: Reg,
    size: Scalar,
    write: boolean,
    what: string,
  ): void => {
    const umax = Number(size.umax > 1n << 30n ? 1n << 30n : size.umax);
    if (umax === 0) return;
    if (r.t === "stack") {
      const abs = r.off;
      if (abs < -MAX_STACK || abs + umax > 0)
        fail(
          VerifierCodes.helperMemory,
          `${what}: r${regno} = fp${abs} with ${umax} bytes is outside the stack`,
        );
      const f = cur.frames[r.frame]!;
      bumpStack(f.fn, -abs);
      const i0 = abs + MAX_STACK;
      if (write) {
        for (let sl = i0 >> 3; sl <= (i0 + umax - 1) >> 3; sl++) {
          if (f.kinds[sl * 8] === B.SPILL) {
            for (let b = sl * 8; b < sl * 8 + 8; b++)
              if (f.kinds[b] === B.SPILL) f.kinds[b] = B.MISC;
            f.spills[sl] = undefined;
          }
        }
        f.kinds.fill(B.MISC, i0, i0 + umax);
        for (let sl = i0 >> 3; sl <= (i0 + umax - 1) >> 3; sl++) f.narrow[sl] = undefined;
        return;
      }
      for (let b = i0; b < i0 + umax; b++) {
        const k = f.kinds[b]!;
        if (k === B.UNINIT)
          fail(
            VerifierCodes.stackUninit,
            `${what}: r${regno} points to ${umax} bytes at fp${abs}, but fp${b - MAX_STACK} is not initialised`,
            "initialise the whole buffer before passing it",
          );
        if (k === B.SPILL && isPtr(f.spills[b >> 3] ?? NONE))
          fail(
            VerifierCodes.pointerLeak,
            `${what}: the memory at fp${b - MAX_STACK} holds a spilled pointer, which would leak to the helper`,
          );
      }
      return;
    }
    if (r.t === "value") {
      mapValueBounds(r, 0, umax, what);
      if (write && p.maps[r.map]!.readOnly)
        fail(
          VerifierCodes.readOnlyWrite,
          `${what}: the helper would write into read-only map '${p.maps[r.map]!.name}'`,
        );
      return;
    }
    if (r.t === "valueOrNull")
      fail(
        VerifierCodes.nullDeref,
        `${what}: r${regno} may be NULL (map_value_or_null)`,
        "NULL-check it first",
      );
    fail(
      VerifierCodes.helperArg,
      `${what}: r${regno} must point to memory (stack or map value), but holds ${regText(r)}`,
    );
  };

  const callHelper = (insn: Insn): void => {
    const id = insn.d.insn.imm;
    const proto = rules.helper(id);
    if (!proto)
      return fail(
        VerifierCodes.unknownHelper,
        `helper ${id} is not available to ${rules.target.name} programs`,
      );
    const name = `bpf_${proto.name}`;
    // The unprivileged kernel offers these helpers only with CAP_PERFMON (measured: the
    // strict-mode kernel refuses bpf_trace_printk and bpf_copy_from_user, issue 16).
    if (proto.perfmonOnly && rules.unprivileged)
      fail(
        VerifierCodes.perfmonOnly,
        `${name} needs CAP_PERFMON: an unprivileged loader cannot call it`,
        "load with CAP_PERFMON or drop the call",
      );
    if (proto.sleepableOnly && !rules.sleepable)
      fail(
        VerifierCodes.sleepableOnly,
        `${name} may only be called from sleepable programs`,
        rules.target.sections.sleepable
          ? `put the program in a '${rules.target.sections.sleepable}…' section`
          : undefined,
      );
    if (proto.gplOnly && !rules.gplLicense)
      fail(
        VerifierCodes.gplOnly,
        `${name} is GPL-only, and the program's license is not GPL-compatible`,
        'declare a GPL-compatible license (e.g. "GPL" or "Dual MIT/GPL")',
      );
    let map: number | undefined;
    let constKey: bigint | undefined;
    const args = proto.args;
    const writes: { regno: number; r: Reg; size: Scalar }[] = [];
    for (let i = 0; i < args.length; i++) {
      const regno = i + 1;
      const kind: HelperArgKind = args[i]!;
      const r = reg(regno);
      const what = `${name} argument ${regno} (${kind})`;
      if (r.t === "none")
        fail(VerifierCodes.uninitRegister, `${what}: r${regno} is not initialised`);
      switch (kind) {
        case "ctx":
          if (r.t !== "ctx")
            fail(
              VerifierCodes.helperArg,
              `${what}: r${regno} must be the context pointer, but holds ${regText(r)}`,
            );
          else if (r.off !== 0)
            fail(
              VerifierCodes.ctxModified,
              `${what}: the context pointer is modified (ctx + ${r.off})`,
            );
          break;
        case "mapPtr":
          if (r.t !== "map")
            fail(
              VerifierCodes.helperArg,
              `${what}: r${regno} must be a map (ld_imm64 of a map), but holds ${regText(r)}`,
            );
          else {
            map = r.map;
            if (!mapCompatible(proto.name, p.maps[r.map]!.type))
              fail(
                VerifierCodes.mapIncompatible,
                `${name} cannot be used with map '${p.maps[r.map]!.name}' (type ${p.maps[r.map]!.type})`,
              );
          }
          break;
        case "mapKey":
        case "mapValue": {
          if (map === undefined)
            fail(VerifierCodes.helperArg, `${what}: no map argument before it`);
          const m = p.maps[map!]!;
          const size = kind === "mapKey" ? m.keySize : m.valueSize;
          checkHelperMem(regno, r, S.constant(size), false, what);
          if (kind === "mapKey" && r.t === "stack" && (r.off & 7) === 0) {
            const nw = cur.frames[r.frame]!.narrow[(r.off + MAX_STACK) >> 3];
            if (nw && nw.size === size) constKey = nw.v;
          }
          break;
        }
        case "mem":
        case "string":
        case "uninitMem": {
          const sz = reg(regno + 1);
          const szKind = args[i + 1];
          if (
            proto.fixedSize !== undefined &&
            (szKind === "constSize" || szKind === "constSizeOrZero") &&
            !(sz.t === "scalar" && S.isConst(sz.s) && sz.s.v === BigInt(proto.fixedSize))
          )
            fail(
              VerifierCodes.helperSize,
              `${name} argument ${regno + 1} (size): the size must be the constant ${proto.fixedSize}, but r${regno + 1} is ${regText(sz)}`,
            );
          if (sz.t !== "scalar")
            fail(
              VerifierCodes.helperSize,
              `${name} argument ${regno + 1} (size) must be a scalar, but holds ${regText(sz)}`,
            );
          const size = (sz as { s: Scalar }).s;
          if (kind === "uninitMem") writes.push({ regno, r, size });
          else checkHelperMem(regno, r, size, false, what);
          if (kind === "uninitMem") checkHelperMem(regno, r, size, true, what);
          break;
        }
        case "constSize":
        case "constSizeOrZero": {
          if (r.t !== "scalar")
            fail(
              VerifierCodes.helperSize,
              `${what}: r${regno} must be a size, but holds ${regText(r)}`,
            );
          const s = (r as { s: Scalar }).s;
          if (proto.fixedSize !== undefined && !(S.isConst(s) && s.v === BigInt(proto.fixedSize)))
            fail(
              VerifierCodes.helperSize,
              `${what}: the size must be the constant ${proto.fixedSize}, but r${regno} is ${S.show(s)}`,
            );
          if (s.smin < 0n)
            fail(VerifierCodes.helperSize, `${what}: the size may be negative (${S.show(s)})`);
          if (s.umax >= BigInt(MAX_VAR_OFF))
            fail(
              VerifierCodes.helperSize,
              `${what}: the size is unbounded`,
              "bound it with a comparison first",
            );
          if (kind === "constSize" && s.umin === 0n)
            fail(VerifierCodes.helperSize, `${what}: the size may be zero`);
          break;
        }
        case "anything":
          if (isPtr(r))
            fail(
              VerifierCodes.pointerLeak,
              `${what}: r${regno} holds a pointer (${regText(r)}), which would leak to the helper`,
            );
          break;
      }
    }
    for (const w of writes) checkHelperMem(w.regno, w.r, w.size, true, name);
    const f = frame();
    for (let i = 1; i <= 5; i++) f.regs[i] = NONE;
    const mi = map !== undefined ? p.maps[map] : undefined;
    // an array map looked up with a constant in-range key cannot return NULL (the kernel knows)
    if (
      proto.ret === "mapValueOrNull" &&
      mi?.type === 2 &&
      constKey !== undefined &&
      constKey < BigInt(mi.maxEntries) &&
      proto.name === "map_lookup_elem"
    )
      f.regs[0] = { t: "value", map: map!, off: 0, v: S.constant(0) };
    else if (proto.ret === "mapValueOrNull")
      f.regs[0] = { t: "valueOrNull", map: map ?? 0, id: nextId++ };
    else f.regs[0] = scalarReg(S.unknown());
  };

  // --- the walk ------------------------------------------------------------------------------
  const decide = (insn: Insn, taken: boolean): void => {
    cur.trail = {
      d: { pc: insn.pc, text: insn.text, taken },
      prev: cur.trail,
      n: (cur.trail?.n ?? 0) + 1,
    };
  };

  const branch = (insn: Insn): void => {
    const sem = insn.d.form.sem;
    if (sem.kind !== "jcond") return;
    const { dst, src, imm, off } = insn.d.insn;
    const target = insn.pc + 1 + off;
    const next = insn.pc + 1;
    const a = readReg(dst);
    const b: Reg =
      sem.source === "X"
        ? readReg(src)
        : scalarReg(sem.width === 32 ? S.constant(imm >>> 0) : S.constant(imm));
    const op = sem.op as S.CmpOp;
    if (sem.source === "X" && isPtr(b))
      fail(VerifierCodes.pointerCompare, `r${src} is a pointer: comparing pointers is not allowed`);
    if (isPtr(a)) {
      const zeroK =
        sem.source === "K" && imm === 0 && sem.width === 64 && (op === "JEQ" || op === "JNE");
      if (!zeroK)
        fail(
          VerifierCodes.pointerCompare,
          `r${dst} is a pointer (${regText(a)}): comparing pointers is not allowed (only a NULL check: == 0 / != 0)`,
        );
      if (a.t === "valueOrNull") {
        const other: State = {
          frames: cur.frames.map(cloneFrame),
          pc: 0,
          trail: cur.trail,
          parent: cur.parent,
        };
        // the current path continues on the fall-through side; the other side is pushed
        const nullOnJump = op === "JEQ";
        const save = cur;
        cur = other;
        markId(a.id, nullOnJump);
        decide(insn, true);
        other.pc = target;
        cur = save;
        markId(a.id, !nullOnJump);
        decide(insn, false);
        cur.pc = next;
        push(other);
        return;
      }
      // The kernel knows only some pointers are non-NULL (reg_not_null: map values among
      // those modelled here). A context, stack or map pointer compared with 0 is walked both
      // ways by the privileged kernel and rejected by the unprivileged one ("pointer comparison
      // prohibited"); we keep the unprivileged rule (docs/verifier.md): it is a pointer
      // comparison, not a NULL check. Deciding it as "never NULL" accepted code the kernel
      // walks and rejects (found by byte mutation).
      if (a.t !== "value")
        fail(
          VerifierCodes.pointerCompare,
          `r${dst} is a pointer (${regText(a)}) that cannot be NULL: comparing it with 0 is a pointer comparison, which is not allowed`,
        );
      // a non-NULL pointer against 0: the outcome is known
      const takenK = op === "JNE";
      decide(insn, takenK);
      cur.pc = takenK ? target : next;
      return;
    }
    const as = (a as { s: Scalar }).s;
    const bs = (b as { s: Scalar }).s;
    let tRes: [Scalar, Scalar] | undefined;
    let fRes: [Scalar, Scalar] | undefined;
    let refineRegs = true;
    if (sem.width === 64) {
      tRes = S.refine(op, as, bs);
      fRes = S.refineFalse(op, as, bs);
    } else {
      // 32-bit compare: exact when both operands fit the 32-bit view the same way
      const la = S.low32(as);
      const lb = S.low32(bs);
      const signedOp = op.startsWith("JS");
      const fits = (x: Scalar) => (signedOp ? x.umax < 1n << 31n : x.umax <= S.U32);
      const view = (x: Scalar): Scalar =>
        signedOp && !(x.umax < 1n << 31n) ? S.signExtend(x, 32) : x;
      tRes = S.refine(op, view(la), view(lb));
      fRes = S.refineFalse(op, view(la), view(lb));
      refineRegs = fits(as) && fits(bs);
    }
    const setBoth = (res: [Scalar, Scalar]): void => {
      if (!refineRegs) return;
      setReg(dst, scalarReg(res[0]));
      if (sem.source === "X") setReg(src, scalarReg(res[1]));
    };
    if (tRes && fRes) {
      const other: State = {
        frames: cur.frames.map(cloneFrame),
        pc: target,
        trail: cur.trail,
        parent: cur.parent,
      };
      const save = cur;
      cur = other;
      setBoth(tRes);
      decide(insn, true);
      cur = save;
      setBoth(fRes);
      decide(insn, false);
      cur.pc = next;
      push(other);
    } else if (tRes) {
      speculate(insn, next, dst, sem.source === "X" ? src : -1);
      setBoth(tRes);
      decide(insn, true);
      cur.pc = target;
    } else if (fRes) {
      speculate(insn, target, dst, sem.source === "X" ? src : -1);
      setBoth(fRes);
      decide(insn, false);
      cur.pc = next;
    } else {
      // neither side is possible: the state itself is contradictory; stop this path
      cur.pc = -1;
    }
  };

  /**
   * The kernel's speculative walk of the side of a decided branch that cannot happen. Only a
   * backward side (a loop) is modelled: there the kernel's walk starts from a state whose
   * compared registers may have lost their exact value, so a loop whose body can repeat from
   * such a state is rejected as infinite. A forward side inside a loop body can lead round
   * the loop too (generator seed 2, docs/verifier.md "Rejected only by the unprivileged
   * kernel's speculative walk"); that is not modelled.
   */
  const speculate = (insn: Insn, to: number, dst: number, src: number): void => {
    if (!rules.unprivileged || cur.spec) return;
    if (to > insn.pc) return phantom();
    // Only loops without calls: measured against the kernel, loops whose body calls a helper
    // or subprogram are not rejected this way.
    for (let pc = to; pc < insn.pc; pc++)
      if (p.insns[pc]?.d.form.sem.kind === "call") return phantom();
    const st: State = {
      frames: cur.frames.map(cloneFrame),
      pc: to,
      trail: cur.trail,
      parent: cur.parent,
      spec: true,
    };
    const f = st.frames[st.frames.length - 1]!;
    for (const r of [dst, src])
      if (r >= 0 && f.regs[r]!.t === "scalar") f.regs[r] = scalarReg(S.unknown());
    st.trail = {
      d: { pc: insn.pc, text: insn.text, taken: to !== insn.pc + 1 },
      prev: cur.trail,
      n: (cur.trail?.n ?? 0) + 1,
    };
    push(st);
  };

  /**
   * A speculative path we do not walk (see speculate) still occupies one of the kernel's
   * pending-branch slots until the current path ends, as each of its speculative pushes does
   * (a decided branch's impossible side, a pointer addition of an unknown scalar): measured,
   * a reap loop of 7,696 iterations stays under 8,192 pending branches privileged but not
   * in strict mode (issue 16). An ended placeholder keeps that count.
   */
  const phantom = (): void => {
    if (rules.unprivileged && !cur.spec)
      push({ frames: [], pc: -1, trail: cur.trail, parent: undefined, spec: true });
  };

  const push = (st: State): void => {
    if (st.parent) st.parent.pending++;
    stack.push(st);
    if (stack.length > MAX_PENDING)
      fail(
        VerifierCodes.tooManyBranches,
        `more than ${MAX_PENDING} branches are pending at once`,
        "simplify the control flow",
      );
  };

  const step = (insn: Insn): void => {
    const sem = insn.d.form.sem;
    const { dst, src, off, imm } = insn.d.insn;
    const next = insn.pc + insn.d.size / 8;
    if (insn.d.reserved.length)
      fail(
        VerifierCodes.badInstruction,
        `reserved field${insn.d.reserved.length > 1 ? "s" : ""} ${insn.d.reserved.join(", ")} must be 0`,
      );
    if (kernelCpu(insn) > rules.maxCpu)
      fail(
        VerifierCodes.unsupportedInsn,
        `this instruction needs cpu v${insn.d.form.cpu}; the ${rules.target.name} kernel (${rules.target.kernelBase}) supports up to ${rules.target.maxMcpu}`,
        `compile with --mcpu ${rules.target.maxMcpu}`,
      );
    if (
      (dst > 10 && insn.d.form.uses.includes("dst")) ||
      (src > 10 &&
        insn.d.form.uses.includes("src") &&
        sem.kind !== "ld_imm64" &&
        sem.kind !== "call")
    )
      fail(VerifierCodes.badInstruction, "register number out of range (r0..r10)");
    switch (sem.kind) {
      case "alu": {
        writeDst(dst);
        const srcR: Reg =
          sem.source === "X"
            ? readReg(src)
            : scalarReg(sem.width === 32 ? S.constant(imm >>> 0) : S.constant(imm));
        if (sem.op === "MOV") {
          if (sem.width === 32 && isPtr(srcR))
            fail(
              VerifierCodes.pointerLeak,
              `r${src} is a pointer: a 32-bit copy of it is not allowed`,
            );
          setReg(dst, sem.width === 32 ? scalarReg(S.low32((srcR as { s: Scalar }).s)) : srcR);
          break;
        }
        if (sem.op === "MOVSX") {
          if (isPtr(srcR))
            fail(
              VerifierCodes.pointerLeak,
              `r${src} is a pointer: a sign-extending copy of it is not allowed`,
            );
          let v = S.signExtend((srcR as { s: Scalar }).s, sem.extend ?? 32);
          if (sem.width === 32) v = S.low32(v);
          setReg(dst, scalarReg(v));
          break;
        }
        const dstR = readReg(dst);
        if (
          (sem.op === "DIV" || sem.op === "MOD" || sem.op === "SDIV" || sem.op === "SMOD") &&
          sem.source === "K" &&
          imm === 0
        )
          fail(VerifierCodes.divByZero, "division by zero");
        if (isPtr(dstR) || isPtr(srcR)) {
          if (sem.width === 32)
            fail(VerifierCodes.badPointerArith, "32-bit arithmetic on a pointer is not allowed");
          setReg(dst, pointerArith(insn, sem.op, dstR, srcR, sem.source === "X"));
          break;
        }
        setReg(
          dst,
          scalarReg(
            aluScalar(
              sem.op,
              (dstR as { s: Scalar }).s,
              (srcR as { s: Scalar }).s,
              sem.width,
              insn,
            ),
          ),
        );
        break;
      }
      case "neg": {
        writeDst(dst);
        const r = readReg(dst);
        if (isPtr(r)) fail(VerifierCodes.badPointerArith, "negating a pointer is not allowed");
        const v = (r as { s: Scalar }).s;
        setReg(dst, scalarReg(sem.width === 32 ? S.low32(S.neg(S.low32(v))) : S.neg(v)));
        break;
      }
      case "end": {
        writeDst(dst);
        const r = readReg(dst);
        if (isPtr(r)) fail(VerifierCodes.badPointerArith, "byte-swapping a pointer is not allowed");
        setReg(dst, scalarReg(S.byteSwap((r as { s: Scalar }).s, sem.bits, sem.order !== "le")));
        break;
      }
      case "ld_imm64": {
        writeDst(dst);
        if (insn.ld?.kind === "map") setReg(dst, { t: "map", map: insn.ld.map });
        else if (insn.ld?.kind === "mapValue") {
          const m = p.maps[insn.ld.map]!;
          if (insn.ld.offset < 0 || insn.ld.offset >= Math.max(1, m.valueSize))
            fail(
              VerifierCodes.badRelocation,
              `global data reference at offset ${insn.ld.offset} is outside '${m.name}' (${m.valueSize} bytes)`,
            );
          setReg(dst, { t: "value", map: insn.ld.map, off: insn.ld.offset, v: S.constant(0) });
        } else if (sem.pseudo !== 0)
          fail(VerifierCodes.unsupportedInsn, `ld_imm64 with src ${sem.pseudo} is not supported`);
        else setReg(dst, scalarReg(S.constant(insn.d.insn.imm64 ?? BigInt(imm))));
        break;
      }
      case "load": {
        writeDst(dst);
        const v = memAccess(insn, src, off, sem.bytes, false, undefined, { signed: sem.signed });
        setReg(dst, v!);
        break;
      }
      case "store_imm":
        memAccess(
          insn,
          dst,
          off,
          sem.bytes,
          true,
          sem.bytes === 8
            ? scalarReg(S.constant(imm))
            : scalarReg(S.truncate(S.constant(imm), sem.bytes)),
          { storeImm: true },
        );
        if (sem.bytes !== 8 && reg(dst).t === "stack") {
          // narrow immediates are plain bytes, not spills
        }
        break;
      case "store": {
        const v = readReg(src);
        memAccess(
          insn,
          dst,
          off,
          sem.bytes,
          true,
          sem.bytes === 8
            ? v
            : isPtr(v)
              ? v
              : scalarReg(S.truncate((v as { s: Scalar }).s, sem.bytes)),
        );
        break;
      }
      case "atomic": {
        const v = readReg(src);
        if (isPtr(v))
          fail(
            VerifierCodes.pointerLeak,
            `r${src} is a pointer: storing it atomically would leak an address`,
          );
        if (sem.op === "CMPXCHG") {
          const r0 = readReg(0);
          if (isPtr(r0)) fail(VerifierCodes.pointerLeak, "r0 is a pointer: cmpxchg would leak it");
        }
        const p0 = readReg(dst);
        if (p0.t === "ctx")
          fail(VerifierCodes.ctxBadAccess, "atomic operations on the context are not allowed");
        if (p0.t === "value" && p.maps[p0.map]!.readOnly)
          fail(
            VerifierCodes.readOnlyWrite,
            `atomic write into read-only map '${p.maps[p0.map]!.name}'`,
          );
        memAccess(insn, dst, off, sem.bytes, true, undefined, { atomic: true });
        const out = scalarReg(sem.bytes === 8 ? S.unknown() : S.unknownBytes(4));
        if (sem.op === "CMPXCHG") setReg(0, out);
        else if (sem.fetch) {
          writeDst(src);
          setReg(src, out);
        }
        break;
      }
      case "ja":
        cur.pc = insn.pc + 1 + (sem.wide ? imm : off);
        return;
      case "jcond":
        branch(insn);
        return;
      case "call":
        if ((insn as { kfunc?: string }).kfunc !== undefined || sem.target === "kfunc") {
          if (Object.keys(rules.target.kfuncs).length === 0)
            fail(
              VerifierCodes.kfuncUnsupported,
              `kfunc calls are not available to ${rules.target.name} programs`,
            );
          kfuncCall(soHost, insn);
          break;
        }
        if (sem.target === "helper") {
          callHelper(insn);
          break;
        }
        {
          const tgt = insn.callTarget!;
          const fn = subprogOf(p, tgt);
          if (cur.frames.length >= MAX_CALL_FRAMES)
            fail(
              VerifierCodes.callDepth,
              `the call stack of ${cur.frames.length + 1} frames is too deep (at most ${MAX_CALL_FRAMES})`,
            );
          if (cur.frames.some((f) => f.fn === fn))
            fail(VerifierCodes.recursion, `recursive call of the subprogram at insn ${tgt}`);
          const caller = frame();
          const callee = newFrame(fn, next, cur.frames.length);
          for (let i = 1; i <= 5; i++) callee.regs[i] = caller.regs[i]!;
          cur.frames.push(callee);
          cur.pc = tgt;
          return;
        }
      case "exit": {
        const r0 = reg(0);
        if (r0.t === "none")
          fail(VerifierCodes.uninitRegister, "r0 is not set at exit (the return value)");
        if (cur.frames.length > 1) {
          if (r0.t === "stack" && r0.frame === cur.frames.length - 1)
            fail(VerifierCodes.returnPointer, "a subprogram returns a pointer to its own stack");
          const done = cur.frames.pop()!;
          const f = frame();
          f.regs[0] = r0;
          for (let i = 1; i <= 5; i++) f.regs[i] = NONE;
          cur.pc = done.ret;
          return;
        }
        if (isPtr(r0))
          fail(
            VerifierCodes.returnPointer,
            `the program returns a pointer (${regText(r0)}), which leaks an address`,
          );
        const vals = rules.returnValues;
        const s = (r0 as { s: Scalar }).s;
        if (vals && !(S.isConst(s) && vals.includes(BigInt.asIntN(32, s.v)) && s.v <= S.U32))
          fail(
            VerifierCodes.returnValue,
            `${rules.target.name} programs must return ${vals.length === 1 ? `the constant ${vals[0]}` : `one of ${vals.join(", ")}`}, but r0 is ${S.show(s)}`,
            vals.length === 1 ? `set r0 = ${vals[0]} before exit` : undefined,
          );
        cur.pc = -1;
        return;
      }
      default:
        fail(
          VerifierCodes.unsupportedInsn,
          `instruction ${insn.d.form.name} is not supported by ${rules.target.name} programs`,
        );
    }
    cur.pc = next;
  };

  let failure: VerifyFailure | undefined;
  /** The last MAX_PATH decisions of a trail: what explains a failure (a full path can be 100k long). */
  const pathOf = (t: Trail | undefined): Decision[] => {
    const out: Decision[] = [];
    for (let x = t; x && out.length < MAX_PATH; x = x.prev) out.push(x.d);
    return out.reverse();
  };
  const visits = new Uint32Array(n);
  /**
   * Why the budget ran out, and what to do: the instruction walked most often and the
   * innermost loop (backward jump) around it, or, without one, the branches that multiply
   * the paths.
   */
  const complexityCause = (): { message: string; hint: string } => {
    let hot = 0;
    for (let i = 1; i < n; i++) if (visits[i]! > visits[hot]!) hot = i;
    let loop: { head: number; tail: number } | undefined;
    for (const insn of p.insns) {
      if (!insn) continue;
      const k = insn.d.form.sem.kind;
      if (k !== "ja" && k !== "jcond" && k !== "may_goto") continue;
      for (const t of successors(p, insn))
        if (
          t <= insn.pc &&
          t <= hot &&
          hot <= insn.pc &&
          (!loop || insn.pc - t < loop.tail - loop.head)
        )
          loop = { head: t, tail: insn.pc };
    }
    const base = `the program is too complex: more than ${COMPLEXITY_LIMIT} instructions processed (the kernel's limit, BPF_COMPLEXITY_LIMIT_INSNS); insn ${hot} was walked ${visits[hot]} times`;
    if (loop)
      return {
        message: `${base}, in the loop of insns ${loop.head}-${loop.tail}, which is walked once per iteration and per distinct state`,
        hint: "bound the loop with a smaller constant (or make its trip count a constant the verifier can see), and keep values that differ per iteration out of the loop body's branches",
      };
    return {
      message: `${base}: the branches before it multiply the paths to it`,
      hint: "reduce the independent if/else decisions on one path (merge them, or move rarely taken work into a separate function)",
    };
  };
  try {
    for (;;) {
      if (cur.pc < 0) {
        complete(cur.parent);
        const st = stack.pop();
        if (!st) break;
        cur = st;
        continue;
      }
      const pc = cur.pc;
      const insn = p.insns[pc];
      try {
        if (!insn)
          fail(
            VerifierCodes.jumpOutOfRange,
            `execution reaches insn ${pc}, which is not an instruction`,
          );
        if (prunePoint[pc] && checkPrune()) {
          cur.pc = -1;
          continue;
        }
        if (!cur.spec) visited[pc] = 1;
        visits[pc]++;
        if (++processed > COMPLEXITY_LIMIT) {
          const why = complexityCause();
          fail(VerifierCodes.complexity, why.message, why.hint);
        }
        step(insn!);
      } catch (e) {
        if (!(cur.spec && e instanceof Fail && !SPEC_FATAL.has(e.code))) throw e;
        cur.pc = -1; // a speculative path that breaks a rule just ends (speculation barrier)
      }
    }
    // combined stack of the deepest call chain (static call graph, as the kernel checks)
    const depthOf = (fn: number, seen: Set<number>): number => {
      const own = Math.ceil(maxStack[fn]! / 16) * 16;
      let best = 0;
      const start = p.subprogs[fn]!;
      const end = p.subprogs[fn + 1] ?? n;
      for (let pc = start; pc < end; pc++) {
        const t = p.insns[pc]?.callTarget;
        if (t === undefined) continue;
        const g = subprogOf(p, t);
        if (seen.has(g)) continue;
        seen.add(g);
        best = Math.max(best, depthOf(g, seen));
        seen.delete(g);
      }
      return own + best;
    };
    const total = depthOf(0, new Set([0]));
    if (total > MAX_STACK)
      throw new Fail(
        VerifierCodes.stackTooLarge,
        `the combined stack of the call chain is ${total} bytes (at most ${MAX_STACK})`,
      );
  } catch (e) {
    if (!(e instanceof Fail)) throw e;
    failure = new VerifyFailure(
      e.code,
      e.message,
      cur.pc,
      pathOf(cur.trail),
      e.hint,
      cur.trail?.n ?? 0,
    );
  }
  const dead: number[] = [];
  if (!failure) for (let pc = 0; pc < n; pc++) if (p.insns[pc] && !visited[pc]) dead.push(pc);
  return {
    ...(failure ? { failure } : {}),
    insnsProcessed: processed,
    statesExplored,
    dead,
    maxStack,
  };
}
