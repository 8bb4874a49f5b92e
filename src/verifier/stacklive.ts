// Static stack liveness (over-approximate), so pruning ignores stack bytes that no path from a
// pc reads before overwriting them. Per function, relative to the function's own frame:
//
// 1. A forward pass finds, at every pc, which registers may point into the own frame: a known
//    `fp + k` (r10 plus constants), "not the own frame" (scalars, ctx, maps, other frames'
//    pointers), or "unknown". Constants are kept for helper size arguments and maps for the
//    key/value sizes of map helpers.
// 2. A backward pass computes, per pc, the bytes whose contents may still be read (`content`)
//    and the 8-byte slots whose spilled-pointer-ness may still be checked by a narrow store
//    (`ptr`, a narrow store over a spilled pointer is rejected). Loads and stores through `fp + k`
//    use/kill exactly those bytes; a store kills only the bytes it writes (a narrow store also
//    uses its slot's `ptr` bit); a helper reading a known `fp + k` buffer uses the bytes of its
//    size (or everything from k up when the size is not a known constant), a helper filling one
//    with a constant size kills them. Anything else that may touch the own frame — an access
//    through an unknown pointer, a subprogram call given a possible own-frame pointer, an
//    unknown instruction — makes every byte and slot live.
import type { HelperArgKind } from "../targets/targets.js";
import type { LinkedProgram } from "./program.js";
import { successors } from "./program.js";
import { ITER_KFUNCS } from "./structops.js";
import type { ProgramRules } from "./rules.js";

const STACK = 512;
/** Words per pc: 16 for the 512 byte bits, 2 for the 64 slot bits. */
export const LIVE_WORDS = 18;

const enum K {
  BOT = 0,
  FP = 1,
  CONST = 2,
  MAP = 3,
  NS = 4,
  TOP = 5,
  /**
   * fp + k for some k in [n, h] (where paths that moved a stack pointer by different constants
   * join), or, with `x`, also possibly no pointer into this frame (a path brought a map value
   * pointer, say, to an access our compiler shares between the two)
   */
  FPR = 6,
}
interface V {
  k: K;
  n: number; // FP: offset; CONST: value; MAP: map index; FPR: lowest offset
  h?: number; // FPR: highest offset
  x?: boolean; // FPR: may also point elsewhere
}
const BOT: V = { k: K.BOT, n: 0 };
const NS: V = { k: K.NS, n: 0 };
const TOP: V = { k: K.TOP, n: 0 };
const fp = (n: number): V => ({ k: K.FP, n });
const cst = (n: number): V =>
  Number.isSafeInteger(n) && Math.abs(n) < 2 ** 40 ? { k: K.CONST, n } : NS;
const mayFp = (v: V): boolean => v.k === K.FP || v.k === K.TOP || v.k === K.FPR;
/** The offsets [lo, hi] a known stack pointer (FP or FPR) may have. */
const fpLo = (v: V): number => v.n;
const fpHi = (v: V): number => (v.k === K.FPR ? v.h! : v.n);
const isFp = (v: V): boolean => v.k === K.FP || v.k === K.FPR;
/**
 * A stack pointer somewhere in [lo, hi]. Our compiler indexes a local array by a select
 * chain (`r2 = fp - 32; if r1 < 1 goto s; r2 += 4; …; s: *(u32 *)(r2 + 0) = …`): the join
 * of those paths is such a range, not "anything", so the access keeps the rest of the frame
 * dead instead of making every byte live.
 */
const fpRange = (lo: number, hi: number, x = false): V =>
  lo === hi && !x
    ? fp(lo)
    : hi - lo <= STACK
      ? { k: K.FPR, n: lo, h: hi, ...(x ? { x } : {}) }
      : TOP;
const shiftFp = (v: V, d: number): V => fpRange(fpLo(v) + d, fpHi(v) + d, v.x === true);
/** Facts per pc: registers r0-r10, then the 64 stack slots of the own frame. */
const NF = 11 + STACK / 8;

