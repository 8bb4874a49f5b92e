// From the lowering's item list to final instructions: the -O2 peephole passes (register
// coalescing, hoisting out of branch successors, redundant address loads, cross-jumping, jump
// threading, branch inversion over a jump, jumps to the next instruction, unreachable code,
// self-moves, block placement; docs/compile.md), then label resolution into 16-bit slot
// offsets, relocations and line info.
import type { Instruction } from "../isa/index.js";
import { AluOp, Class, JmpOp, Source, instructionSize } from "../isa/index.js";
import {
  type InsnItem,
  type Item,
  type LineItem,
  NEGATE,
  isCondJump,
  ja,
  jmpName,
  withJmpOp,
} from "./insns.js";

export interface LaidOut {
  insns: Instruction[];
  /** Byte offset of each instruction in the section. */
  offsets: number[];
  /** ld_imm64 relocations: byte offset → symbol. */
  relocs: { offset: number; symbol: string }[];
  /** Source line of instructions (byte offset), first at 0. */
  lines: { offset: number; line: number; col: number }[];
  /** Label id → byte offset, for the assembly text. */
  labelAt: Map<number, number>;
  /** Instruction index → label id it jumps to. */
  branchTargets: Map<number, number>;
}

/** `rX = rX` (64-bit, not movsx: off selects sign extension). mov32 zero-extends, so it stays. */
const isMovSelf = (i: Instruction): boolean =>
  i.opcode === (Class.ALU64 | Source.X | AluOp.MOV) && i.dst === i.src && i.off === 0;

// ---- register reads/writes, for the coalescing pass ------------------------------------

const CLS = (i: Instruction): number => i.opcode & 0x07;
const isAlu = (i: Instruction): boolean => CLS(i) === Class.ALU || CLS(i) === Class.ALU64;
const isMov = (i: Instruction): boolean => isAlu(i) && (i.opcode & 0xf0) === AluOp.MOV;
const srcX = (i: Instruction): boolean => (i.opcode & Source.X) !== 0;
const isCall = (i: Instruction): boolean => i.opcode === (Class.JMP | 0x80);
const isLdImm64 = (i: Instruction): boolean => i.opcode === 0x18;

// The registers an instruction reads and writes, as bit masks (bit r: register r): tested
// without allocating an array per instruction and query.
const ALL_REGS = 0x7ff;
const CALL_READS = 0b111110; // r1–r5
const CALL_WRITES = 0b111111; // r0–r5
// Opcode fields as plain numbers, read once: these run for every instruction of every pass,
// mostly before V8 optimises them, where each helper call or property load counts.
const C_LDX = Class.LDX;
const C_ST = Class.ST;
const C_STX = Class.STX;
const C_ALU = Class.ALU;
const C_ALU64 = Class.ALU64;
const C_JMP = Class.JMP;
const C_JMP32 = Class.JMP32;
const SRC_X = Source.X;
const OP_MOV = AluOp.MOV;
const OP_END = AluOp.END;
const OP_NEG = AluOp.NEG;
const OPC_CALL = Class.JMP | 0x80;
const OPC_EXIT = Class.JMP | JmpOp.EXIT;
const OPC_JA = Class.JMP | JmpOp.JA;
const OPC_LD_IMM64 = 0x18;
function readMask(i: Instruction): number {
  const o = i.opcode;
  if (o === OPC_LD_IMM64) return 0;
  const c = o & 0x07;
  const x = (o & SRC_X) !== 0;
  if (c === C_ALU || c === C_ALU64) {
    const op = o & 0xf0;
    if (op === OP_END || op === OP_NEG) return 1 << i.dst;
    if (op === OP_MOV) return x ? 1 << i.src : 0;
    return x ? (1 << i.dst) | (1 << i.src) : 1 << i.dst;
  }
  switch (c) {
    case C_LDX:
      return 1 << i.src;
    case C_STX:
      return (1 << i.dst) | (1 << i.src);
    case C_ST:
      return 1 << i.dst;
    case C_JMP:
    case C_JMP32:
      if (o === OPC_CALL) return CALL_READS;
      if (o === OPC_EXIT) return 1;
      if (o === OPC_JA) return 0;
      return x ? (1 << i.dst) | (1 << i.src) : 1 << i.dst;
  }
  return ALL_REGS;
}
function writeMask(i: Instruction): number {
  const o = i.opcode;
  const c = o & 0x07;
  if (o === OPC_LD_IMM64 || c === C_ALU || c === C_ALU64 || c === C_LDX) return 1 << i.dst;
  if (o === OPC_CALL) return CALL_WRITES;
  return 0;
}
/** Exactly one register in the mask. */
const isOneReg = (m: number): boolean => m !== 0 && (m & (m - 1)) === 0;
const has = (mask: number, reg: number): boolean => ((mask >>> reg) & 1) !== 0;

/**
 * Whether `reg` is written before it is read on every path from `from` (following jumps,
 * up to a small budget; anything unclear counts as a read). `exit` reads r0 only.
 */
function deadAfter(items: Item[], from: number, reg: number, labels: LabelIndex): boolean {
  let budget = 64;
  const seen = new Set<number>();
  const walk = (start: number): boolean => {
    if (seen.has(start)) return true; // already being checked on another path
    seen.add(start);
    for (let k = start; k < items.length; k++) {
      if (--budget < 0) return false;
      const x = items[k]!;
      if (x.k !== "insn") continue;
      if (has(readMask(x.insn), reg)) return false;
      if (has(writeMask(x.insn), reg)) return true;
      if (x.insn.opcode === OPC_EXIT) return true;
      if (x.target !== undefined) {
        const t = labelNear(items, x.target, k, labels);
        if (t === undefined || !walk(t)) return false;
        if (x.insn.opcode === OPC_JA) return true;
      }
    }
    return false;
  };
  return walk(from);
}

