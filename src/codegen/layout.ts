// From the lowering's item list to final instructions: the -O2 peephole passes (jump
// threading, branch inversion over a jump, jumps to the next instruction, unreachable code,
// self-moves), then label resolution into 16-bit slot offsets, relocations and line info.
import type { Instruction } from "../isa/index.js";
import { AluOp, Class, Source, instructionSize } from "../isa/index.js";
import {
  type InsnItem,
  type Item,
  NEGATE,
  isCondJump,
  isExit,
  isJa,
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

function reads(i: Instruction): number[] {
  if (isLdImm64(i)) return [];
  if (isAlu(i)) {
    if ((i.opcode & 0xf0) === AluOp.END || (i.opcode & 0xf0) === AluOp.NEG) return [i.dst];
    if (isMov(i)) return srcX(i) ? [i.src] : [];
    return srcX(i) ? [i.dst, i.src] : [i.dst];
  }
  switch (CLS(i)) {
    case Class.LDX:
      return [i.src];
    case Class.STX:
      return [i.dst, i.src];
    case Class.ST:
      return [i.dst];
    case Class.JMP:
    case Class.JMP32:
      if (isCall(i)) return [1, 2, 3, 4, 5];
      if (isExit(i)) return [0];
      if (isJa(i)) return [];
      return srcX(i) ? [i.dst, i.src] : [i.dst];
  }
  return [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
}
function writes(i: Instruction): number[] {
  if (isLdImm64(i) || isAlu(i) || CLS(i) === Class.LDX) return [i.dst];
  if (isCall(i)) return [0, 1, 2, 3, 4, 5];
  return [];
}

/**
 * `rT = …; (rT op= …)*; rH = rT` with rT dead afterwards and rH untouched in between becomes
 * the same chain computing into rH directly (temporaries feeding a home or a helper argument).
 */
function coalesce(items: Item[]): boolean {
  let changed = false;
  for (let j = 0; j < items.length; j++) {
    const mv = items[j]!;
    if (mv.k !== "insn" || !isMov(mv.insn) || !srcX(mv.insn) || CLS(mv.insn) !== Class.ALU64 || mv.insn.off !== 0) continue;
    const rT = mv.insn.src;
    const rH = mv.insn.dst;
    if (rT === rH || rT === 10 || rH === 10) continue;
    // rT must be dead after the move (read-before-write scan to the end of the block).
    let dead = false;
    for (let k = j + 1; k < items.length; k++) {
      const x = items[k]!;
      if (x.k === "label") break;
      if (x.k !== "insn") continue;
      if (reads(x.insn).includes(rT)) break;
      if (writes(x.insn).includes(rT)) {
        dead = true;
        break;
      }
      if (x.target !== undefined || isJa(x.insn)) break;
      if (isExit(x.insn)) {
        dead = rT !== 0;
        break;
      }
    }
    if (!dead) continue;
    // Walk back over the chain that computes rT.
    const chain: number[] = [];
    let ok = false;
    for (let k = j - 1; k >= 0; k--) {
      const x = items[k]!;
      if (x.k === "label") break;
      if (x.k !== "insn") continue;
      const r = reads(x.insn);
      const w = writes(x.insn);
      if (x.target !== undefined || isCall(x.insn)) break;
      // `rT = rH; rT op= …; rH = rT` → `rH op= …`: the copy becomes a self-move.
      const copyOfH = isMov(x.insn) && srcX(x.insn) && x.insn.src === rH && x.insn.dst === rT && CLS(x.insn) === Class.ALU64;
      if (copyOfH) {
        chain.push(k);
        ok = true;
        break;
      }
      if (r.includes(rH) || w.includes(rH)) break;
      if (w.includes(rT)) {
        chain.push(k);
        const pure = !r.includes(rT);
        if (pure) {
          ok = true;
          break;
        }
        continue; // read-modify-write of rT: renamed along with the rest of the chain
      }
      if (r.includes(rT)) break; // another reader of the temporary
    }
    if (!ok) continue;
    for (const k of chain) {
      const x = items[k] as InsnItem;
      const src = x.insn.src === rT && reads(x.insn).includes(rT) ? rH : x.insn.src;
      items[k] = { ...x, insn: { ...x.insn, dst: rH, src } };
    }
    items.splice(j, 1);
    j--;
    changed = true;
  }
  return changed;
}

/** Peephole passes until nothing changes. */
export function optimize(items: Item[]): Item[] {
  let cur = [...items];
  for (let round = 0; round < 20; round++) {
    const before = cur.length;
    let changed = coalesce(cur);
    // Label → the first instruction after it (skipping labels/lines).
    const firstInsnAfter = (list: Item[], label: number): InsnItem | undefined => {
      const i = list.findIndex((x) => x.k === "label" && x.id === label);
      for (let j = i + 1; j < list.length; j++) {
        const x = list[j]!;
        if (x.k === "insn") return x;
      }
      return undefined;
    };
    // Jump threading: a jump to an unconditional jump goes to its target.
    for (const it of cur) {
      if (it.k !== "insn" || it.target === undefined) continue;
      const seen = new Set<number>();
      let t = it.target;
      for (;;) {
        if (seen.has(t)) break;
        seen.add(t);
        const nxt = firstInsnAfter(cur, t);
        if (nxt && isJa(nxt.insn) && nxt.target !== undefined && nxt.target !== t) t = nxt.target;
        else break;
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
          if (isJa(nx.insn) && nx.target !== undefined) {
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
    for (const it of out) if (it.k === "insn" && it.target !== undefined) referenced.add(it.target);
    const out2: Item[] = [];
    let dead = false;
    for (const it of out) {
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
      if (it.k === "insn" && (isJa(it.insn) || isExit(it.insn))) dead = true;
    }
    cur = out2;
    if (!changed && cur.length === before) break;
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
    if (it.k === "insn" && (isJa(it.insn) || isExit(it.insn))) dead = true;
  }
  // Removing code can unreference labels; iterate to a fixed point.
  return out.length === items.length ? out : removeUnreachable(out);
}

export function layout(items: Item[]): LaidOut | { error: string } {
  const labelAt = new Map<number, number>();
  const slotOf = new Map<number, number>();
  let slot = 0;
  for (const it of items) {
    if (it.k === "label") {
      labelAt.set(it.id, slot * 8);
      slotOf.set(it.id, slot);
    } else if (it.k === "insn") slot += instructionSize(it.insn) / 8;
  }
  const insns: Instruction[] = [];
  const offsets: number[] = [];
  const relocs: { offset: number; symbol: string }[] = [];
  const lines: { offset: number; line: number; col: number }[] = [];
  const branchTargets = new Map<number, number>();
  let pendingLine: { line: number; col: number } | undefined;
  slot = 0;
  for (const it of items) {
    if (it.k === "line") {
      pendingLine = { line: it.line, col: it.col };
      continue;
    }
    if (it.k !== "insn") continue;
    let insn = it.insn;
    if (it.target !== undefined) {
      const t = slotOf.get(it.target);
      if (t === undefined) return { error: `internal: undefined label ${it.target}` };
      const off = t - (slot + 1);
      if (off < -32768 || off > 32767) return { error: `a branch spans ${off} instructions; the limit is 32767` };
      insn = { ...insn, off };
      branchTargets.set(insns.length, it.target);
    }
    if (it.sym !== undefined) relocs.push({ offset: slot * 8, symbol: it.sym });
    if (pendingLine) {
      const last = lines[lines.length - 1];
      if (!last || last.line !== pendingLine.line || lines.length === 0) lines.push({ offset: slot * 8, ...pendingLine });
      pendingLine = undefined;
    }
    insns.push(insn);
    offsets.push(slot * 8);
    slot += instructionSize(insn) / 8;
  }
  if (lines.length > 0 && lines[0]!.offset !== 0) lines[0] = { ...lines[0]!, offset: 0 };
  return { insns, offsets, relocs, lines, labelAt, branchTargets };
}