function join(a: V, b: V): V {
  if (a.k === K.BOT) return b;
  if (b.k === K.BOT) return a;
  if (a.k === b.k && a.n === b.n && a.h === b.h && a.x === b.x) return a;
  if (isFp(a) && isFp(b)) {
    const lo = Math.min(fpLo(a), fpLo(b));
    const hi = Math.max(fpHi(a), fpHi(b));
    const x = a.x === true || b.x === true;
    return lo === fpLo(a) && hi === fpHi(a) && x === (a.x === true) ? a : fpRange(lo, hi, x);
  }
  // a stack pointer on one path, no pointer into this frame on the other (NS, a constant, a
  // map): accesses through it touch at most the stack pointer's bytes
  if (isFp(a) && b.k !== K.TOP) return fpRange(fpLo(a), fpHi(a), true);
  if (isFp(b) && a.k !== K.TOP) return fpRange(fpLo(b), fpHi(b), true);
  if (mayFp(a) || mayFp(b)) return TOP;
  return NS;
}

/**
 * Liveness of the own frame's stack at every pc: `LIVE_WORDS` words per pc (bit i of the
 * first 16 = byte at offset i - 512; bit s of the last 2 = slot s's spilled-pointer-ness).
 */
export function stackLiveness(
  p: LinkedProgram,
  rules: ProgramRules,
): { live: Uint32Array; need: Uint32Array } {
  const n = p.insns.length;
  const succ: number[][] = p.insns.map((insn) => (insn ? successors(p, insn) : []));
  const knownKfunc = (insn: LinkedProgram["insns"][number]): boolean =>
    insn?.kfunc !== undefined &&
    (ITER_KFUNCS.includes(insn.kfunc) || rules.target.kfuncs[insn.kfunc] !== undefined);
  let facts: (V[] | undefined)[] = [];
  // --- forward: what each register and each 8-byte stack slot may point to ------------------
  // Facts over-approximate where pointers into the own frame may be; a scalar wrongly taken
  // for such a pointer only adds liveness (and dereferencing it is rejected anyway), so writes
  // of data (narrow stores, helper output) need not weaken a slot's fact.
  {
    facts = new Array(n);
    const work: number[] = [];
    for (const s of p.subprogs) {
      const regs: V[] = new Array(NF).fill(BOT);
      for (let r = 1; r <= 5; r++) regs[r] = NS;
      regs[10] = fp(0);
      facts[s] = regs;
      work.push(s);
    }
    let cur: V[] = [];
    const get = (r: number): V => cur[r] ?? TOP;
    /** The slot index (into facts) of an aligned 8-byte access at fp offset o, or -1. */
    const slotAt = (o: number): number =>
      o >= -STACK && o + 8 <= 0 && ((o % 8) + 8) % 8 === 0 ? 11 + ((o + STACK) >> 3) : -1;
    const slotsMayFp = (): boolean => {
      for (let i = 11; i < NF; i++) if (mayFp(cur[i]!)) return true;
      return false;
    };
    while (work.length) {
      const pc = work.pop()!;
      const insn = p.insns[pc];
      const inR = facts[pc];
      if (!insn || !inR) continue;
      const out = inR.slice();
      cur = inR;
      const { dst, src, imm, off } = insn.d.insn;
      const sem = insn.d.form.sem;
      switch (sem.kind) {
        case "alu": {
          const s: V = sem.source === "X" ? get(src) : cst(sem.width === 32 ? imm >>> 0 : imm);
          const d = get(dst);
          if (sem.op === "MOV")
            out[dst] = sem.width === 64 ? s : s.k === K.CONST ? cst(s.n >>> 0) : NS;
          else if (sem.op === "MOVSX") out[dst] = NS;
          else if (sem.width === 32) out[dst] = NS;
          else if (sem.op === "ADD" || sem.op === "SUB") {
            const sign = sem.op === "ADD" ? 1 : -1;
            if (isFp(d) && s.k === K.CONST) out[dst] = shiftFp(d, sign * s.n);
            else if (d.k === K.CONST && isFp(s) && sign === 1) out[dst] = shiftFp(s, d.n);
            else if (d.k === K.CONST && s.k === K.CONST) out[dst] = cst(d.n + sign * s.n);
            else out[dst] = mayFp(d) || mayFp(s) ? TOP : NS;
          } else out[dst] = mayFp(d) || mayFp(s) ? TOP : NS;
          break;
        }
        case "neg":
        case "end":
        case "addr_space_cast":
          out[dst] = mayFp(get(dst)) ? TOP : NS;
          break;
        case "ld_imm64":
          out[dst] = insn.ld?.kind === "map" ? { k: K.MAP, n: insn.ld.map } : NS;
          break;
        case "load":
        case "load_acquire": {
          // only the own frame can hold a pointer into it (maps, the context and other frames
          // cannot: such stores are rejected)
          const b = get(src);
          if (sem.bytes !== 8) out[dst] = NS;
          else if (b.k === K.FP) {
            const sl = slotAt(b.n + off);
            const v = sl >= 0 ? cur[sl]! : NS;
            out[dst] = v.k === K.BOT ? NS : v;
          } else if (b.k === K.FPR) {
            // (a load from elsewhere gives no pointer into this frame)
            let v: V = b.x ? NS : BOT;
            for (let o = (b.n + off) & ~7; o <= b.h! + off; o += 8) {
              const sl = slotAt(o);
              v = join(v, sl >= 0 ? cur[sl]! : NS);
            }
            out[dst] = v.k === K.BOT ? NS : v;
          } else out[dst] = b.k === K.TOP && slotsMayFp() ? TOP : NS;
          break;
        }
        case "store":
        case "store_imm":
        case "store_release": {
          const b = get(dst);
          const v = sem.kind === "store_imm" ? NS : get(src);
          if (b.k === K.FP) {
            const lo = b.n + off;
            const sl = sem.bytes === 8 ? slotAt(lo) : -1;
            if (sl >= 0) out[sl] = v;
            else
              for (let o = lo & ~7; o < lo + sem.bytes; o += 8) {
                const t = slotAt(o);
                if (t >= 0) out[t] = NS; // a narrow store leaves data, not a pointer
              }
          } else if (b.k === K.FPR && sem.bytes === 8 && mayFp(v)) {
            // any one of these slots may get the pointer (a weak update)
            for (let o = (b.n + off) & ~7; o <= b.h! + off; o += 8) {
              const sl = slotAt(o);
              if (sl >= 0) out[sl] = join(out[sl]!, v);
            }
          } else if (b.k === K.TOP && sem.bytes === 8 && mayFp(v))
            for (let i = 11; i < NF; i++) out[i] = join(out[i]!, v);
          break;
        }
        case "jcond":
        case "ja":
        case "exit":
          break;
        case "atomic":
          if (sem.op === "CMPXCHG") out[0] = NS;
          else if (sem.fetch) out[src] = NS;
          break;
        case "call": {
          if (knownKfunc(insn)) {
            // kfuncs store no pointer into the frame (an iterator's slot gets a scalar) and
            // return none into it
            out[0] = NS;
            for (let r = 1; r <= 5; r++) out[r] = BOT;
            break;
          }
          let anyFp = false;
          for (let r = 1; r <= 5; r++) if (mayFp(get(r))) anyFp = true;
          // a subprogram given a pointer into this frame may store one there
          if (sem.target !== "helper" && anyFp) for (let i = 11; i < NF; i++) out[i] = TOP;
          out[0] = sem.target !== "helper" && anyFp ? TOP : NS;
          for (let r = 1; r <= 5; r++) out[r] = BOT;
          break;
        }
        default:
          for (let r = 0; r < 10; r++) out[r] = TOP;
          for (let i = 11; i < NF; i++) out[i] = TOP;
      }
      for (const t of succ[pc]!) {
        if (t < 0 || t >= n) continue;
        const old = facts[t];
        if (!old) {
          facts[t] = out.slice();
          work.push(t);
          continue;
        }
        let changed = false;
        for (let r = 0; r < NF; r++) {
          const j = join(old[r]!, out[r]!);
          if (j !== old[r]) {
            old[r] = j;
            changed = true;
          }
        }
        if (changed) work.push(t);
      }
    }
  }

  // --- backward: live bytes and slots --------------------------------------------------------
  const W = LIVE_WORDS;
  const use = new Uint32Array(n * W);
  const kill = new Uint32Array(n * W);
  const all = new Uint8Array(n);
  const setRange = (arr: Uint32Array, pc: number, lo: number, hi: number): void => {
    // byte offsets [lo, hi) relative to the frame pointer, clipped to the frame
    const a = Math.max(lo + STACK, 0);
    const b = Math.min(hi + STACK, STACK);
    for (let i = a; i < b; i++) arr[pc * W + (i >> 5)]! |= 1 << (i & 31);
  };
  const setSlot = (arr: Uint32Array, pc: number, lo: number, hi: number): void => {
    for (let i = Math.max(lo + STACK, 0) >> 3; i <= Math.min(hi + STACK - 1, STACK - 1) >> 3; i++)
      arr[pc * W + 16 + (i >> 5)]! |= 1 << (i & 31);
  };
  for (let pc = 0; pc < n; pc++) {
    const insn = p.insns[pc];
    const f = facts[pc];
    if (!insn || !f) continue;
    const sem = insn.d.form.sem;
    const { dst, src, off } = insn.d.insn;
    switch (sem.kind) {
      case "load":
      case "load_acquire": {
        const b = f[src]!;
        if (isFp(b)) setRange(use, pc, fpLo(b) + off, fpHi(b) + off + sem.bytes);
        else if (b.k === K.TOP) all[pc] = 1;
        break;
      }
      case "store":
      case "store_imm":
      case "store_release": {
        const b = f[dst]!;
        if (b.k === K.FP) {
          const lo = b.n + off;
          setRange(kill, pc, lo, lo + sem.bytes);
          if (sem.bytes === 8 && ((lo % 8) + 8) % 8 === 0) setSlot(kill, pc, lo, lo + 8);
          else setSlot(use, pc, lo, lo + sem.bytes);
        } else if (b.k === K.FPR)
          // which bytes are written is not known: none is killed, and a narrow store may
          // land on a spilled pointer anywhere in the range
          setSlot(use, pc, b.n + off, b.h! + off + sem.bytes);
        else if (b.k === K.TOP) all[pc] = 1;
        break;
      }
      case "atomic": {
        const b = f[dst]!;
        if (isFp(b)) {
          setRange(use, pc, fpLo(b) + off, fpHi(b) + off + sem.bytes);
          setSlot(use, pc, fpLo(b) + off, fpHi(b) + off + sem.bytes);
        } else if (b.k === K.TOP) all[pc] = 1;
        break;
      }
      case "call": {
        if (knownKfunc(insn)) {
          // an iterator kfunc reads and writes its 8-byte slot; the target's kfuncs take
          // no stack pointer (structops.ts rejects a pointer argument other than the ctx)
          if (insn.kfunc !== undefined && ITER_KFUNCS.includes(insn.kfunc)) {
            const v = f[1]!;
            if (isFp(v)) {
              setRange(use, pc, fpLo(v), fpHi(v) + 8);
              setSlot(use, pc, fpLo(v), fpHi(v) + 8);
            } else if (v.k === K.TOP) all[pc] = 1;
          }
          break;
        }
        if (sem.target !== "helper") {
          for (let r = 1; r <= 5; r++) if (mayFp(f[r]!)) all[pc] = 1;
          break;
        }
        const proto = rules.helper(insn.d.insn.imm);
        if (!proto) {
          all[pc] = 1;
          break;
        }
        const args: readonly HelperArgKind[] = proto.args;
        let mapSizes: { key: number; value: number } | undefined;
        for (let i = 0; i < args.length; i++) {
          const kind = args[i]!;
          const v = f[i + 1]!;
          if (kind === "mapPtr" && v.k === K.MAP) {
            const m = p.maps[v.n];
            if (m) mapSizes = { key: m.keySize, value: m.valueSize };
          }
          if (!mayFp(v)) continue;
          if (v.k === K.TOP) {
            all[pc] = 1;
            continue;
          }
          const size = f[i + 2]?.k === K.CONST ? f[i + 2]!.n : -1;
          // a range of possible offsets (FPR) reads from its lowest to its highest + size
          const lo = fpLo(v);
          const hi = fpHi(v);
          switch (kind) {
            case "mapKey":
            case "mapValue": {
              const sz = mapSizes ? (kind === "mapKey" ? mapSizes.key : mapSizes.value) : -1;
              setRange(use, pc, lo, sz >= 0 ? hi + sz : 0);
              break;
            }
            case "mem":
              setRange(
                use,
                pc,
                lo,
                size >= 0 && args[i + 1]?.startsWith("constSize") ? hi + size : 0,
              );
              break;
            case "uninitMem":
              // a constant size fills exactly those bytes; otherwise nothing is known to be killed
              if (v.k === K.FP && size >= 0 && args[i + 1]?.startsWith("constSize"))
                setRange(kill, pc, v.n, v.n + size);
              break;
            default:
              // a stack pointer where no memory is expected: the call is rejected, but be safe
              setRange(use, pc, lo, 0);
          }
        }
        break;
      }
      case "alu":
      case "neg":
      case "end":
      case "addr_space_cast":
      case "ld_imm64":
      case "jcond":
      case "ja":
      case "exit":
        break;
      default:
        all[pc] = 1;
    }
  }
  const live = new Uint32Array(n * W);
  let changed = true;
  const tmp = new Uint32Array(W);
  while (changed) {
    changed = false;
    for (let pc = n - 1; pc >= 0; pc--) {
      const insn = p.insns[pc];
      if (!insn || !facts[pc]) continue;
      const base = pc * W;
      if (all[pc]) tmp.fill(0xffffffff);
      else {
        tmp.fill(0);
        for (const s of succ[pc]!) {
          if (s < 0 || s >= n) continue;
          for (let w = 0; w < W; w++) tmp[w]! |= live[s * W + w]!;
        }
        for (let w = 0; w < W; w++) tmp[w] = use[base + w]! | (tmp[w]! & ~kill[base + w]!);
      }
      for (let w = 0; w < W; w++)
        if (tmp[w] !== live[base + w]) {
          live[base + w] = tmp[w]!;
          changed = true;
        }
    }
  }
  // pcs the forward pass never reached (unreachable code): everything live
  for (let pc = 0; pc < n; pc++) if (!facts[pc]) live.fill(0xffffffff, pc * W, pc * W + W);
  return { live, need: precisionNeeds(p, rules, facts, succ) };
}