/** Labels further than this from a jump are not looked for by deadAfter (it then answers "not dead"). */
const LABEL_WINDOW = 4096;

/**
 * Label id → its item index (-1: the id occurs more than once), built once per pass over a
 * list whose labels do not move during that pass (coalesce and hoistCommon edit instructions
 * only, or after their last query). A map per deadAfter query made the optimizer quadratic
 * in the program's length (issue 16); a scan per query was most of its time on short ones.
 */
type LabelIndex = Map<number, number>;
function indexLabels(items: Item[]): LabelIndex {
  const at: LabelIndex = new Map();
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    if (it.k === "label") at.set(it.id, at.has(it.id) ? -1 : i);
  }
  return at;
}

/** The index of label `id` within LABEL_WINDOW items of `near`, or undefined. */
function labelNear(
  items: Item[],
  id: number,
  near: number,
  labels: LabelIndex,
): number | undefined {
  const at = labels.get(id);
  if (at === undefined) return undefined;
  if (at >= 0) return at !== near && Math.abs(at - near) <= LABEL_WINDOW ? at : undefined;
  // A label placed twice (not made by the passes; kept exact): the nearest within the window.
  for (let d = 1; d <= LABEL_WINDOW; d++) {
    const a = items[near + d];
    if (a?.k === "label" && a.id === id) return near + d;
    const b = items[near - d];
    if (b?.k === "label" && b.id === id) return near - d;
    if (a === undefined && b === undefined) break;
  }
  return undefined;
}

/** Placeholder for an item a pass removed (a line item: every pass skips it); compacted after. */
const REMOVED: LineItem = { k: "line", line: -1, col: -1 };

function compact(items: Item[]): void {
  let w = 0;
  for (let r = 0; r < items.length; r++) if (items[r] !== REMOVED) items[w++] = items[r]!;
  items.length = w;
}

/**
 * `rT = …; (rT op= …)*; rH = rT` with rT dead afterwards and rH untouched in between becomes
 * the same chain computing into rH directly (temporaries feeding a home or a helper argument).
 */
function coalesce(items: Item[]): boolean {
  let changed = false;
  const labels = indexLabels(items);
  for (let j = 0; j < items.length; j++) {
    const mv = items[j]!;
    if (
      mv.k !== "insn" ||
      !isMov(mv.insn) ||
      !srcX(mv.insn) ||
      CLS(mv.insn) !== Class.ALU64 ||
      mv.insn.off !== 0
    )
      continue;
    const rT = mv.insn.src;
    const rH = mv.insn.dst;
    if (rT === rH || rT === 10 || rH === 10) continue;
    // rT must be dead after the move: no path reads it before writing it.
    const dead = deadAfter(items, j + 1, rT, labels);
    if (!dead) continue;
    // Walk back over the chain that computes rT.
    const chain: number[] = [];
    let ok = false;
    for (let k = j - 1; k >= 0; k--) {
      const x = items[k]!;
      if (x.k === "label") break;
      if (x.k !== "insn") continue;
      const r = readMask(x.insn);
      const w = writeMask(x.insn);
      if (x.target !== undefined || isCall(x.insn)) break;
      // `rT = rH; rT op= …; rH = rT` → `rH op= …`: the copy becomes a self-move.
      const copyOfH =
        isMov(x.insn) &&
        srcX(x.insn) &&
        x.insn.src === rH &&
        x.insn.dst === rT &&
        CLS(x.insn) === Class.ALU64;
      if (copyOfH) {
        chain.push(k);
        ok = true;
        break;
      }
      if (has(r, rH) || has(w, rH)) break;
      if (has(w, rT)) {
        chain.push(k);
        const pure = !has(r, rT);
        if (pure) {
          ok = true;
          break;
        }
        continue; // read-modify-write of rT: renamed along with the rest of the chain
      }
      if (has(r, rT)) break; // another reader of the temporary
    }
    if (!ok) continue;
    for (const k of chain) {
      const x = items[k] as InsnItem;
      const src = x.insn.src === rT && has(readMask(x.insn), rT) ? rH : x.insn.src;
      items[k] = { ...x, insn: { ...x.insn, dst: rH, src } };
    }
    // removed in place and compacted once: a splice per move was quadratic
    items[j] = REMOVED;
    changed = true;
  }
  if (changed) compact(items);
  return changed;
}

const sameInsn = (a: InsnItem, b: InsnItem): boolean =>
  a.insn.opcode === b.insn.opcode &&
  a.insn.dst === b.insn.dst &&
  a.insn.src === b.insn.src &&
  a.insn.off === b.insn.off &&
  a.insn.imm === b.insn.imm &&
  a.insn.imm64 === b.insn.imm64 &&
  a.target === b.target &&
  a.sym === b.sym;

/**
 * Cross-jumping: two paths that end with the same instructions before reaching the same
 * label share one copy; the other path jumps into it. The result is that of merging one pair
 * per call, each call scanning afresh from the first label (the order decides the output);
 * rescanning after every merge was quadratic in long programs (issue 16), so a call goes on
 * through the later labels while it can prove a fresh scan would find the same next merge,
 * and applies its merges in one pass at the end. Returns the merges made (at most `budget`)
 * and whether another call might find more.
 */
function tailMerge(
  items: Item[],
  nextLabel: () => number,
  budget: number,
): { merges: number; more: boolean } {
  // Tails: index just past the shared suffix's end, for each way of reaching label L.
  // (`lists`: the map's values in insertion order, walked by index: for-of allocates an
  // iterator result per step in code that has not been optimised yet, as at start-up.)
  type Tail = { end: number; jaAt?: number };
  const tails = new Map<number, Tail[]>();
  const lists: Tail[][] = [];
  const tailsOf = (label: number): Tail[] => {
    let l = tails.get(label);
    if (l === undefined) {
      l = [];
      tails.set(label, l);
      lists.push(l);
    }
    return l;
  };
  optimizerWork.itemsScanned += items.length;
  optimizerWork.tailMergeScans++;
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    if (it.k === "insn" && it.insn.opcode === OPC_JA && it.target !== undefined) {
      tailsOf(it.target).push({ end: i, jaAt: i });
    } else if (it.k === "label") {
      // Fall-through into the label from the previous instruction.
      let j = i - 1;
      while (j >= 0 && items[j]!.k !== "insn") {
        if (items[j]!.k === "label") break;
        j--;
      }
      const prev = items[j];
      if (prev && prev.k === "insn" && prev.insn.opcode !== OPC_JA && prev.insn.opcode !== OPC_EXIT)
        tailsOf(it.id).push({ end: i });
    }
  }
  // Merges are recorded against the unchanged list and applied at the end. A later label's
  // answer is the one a fresh scan would give only if no merge changed an item it reads
  // (`dirty`), and earlier labels stay unmergeable only if no merge changed an item they
  // read (`touched`); a group that merged keeps no pair only if it had two tails. Where
  // that cannot be shown, the call ends and the next one scans afresh.
  const touched = new Uint8Array(items.length + 1);
  const dirty = new Uint8Array(items.length + 1);
  const anyIn = (marks: Uint8Array, lo: number, hi: number): boolean => {
    for (let i = Math.max(0, lo); i <= hi; i++) if (marks[i]) return true;
    return false;
  };
  const labelBefore = new Map<number, number>(); // item index → label inserted before it
  const replaced = new Map<number, { last: number; item: Item }>(); // first index → range
  const finish = (more: boolean): { merges: number; more: boolean } => {
    if (replaced.size > 0) {
      const out: Item[] = [];
      for (let i = 0; i < items.length; i++) {
        const lab = labelBefore.get(i);
        if (lab !== undefined) out.push({ k: "label", id: lab });
        const r = replaced.get(i);
        if (r) {
          out.push(r.item);
          i = r.last;
        } else out.push(items[i]!);
      }
      items.length = 0;
      for (const x of out) items.push(x);
    }
    return { merges: replaced.size, more };
  };
  let low = 0; // the lowest index the current walk has read
  const prevInsn = (from: number): number => {
    let j = from - 1;
    while (j >= 0 && items[j]!.k === "line") j--;
    low = Math.min(low, Math.max(j, 0));
    return j;
  };
  for (let li = 0; li < lists.length; li++) {
    const list = lists[li]!;
    const reads: [number, number][] = [];
    let merged = false;
    pairs: for (let bi = 0; bi < list.length; bi++) {
      const b = list[bi]!;
      const bJa = b.jaAt;
      if (bJa === undefined) continue;
      for (let ai = 0; ai < list.length; ai++) {
        const a = list[ai]!;
        if (a === b) continue;
        const aEnd = a.jaAt ?? a.end;
        low = aEnd;
        let pa = prevInsn(aEnd);
        let lowA = low;
        low = bJa;
        let pb = prevInsn(bJa);
        let lowB = low;
        let k = 0;
        let startA = -1;
        while (pa >= 0 && pb >= 0 && pa !== pb) {
          const x = items[pa]!;
          const y = items[pb]!;
          if (x.k !== "insn" || y.k !== "insn" || !sameInsn(x, y)) break;
          if (x.insn.opcode === OPC_JA || x.insn.opcode === OPC_EXIT) break;
          k++;
          startA = pa;
          low = lowA;
          const na = prevInsn(pa);
          lowA = low;
          low = lowB;
          const nb = prevInsn(pb);
          lowB = low;
          // Stop where B's suffix would begin at a label (other paths enter there).
          if (nb >= 0 && items[nb]!.k === "label") break;
          pa = na;
          pb = nb;
        }
        // The pair read a walk back from each tail: valid only where no merge changed items.
        if (anyIn(dirty, lowA, aEnd) || anyIn(dirty, lowB, bJa)) return finish(true);
        reads.push([lowA, aEnd], [lowB, bJa]);
        if (k < 1 || startA < 0) continue;
        // B's suffix: the k instructions before its ja (skipping lines).
        let cut = bJa;
        let n = 0;
        while (n < k) {
          cut--;
          if (items[cut]!.k === "insn") n++;
          else if (items[cut]!.k === "label") return finish(false);
        }
        // Ranges must not overlap.
        if (!(bJa < startA || cut > aEnd)) continue;
        const m = nextLabel();
        const jaItem = items[bJa] as InsnItem;
        labelBefore.set(startA, m);
        replaced.set(cut, { last: bJa, item: { k: "insn", insn: jaItem.insn, target: m } });
        const clash =
          anyIn(touched, cut, bJa) || anyIn(touched, startA - 1, startA) || list.length > 2;
        for (let i = cut; i <= bJa; i++) dirty[i] = 1;
        dirty[startA] = 1;
        if (startA > 0) dirty[startA - 1] = 1;
        if (clash || replaced.size >= budget) return finish(true);
        // Two tails, one merged away: a fresh scan finds no pair in this label. The new label
        // M's pair (A before M, B's `goto M`) fails where this pair's walk stopped, while no
        // later merge changes what the walk read.
        for (let i = Math.max(0, lowA); i <= aEnd; i++) touched[i] = 1;
        for (let i = Math.max(0, lowB); i <= bJa; i++) touched[i] = 1;
        merged = true;
        break pairs;
      }
    }
    if (!merged)
      for (const [lo, hi] of reads) for (let i = Math.max(0, lo); i <= hi; i++) touched[i] = 1;
  }
  return finish(replaced.size > 0);
}