/** Words per pc of `need`: registers r0-r10 in the first, the 64 stack slots in the next two. */
export const NEED_WORDS = 3;

/**
 * Which registers and spilled stack slots hold a scalar whose value may still matter: one
 * that may flow (through ALU operations, spills and fills) into a branch condition, pointer
 * arithmetic, a helper's size argument, a subprogram call, an atomic operation, or the value
 * an exit returns. A scalar that cannot is compared as "any scalar" when pruning (the
 * kernel's imprecise scalars, found here statically instead of by backtracking).
 */
function precisionNeeds(
  p: LinkedProgram,
  rules: ProgramRules,
  facts: (V[] | undefined)[],
  succ: number[][],
): Uint32Array {
  const n = p.insns.length;
  const W = NEED_WORDS;
  const need = new Uint32Array(n * W);
  const ALL_SLOTS = 0xffffffff;
  const tmp = new Uint32Array(W);
  const slotOf = (b: V, off: number): number => (b.n + off + STACK) >> 3;
  const setSlot = (sl: number): void => {
    if (sl >= 0 && sl < STACK / 8) tmp[1 + (sl >> 5)]! |= 1 << (sl & 31);
  };
  const hasSlot = (sl: number): boolean =>
    sl >= 0 && sl < STACK / 8 && ((tmp[1 + (sl >> 5)]! >>> (sl & 31)) & 1) !== 0;
  const clrSlot = (sl: number): void => {
    if (sl >= 0 && sl < STACK / 8) tmp[1 + (sl >> 5)]! &= ~(1 << (sl & 31));
  };
  const has = (r: number): boolean => ((tmp[0]! >>> r) & 1) !== 0;
  const add = (r: number): void => {
    tmp[0]! |= 1 << r;
  };
  const del = (r: number): void => {
    tmp[0]! &= ~(1 << r);
  };
  let changed = true;
  while (changed) {
    changed = false;
    for (let pc = n - 1; pc >= 0; pc--) {
      const insn = p.insns[pc];
      const f = facts[pc];
      if (!insn || !f) continue;
      tmp.fill(0);
      for (const s of succ[pc]!) {
        if (s < 0 || s >= n) continue;
        for (let w = 0; w < W; w++) tmp[w]! |= need[s * W + w]!;
      }
      const sem = insn.d.form.sem;
      const { dst, src, off } = insn.d.insn;
      switch (sem.kind) {
        case "alu": {
          const d = has(dst);
          const ptrArith =
            sem.width === 64 && sem.source === "X" && (sem.op === "ADD" || sem.op === "SUB");
          if (sem.op === "MOV" || sem.op === "MOVSX") del(dst);
          if (d || ptrArith) {
            if (sem.op !== "MOV" && sem.op !== "MOVSX") add(dst);
            if (sem.source === "X") add(src);
          }
          break;
        }
        case "neg":
        case "end":
        case "addr_space_cast":
          break; // dst in, dst out
        case "ld_imm64":
          del(dst);
          break;
        case "load":
        case "load_acquire": {
          const d = has(dst);
          del(dst);
          if (d) {
            const b = f[src]!;
            if (b.k === K.FP) {
              const lo = b.n + off;
              for (let sl = (lo + STACK) >> 3; sl <= (lo + sem.bytes - 1 + STACK) >> 3; sl++)
                setSlot(sl);
            } else if (b.k === K.FPR) {
              const lo = b.n + off;
              for (
                let sl = (lo + STACK) >> 3;
                sl <= (b.h! + off + sem.bytes - 1 + STACK) >> 3;
                sl++
              )
                setSlot(sl);
            } else if (b.k === K.TOP) {
              tmp[1] = ALL_SLOTS;
              tmp[2] = ALL_SLOTS;
            }
          }
          break;
        }
        case "store":
        case "store_imm":
        case "store_release": {
          const b = f[dst]!;
          if (b.k === K.FP) {
            const lo = b.n + off;
            const sl = slotOf(b, off);
            const needed = hasSlot(sl);
            if (sem.bytes === 8 && ((lo % 8) + 8) % 8 === 0) clrSlot(sl);
            if (needed && sem.kind !== "store_imm") add(src);
          } else if (b.k === K.FPR) {
            // one of these slots gets the value (none is known to be overwritten)
            let needed = false;
            const lo = b.n + off;
            for (let sl = (lo + STACK) >> 3; sl <= (b.h! + off + sem.bytes - 1 + STACK) >> 3; sl++)
              if (hasSlot(sl)) needed = true;
            if (needed && sem.kind !== "store_imm") add(src);
          } else if (b.k === K.TOP && sem.kind !== "store_imm") add(src);
          break;
        }
        case "atomic":
          add(src);
          add(0);
          tmp[1] = ALL_SLOTS;
          tmp[2] = ALL_SLOTS;
          break;
        case "jcond":
          add(dst);
          if (sem.source === "X") add(src);
          break;
        case "ja":
          break;
        case "exit":
          add(0);
          break;
        case "call": {
          for (let r = 0; r <= 5; r++) del(r);
          if (insn.kfunc !== undefined && ITER_KFUNCS.includes(insn.kfunc)) {
            // bpf_iter_num_*: r1 points to the iterator's slot, whose state (a constant
            // depth, structops.ts) must compare exactly; new()'s bounds only seed the
            // iterator (its next() returns NULL or &cur whatever they are). Nothing else
            // of the stack is read.
            const v = f[1]!;
            if (v.k === K.FP) setSlot(slotOf(v, 0));
            else {
              add(1);
              tmp[1] = ALL_SLOTS;
              tmp[2] = ALL_SLOTS;
            }
            break;
          }
          if (insn.kfunc !== undefined && rules.target.kfuncs[insn.kfunc]) {
            // the target's kfuncs (structops.ts kfuncCall) take the ctx and scalars in
            // registers and read none of the program's stack
            for (let r = 1; r <= 5; r++) add(r);
            break;
          }
          if (sem.target !== "helper") {
            for (let r = 1; r <= 5; r++) add(r);
            tmp[1] = ALL_SLOTS;
            tmp[2] = ALL_SLOTS;
            break;
          }
          const proto = rules.helper(insn.d.insn.imm);
          if (!proto) {
            for (let r = 1; r <= 5; r++) add(r);
            break;
          }
          // a map key on the stack: its value decides whether an array lookup can return
          // NULL (a constant in-range key cannot), so the key's slots must compare exactly
          for (let i = 0; i < proto.args.length; i++) {
            if (proto.args[i] !== "mapKey") continue;
            const v = f[i + 1]!;
            if (v.k === K.FP) {
              const m =
                proto.args[i - 1] === "mapPtr" && f[i]!.k === K.MAP ? p.maps[f[i]!.n] : undefined;
              const size = m ? m.keySize : 8;
              for (let o = v.n & ~7; o < v.n + size; o += 8) setSlot((o + STACK) >> 3);
            } else if (v.k === K.TOP || v.k === K.FPR) {
              tmp[1] = ALL_SLOTS;
              tmp[2] = ALL_SLOTS;
            }
          }
          for (let i = 0; i < proto.args.length; i++) {
            const kind = proto.args[i];
            if (
              kind === "constSize" ||
              kind === "constSizeOrZero" ||
              kind === "ctx" ||
              kind === "mapPtr"
            )
              add(i + 1);
          }
          break;
        }
        default:
          tmp[0] = 0x7ff;
          tmp[1] = ALL_SLOTS;
          tmp[2] = ALL_SLOTS;
      }
      tmp[0]! |= 1 << 10;
      for (let w = 0; w < W; w++)
        if (tmp[w] !== need[pc * W + w]) {
          need[pc * W + w] = tmp[w]!;
          changed = true;
        }
    }
  }
  for (let pc = 0; pc < n; pc++) if (!facts[pc]) need.fill(0xffffffff, pc * W, pc * W + W);
  return need;
}