/**
 * Within straight-line code: a second `rX = sym ll` while rX still holds that address is
 * dropped, and `*(u64 *)(rA + k) = rB; rB = *(u64 *)(rA + k)` drops the reload.
 */
function redundantLoads(items: Item[]): boolean {
  let changed = false;
  // Register → the `sym+offset` address it holds (registers are 0–15: a small array).
  const holds: (string | undefined)[] = new Array<string | undefined>(16).fill(undefined);
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    if (it.k === "label") {
      holds.fill(undefined);
      continue;
    }
    if (it.k !== "insn") continue;
    const insn = it.insn;
    if (isLdImm64(insn) && it.sym !== undefined) {
      const key = `${it.sym}+${insn.imm64 ?? insn.imm}`;
      if (holds[insn.dst] === key) {
        items[i] = REMOVED; // compacted once at the end: a splice per load was quadratic
        changed = true;
        continue;
      }
      holds[insn.dst] = key;
      continue;
    }
    for (let w = writeMask(insn), r = 0; w !== 0; w >>>= 1, r++) if (w & 1) holds[r] = undefined;
    if (it.target !== undefined || insn.opcode === OPC_JA) holds.fill(undefined);
    // store then reload of the same 8 bytes into the stored register
    if (insn.opcode === (Class.STX | 0x60 | 0x18)) {
      let j = i + 1;
      while (j < items.length && items[j]!.k === "line") j++;
      const nx = items[j];
      if (
        nx &&
        nx.k === "insn" &&
        nx.insn.opcode === (Class.LDX | 0x60 | 0x18) &&
        nx.insn.dst === insn.src &&
        nx.insn.src === insn.dst &&
        nx.insn.off === insn.off &&
        insn.src !== insn.dst
      ) {
        items[j] = REMOVED;
        changed = true;
      }
    }
  }
  if (changed) compact(items);
  return changed;
}

/**
 * Block placement: a block at label L that nothing falls into moves, with L, to where a
 * `goto L` is, replacing that goto (other branches to L follow the label). Done when it saves
 * the jump: the block ends with a jump/exit of its own, or it falls into a label M and the
 * instruction before it is the `goto M` that then becomes a jump to the next instruction.
 * One move per call.
 */
function moveBlocks(items: Item[]): boolean {
  optimizerWork.itemsScanned += items.length;
  const refs = new Map<number, number[]>();
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    if (it.k !== "insn" || it.target === undefined) continue;
    const r = refs.get(it.target);
    if (r) r.push(i);
    else refs.set(it.target, [i]);
  }
  const prevInsn = (from: number): InsnItem | undefined => {
    for (let j = from - 1; j >= 0; j--) {
      const x = items[j]!;
      if (x.k === "insn") return x;
    }
    return undefined;
  };
  for (let l = 0; l < items.length; l++) {
    const lab = items[l]!;
    if (lab.k !== "label") continue;
    const r = refs.get(lab.id);
    if (!r) continue;
    // Nothing falls into L (labels directly before it would be entered by falling through).
    let k = l - 1;
    while (k >= 0 && items[k]!.k === "line") k--;
    if (k >= 0 && items[k]!.k === "label") continue;
    const before = prevInsn(l);
    if (!before || !(before.insn.opcode === OPC_JA || before.insn.opcode === OPC_EXIT)) continue;
    // The block: up to and including a ja/exit, or up to the next label.
    let end = l + 1;
    let endsInJump = false;
    for (; end < items.length; end++) {
      const x = items[end]!;
      if (x.k === "label") break;
      if (x.k === "insn" && (x.insn.opcode === OPC_JA || x.insn.opcode === OPC_EXIT)) {
        endsInJump = true;
        end++;
        break;
      }
    }
    const jAt = r.find((i) => (items[i] as InsnItem).insn.opcode === OPC_JA && (i < l || i >= end));
    if (jAt === undefined) continue;
    // The label moves along when other branches still reach it.
    const body = items.slice(r.length > 1 ? l : l + 1, end);
    if (!body.some((x) => x.k === "insn")) continue;
    let moved: Item[];
    if (endsInJump) moved = body;
    else {
      const next = items[end];
      if (!next || next.k !== "label" || before.insn.opcode !== OPC_JA || before.target !== next.id)
        continue;
      moved = [...body, { k: "insn", insn: before.insn, target: next.id }];
    }
    // Remove the block with its label (it has no other use), then put it in place of the
    // goto. Edit the later range first.
    const removeBlock = (): void => {
      items.splice(l, end - l);
    };
    const replaceJ = (): void => {
      items.splice(jAt, 1, ...moved);
    };
    if (jAt > l) {
      replaceJ();
      removeBlock();
    } else {
      removeBlock();
      replaceJ();
    }
    // The `goto M` before the old place is now a jump to the next instruction: removed later.
    return true;
  }
  return false;
}

/**
 * Hoisting: when both successors of a conditional branch begin with the same instruction
 * (the target label has no other way in), it runs once before the branch, provided it does
 * not write a register the branch reads. One hoist per call.
 */
function hoistCommon(items: Item[]): boolean {
  optimizerWork.itemsScanned += items.length;
  const refs = new Map<number, number>();
  const labelIdx = new Map<number, number>();
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    if (it.k === "insn" && it.target !== undefined)
      refs.set(it.target, (refs.get(it.target) ?? 0) + 1);
    else if (it.k === "label") labelIdx.set(it.id, i);
  }
  // For deadAfter, whose queries all come before this call's one edit; built when first needed.
  let labels: LabelIndex | undefined;
  const dead = (from: number, reg: number): boolean =>
    deadAfter(items, from, reg, (labels ??= indexLabels(items)));
  /** The first instruction from `i` on, skipping lines; undefined at a label or the end. */
  const firstInsn = (i: number): number | undefined => {
    for (let j = i; j < items.length; j++) {
      const x = items[j]!;
      if (x.k === "label") return undefined;
      if (x.k === "insn") return j;
    }
    return undefined;
  };
  for (let b = 0; b < items.length; b++) {
    const br = items[b]!;
    if (br.k !== "insn" || br.target === undefined || !isCondJump(br.insn)) continue;
    if (refs.get(br.target) !== 1) continue;
    const l = labelIdx.get(br.target);
    if (l === undefined || l <= b) continue; // forward branches only
    // Nothing falls into L.
    let k = l - 1;
    while (k >= 0 && items[k]!.k === "line") k--;
    const prev = items[k];
    if (
      !prev ||
      prev.k !== "insn" ||
      !(prev.insn.opcode === OPC_JA || prev.insn.opcode === OPC_EXIT)
    )
      continue;
    const f = firstInsn(b + 1);
    const t = firstInsn(l + 1);
    if (f === undefined || t === undefined || f >= l) continue;
    const a = items[f] as InsnItem;
    const c = items[t] as InsnItem;
    if (
      a.target !== undefined ||
      a.insn.opcode === OPC_JA ||
      a.insn.opcode === OPC_EXIT ||
      isCall(a.insn)
    )
      continue;
    if ((writeMask(a.insn) & readMask(br.insn)) !== 0) continue;
    if (sameInsn(a, c)) {
      items.splice(t, 1);
      items.splice(f, 1);
      items.splice(b, 0, a);
      return true;
    }
    // The same value into different registers (`rA = X` / `rB = X`): hoist `rA = X` and
    // rename rB to rA in the target block for as long as rB holds that value.
    const rA = a.insn.dst;
    const rB = c.insn.dst;
    const pureDef = (x: InsnItem): boolean =>
      isOneReg(writeMask(x.insn)) && !has(readMask(x.insn), x.insn.dst);
    if (rA === rB || rA === 10 || rB === 10 || !pureDef(a) || !pureDef(c)) continue;
    if (!sameInsn(a, { ...c, insn: { ...c.insn, dst: rA } })) continue;
    if (!dead(t + 1, rA)) continue; // rA's old value is not needed on the target path
    const renames: number[] = [];
    let ok = false;
    let aClobbered = false;
    for (let j = t + 1; j < items.length; j++) {
      const x = items[j]!;
      if (x.k === "line") continue;
      if (x.k === "label") {
        ok = dead(j, rB);
        break;
      }
      const r = readMask(x.insn);
      const w = writeMask(x.insn);
      if (
        x.target !== undefined ||
        x.insn.opcode === OPC_JA ||
        x.insn.opcode === OPC_EXIT ||
        isCall(x.insn)
      ) {
        ok = !has(r, rB) && dead(j, rB);
        break;
      }
      if (has(r, rB)) {
        if (aClobbered || has(r, rA)) break;
        renames.push(j);
        if (has(w, rA)) aClobbered = true;
        continue;
      }
      if (has(w, rB)) {
        ok = true; // redefined: the value's range ends
        break;
      }
      if (has(w, rA)) aClobbered = true;
    }
    if (!ok) continue;
    for (const j of renames) {
      const x = items[j] as InsnItem;
      items[j] = {
        ...x,
        insn: {
          ...x.insn,
          dst: x.insn.dst === rB ? rA : x.insn.dst,
          src: x.insn.src === rB && has(readMask(x.insn), rB) ? rA : x.insn.src,
        },
      };
    }
    items.splice(t, 1);
    items.splice(f, 1);
    items.splice(b, 0, a);
    return true;
  }
  return false;
}

/**
 * Work counters since the process started, for the scaling tests (issue 16): items the
 * optimizer's whole-list passes scanned, rounds, and full scans by cross-jumping — measures
 * independent of the machine's load.
 */
export const optimizerWork = { itemsScanned: 0, rounds: 0, tailMergeScans: 0 };

/** Peephole passes until nothing changes. */
export function optimize(items: Item[]): Item[] {
  let cur = [...items];
  for (let round = 0; round < 60; round++) {
    const before = cur.length;
    optimizerWork.itemsScanned += cur.length; // this round's linear passes
    optimizerWork.rounds++;
    let changed = coalesce(cur);
    for (let m = 0; m < 50 && hoistCommon(cur); m++) changed = true;
    if (redundantLoads(cur)) changed = true;
    let maxLabel = 0;
    for (let i = 0; i < cur.length; i++) {
      const it = cur[i]!;
      if (it.k === "label") maxLabel = Math.max(maxLabel, it.id);
      else if (it.k === "insn" && it.target !== undefined) maxLabel = Math.max(maxLabel, it.target);
    }
    for (let m = 0; m < 50;) {
      const r = tailMerge(cur, () => ++maxLabel, 50 - m);
      if (r.merges > 0) changed = true;
      m += r.merges;
      if (!r.more) break;
    }
    // Label → the first instruction after it (skipping labels/lines); positions indexed once
    // per round rather than searched per jump.
    const labelAt = new Map<number, number>();
    for (let i = 0; i < cur.length; i++) {
      const x = cur[i]!;
      if (x.k === "label") labelAt.set(x.id, i);
    }
    const firstInsnAfter = (list: Item[], label: number): InsnItem | undefined => {
      const i = labelAt.get(label) ?? -1;
      for (let j = i + 1; j < list.length; j++) {
        const x = list[j]!;
        if (x.k === "insn") return x;
      }
      return undefined;
    };
    // Jump threading: a jump to an unconditional jump goes to its target.
    for (let i = 0; i < cur.length; i++) {
      const it = cur[i]!;
      if (it.k !== "insn" || it.target === undefined) continue;
      let seen: Set<number> | undefined; // made when the first jump is followed
      let t = it.target;
      for (;;) {
        if (seen?.has(t)) break;
        const nxt = firstInsnAfter(cur, t);
        if (nxt && nxt.insn.opcode === OPC_JA && nxt.target !== undefined && nxt.target !== t) {
          (seen ??= new Set<number>()).add(t);
          t = nxt.target;
        } else break;
      }
      if (t !== it.target) {
        it.target = t;
        changed = true;
      }
      // An unconditional jump to an exit sequence `r0 = 0; exit` stays (copying it is not smaller).
    }
    const out: Item[] = [];
    for (let i = 0; i < cur.length; i++) {
      const it = cur[i]!;
      if (it.k === "insn" && isMovSelf(it.insn)) {
        changed = true;
        continue;
      }
      if (it.k === "insn" && it.target !== undefined) {
        // Is the target the next instruction (only labels/lines between)?
        let j = i + 1;
        let reachesTarget = false;
        while (j < cur.length && cur[j]!.k !== "insn") {
          const x = cur[j]!;
          if (x.k === "label" && x.id === it.target) reachesTarget = true;
          j++;
        }
        if (reachesTarget) {
          changed = true;
          continue;
        }
        // if c goto A; goto B; A:  →  if !c goto B; A:
        if (isCondJump(it.insn) && j < cur.length) {
          const nx = cur[j] as InsnItem;
          if (nx.insn.opcode === OPC_JA && nx.target !== undefined) {
            let k = j + 1;
            let landsA = false;
            while (k < cur.length && cur[k]!.k !== "insn") {
              const x = cur[k]!;
              if (x.k === "label" && x.id === it.target) landsA = true;
              k++;
            }
            const name = jmpName(it.insn);
            const neg = name ? NEGATE[name] : undefined;
            if (landsA && neg) {
              out.push({ k: "insn", insn: withJmpOp(it.insn, neg), target: nx.target });
              // keep the lines/labels between, drop the ja
              for (let m = i + 1; m < j; m++) out.push(cur[m]!);
              i = j;
              changed = true;
              continue;
            }
          }
        }
      }
      out.push(it);
    }
    // Unreachable code: after ja/exit until the next referenced label.
    const referenced = new Set<number>();
    for (let i = 0; i < out.length; i++) {
      const it = out[i]!;
      if (it.k === "insn" && it.target !== undefined) referenced.add(it.target);
    }
    const out2: Item[] = [];
    let dead = false;
    for (let i = 0; i < out.length; i++) {
      const it = out[i]!;
      if (it.k === "label") {
        if (!referenced.has(it.id)) {
          changed = changed || false;
          continue;
        }
        dead = false;
        out2.push(it);
        continue;
      }
      if (dead) {
        if (it.k === "insn") changed = true;
        continue;
      }
      out2.push(it);
      if (it.k === "insn" && (it.insn.opcode === OPC_JA || it.insn.opcode === OPC_EXIT))
        dead = true;
    }
    cur = out2;
    if (!changed && cur.length === before) {
      // Block placement last, once the other passes are done, one move per round (the jump
      // a move makes redundant is removed in the next).
      if (moveBlocks(cur)) continue;
      break;
    }
  }
  return cur;
}

/**
 * Drops instructions no path reaches (after ja/exit up to the next referenced label): the
 * kernel rejects unreachable instructions, so this runs at -O0 too.
 */
export function removeUnreachable(items: Item[]): Item[] {
  const referenced = new Set<number>();
  for (const it of items) if (it.k === "insn" && it.target !== undefined) referenced.add(it.target);
  const out: Item[] = [];
  let dead = false;
  for (const it of items) {
    if (it.k === "label") {
      if (referenced.has(it.id)) dead = false;
      out.push(it);
      continue;
    }
    if (dead && it.k === "insn") continue;
    out.push(it);
    if (it.k === "insn" && (it.insn.opcode === OPC_JA || it.insn.opcode === OPC_EXIT)) dead = true;
  }
  // Removing code can unreference labels; iterate to a fixed point.
  return out.length === items.length ? out : removeUnreachable(out);
}

/** Conditional-jump reach: a signed 16-bit slot offset. */
const OFF_MIN = -32768;
const OFF_MAX = 32767;

/**
 * Branch relaxation (issues 13, 16): which jumps cannot reach their label with a 16-bit
 * offset. An out-of-range `if c goto L` becomes `if !c goto +1; gotol L` (JSET, which has no
 * inverse: `if c goto +1; goto +1; gotol L`) and an out-of-range `goto L` becomes `gotol L`
 * (BPF_JMP32|BPF_JA, 32-bit slot offset in imm; cpu v4). Growing one jump can push others
 * out of range, so this iterates until no new jump needs the long form (the set only grows,
 * so it ends). Returns the item indices of the long jumps with the extra slots each takes,
 * or the first jump that does not fit when `gotol` is unavailable (cpu below v4).
 */
function relax(
  items: Item[],
  cpu: number,
): { long: Map<number, number> } | { tooFar: number; off: number } {
  const long = new Map<number, number>(); // item index → extra slots before the gotol
  const slotOf = new Map<number, number>();
  for (;;) {
    slotOf.clear();
    let slot = 0;
    for (let i = 0; i < items.length; i++) {
      const it = items[i]!;
      if (it.k === "label") slotOf.set(it.id, slot);
      else if (it.k === "insn") slot += instructionSize(it.insn) / 8 + (long.get(i) ?? 0);
    }
    let grew = false;
    slot = 0;
    for (let i = 0; i < items.length; i++) {
      const it = items[i]!;
      if (it.k !== "insn") continue;
      if (it.target !== undefined && !long.has(i)) {
        const t = slotOf.get(it.target);
        const off = t === undefined ? 0 : t - (slot + 1);
        if (off < OFF_MIN || off > OFF_MAX) {
          const cond = isCondJump(it.insn);
          const name = cond ? jmpName(it.insn) : undefined;
          const invertible = name !== undefined && NEGATE[name] !== undefined;
          if (cpu < 4 || !(it.insn.opcode === OPC_JA || cond)) return { tooFar: i, off };
          long.set(i, it.insn.opcode === OPC_JA ? 0 : invertible ? 1 : 2);
          grew = true;
        }
      }
      slot += instructionSize(it.insn) / 8 + (long.get(i) ?? 0);
    }
    if (!grew) return { long };
  }
}

/** How far (slots) an island goes from the jump it serves: below OFF_MAX, leaving room for growth. */
const ISLAND_REACH = 30000;

/**
 * Trampolines for cpu below v4, where no jump reaches further than 16 bits: an out-of-range
 * jump to L instead goes to an island `I: goto L` placed within reach on the way to L (after
 * a goto/exit when one is near enough, else wrapped as `goto +1; I: goto L`); the island's own
 * goto may need another island, so this repeats until every jump fits. Jumps to L reuse an
 * island of L that is in reach. Returns the items unchanged when every jump fits.
 */
function placeIslands(items: Item[]): Item[] {
  let cur = items;
  let nextLabel = 0;
  for (const it of cur) {
    if (it.k === "label") nextLabel = Math.max(nextLabel, it.id + 1);
    else if (it.k === "insn" && it.target !== undefined)
      nextLabel = Math.max(nextLabel, it.target + 1);
  }
  const islandsOf = new Map<number, number[]>(); // target label → island labels
  for (let pass = 0; pass < 1000; pass++) {
    const slotAt: number[] = new Array(cur.length);
    const slotOf = new Map<number, number>();
    let slot = 0;
    for (let i = 0; i < cur.length; i++) {
      const it = cur[i]!;
      slotAt[i] = slot;
      if (it.k === "label") slotOf.set(it.id, slot);
      else if (it.k === "insn") slot += instructionSize(it.insn) / 8;
    }
    const inserts: { at: number; items: Item[] }[] = [];
    let changed = false;
    const reaches = (from: number, to: number): boolean =>
      to - (from + 1) >= OFF_MIN && to - (from + 1) <= OFF_MAX;
    for (let i = 0; i < cur.length; i++) {
      const it = cur[i]!;
      if (it.k !== "insn" || it.target === undefined) continue;
      const t = slotOf.get(it.target);
      if (t === undefined || reaches(slotAt[i]!, t)) continue;
      if (!(it.insn.opcode === OPC_JA || isCondJump(it.insn))) continue; // reported by relax
      const L = it.target;
      const known = (islandsOf.get(L) ?? []).find((I) => {
        const s = slotOf.get(I);
        return (
          s !== undefined && reaches(slotAt[i]!, s) && Math.abs(t - s) < Math.abs(t - slotAt[i]!)
        );
      });
      if (cur === items) cur = [...items];
      changed = true;
      if (known !== undefined) {
        cur[i] = { ...it, target: known };
        continue;
      }
      // Where the island goes: the furthest item boundary within reach towards L, preferring
      // a boundary no instruction falls through (after a goto/exit) in the far half.
      const dir = t > slotAt[i]! ? 1 : -1;
      let far = -1;
      let gap = -1;
      for (let p = dir > 0 ? i + 1 : i; p >= 0 && p < cur.length; p += dir) {
        if (Math.abs(slotAt[p]! - slotAt[i]!) > ISLAND_REACH) break;
        far = p;
        if (Math.abs(slotAt[p]! - slotAt[i]!) < ISLAND_REACH / 2) continue;
        let q = p - 1;
        while (q >= 0 && cur[q]!.k !== "insn") q--;
        const prev = cur[q];
        if (prev?.k === "insn" && (prev.insn.opcode === OPC_JA || prev.insn.opcode === OPC_EXIT))
          gap = p;
      }
      if (far < 0) continue; // cannot happen: the target is further than the reach
      const I = nextLabel++;
      islandsOf.set(L, [...(islandsOf.get(L) ?? []), I]);
      const island: Item[] = [
        { k: "label", id: I },
        { k: "insn", insn: ja(), target: L },
      ];
      if (gap >= 0) inserts.push({ at: gap, items: island });
      else {
        const S = nextLabel++;
        inserts.push({
          at: far,
          items: [{ k: "insn", insn: ja(), target: S }, ...island, { k: "label", id: S }],
        });
      }
      cur[i] = { ...it, target: I };
    }
    if (!changed) return cur;
    if (inserts.length === 0) continue;
    inserts.sort((a, b) => b.at - a.at);
    const out: Item[] = [];
    let k = inserts.length - 1;
    for (let i = 0; i <= cur.length; i++) {
      while (k >= 0 && inserts[k]!.at === i) out.push(...inserts[k--]!.items);
      if (i < cur.length) out.push(cur[i]!);
    }
    cur = out;
  }
  return cur;
}

/** `gotol` (cpu v4): an unconditional jump with a 32-bit slot offset in imm. */
const gotol = (imm: number): Instruction => ({
  opcode: Class.JMP32 | JmpOp.JA,
  dst: 0,
  src: 0,
  off: 0,
  imm,
});

export function layout(
  items: Item[],
  options: { cpu?: number } = {},
): LaidOut | { error: string; line?: number; col?: number } {
  const cpu = options.cpu ?? 4;
  if (cpu < 4) items = placeIslands(items);
  const relaxed = relax(items, cpu);
  if ("tooFar" in relaxed) {
    let line: { line: number; col: number } | undefined;
    for (let i = relaxed.tooFar; i >= 0 && !line; i--) {
      const x = items[i]!;
      if (x.k === "line") line = { line: x.line, col: x.col };
    }
    const it = items[relaxed.tooFar] as InsnItem;
    const hint =
      cpu < 4 && (it.insn.opcode === OPC_JA || isCondJump(it.insn))
        ? `; --mcpu is v${cpu}, and the long jump (gotol) it would take needs --mcpu v4: use --mcpu v4, or split the function or shorten the code inside this statement`
        : ": split the function or shorten the code inside this statement";
    return {
      error: `a branch spans ${relaxed.off} instructions; the limit is 32767${hint}`,
      ...(line ?? {}),
    };
  }
  const long = relaxed.long;
  const labelAt = new Map<number, number>();
  const slotOf = new Map<number, number>();
  let slot = 0;
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    if (it.k === "label") {
      labelAt.set(it.id, slot * 8);
      slotOf.set(it.id, slot);
    } else if (it.k === "insn") slot += instructionSize(it.insn) / 8 + (long.get(i) ?? 0);
  }
  const insns: Instruction[] = [];
  const offsets: number[] = [];
  const relocs: { offset: number; symbol: string }[] = [];
  const lines: { offset: number; line: number; col: number }[] = [];
  const branchTargets = new Map<number, number>();
  let pendingLine: { line: number; col: number } | undefined;
  slot = 0;
  const push = (insn: Instruction): void => {
    insns.push(insn);
    offsets.push(slot * 8);
    slot += instructionSize(insn) / 8;
  };
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    if (it.k === "line") {
      pendingLine = { line: it.line, col: it.col };
      continue;
    }
    if (it.k !== "insn") continue;
    let insn = it.insn;
    if (pendingLine) {
      const last = lines[lines.length - 1];
      if (!last || last.line !== pendingLine.line || lines.length === 0)
        lines.push({ offset: slot * 8, ...pendingLine });
      pendingLine = undefined;
    }
    if (it.target !== undefined) {
      const t = slotOf.get(it.target);
      if (t === undefined) return { error: `internal: undefined label ${it.target}` };
      const extra = long.get(i);
      if (extra !== undefined) {
        if (insn.opcode !== OPC_JA) {
          const name = jmpName(insn)!;
          const neg = NEGATE[name];
          if (neg) push({ ...withJmpOp(insn, neg), off: 1 });
          else {
            push({ ...insn, off: 1 });
            push({ ...ja(), off: 1 });
          }
        }
        branchTargets.set(insns.length, it.target);
        push(gotol(t - (slot + 1)));
        continue;
      }
      insn = { ...insn, off: t - (slot + 1) };
      branchTargets.set(insns.length, it.target);
    }
    if (it.sym !== undefined) relocs.push({ offset: slot * 8, symbol: it.sym });
    push(insn);
  }
  if (lines.length > 0 && lines[0]!.offset !== 0) lines[0] = { ...lines[0]!, offset: 0 };
  return { insns, offsets, relocs, lines, labelAt, branchTargets };
}
