// Instruction constructors and the code list the lowering writes: instructions, labels and
// source-line markers. Opcodes are composed from src/isa's bit-field names only.
import type { Instruction } from "../isa/index.js";
import { AluOp, Class, JmpOp, LD_IMM64, Mode, Size, Source } from "../isa/index.js";

export type SizeName = keyof typeof Size;
export type AluName = keyof typeof AluOp;
export type JmpName = keyof typeof JmpOp;

export const R0 = 0;
export const R1 = 1;
export const R10 = 10;

/** An instruction plus what layout must fill in: a branch target label or a symbol for ld_imm64. */
export interface InsnItem {
  k: "insn";
  insn: Instruction;
  /** Label id of a branch target (off is filled at layout). */
  target?: number;
  /** ld_imm64 relocation (R_BPF_64_64) against this symbol. */
  sym?: string;
}
export interface LabelItem {
  k: "label";
  id: number;
}
export interface LineItem {
  k: "line";
  line: number;
  col: number;
}
export type Item = InsnItem | LabelItem | LineItem;

export function sizeName(bytes: number): SizeName {
  return bytes === 1 ? "B" : bytes === 2 ? "H" : bytes === 4 ? "W" : "DW";
}

export function alu(
  op: AluName,
  dst: number,
  src: number | { imm: number },
  is64 = true,
): Instruction {
  const cls = is64 ? Class.ALU64 : Class.ALU;
  if (typeof src === "number")
    return { opcode: cls | Source.X | AluOp[op], dst, src, off: 0, imm: 0 };
  return { opcode: cls | Source.K | AluOp[op], dst, src: 0, off: 0, imm: src.imm | 0 };
}
/** v4 sign-extending move: dst = (sN)src. */
export function movsx(dst: number, src: number, bits: 8 | 16 | 32): Instruction {
  return { opcode: Class.ALU64 | Source.X | AluOp.MOV, dst, src, off: bits, imm: 0 };
}
export function ldx(
  size: SizeName,
  dst: number,
  src: number,
  off: number,
  signed = false,
): Instruction {
  return {
    opcode: Class.LDX | (signed ? Mode.MEMSX : Mode.MEM) | Size[size],
    dst,
    src,
    off,
    imm: 0,
  };
}
export function stx(size: SizeName, dst: number, off: number, src: number): Instruction {
  return { opcode: Class.STX | Mode.MEM | Size[size], dst, src, off, imm: 0 };
}
export function st(size: SizeName, dst: number, off: number, imm: number): Instruction {
  return { opcode: Class.ST | Mode.MEM | Size[size], dst, src: 0, off, imm: imm | 0 };
}
export function jmp(op: JmpName, dst: number, src: number | { imm: number }): Instruction {
  if (typeof src === "number")
    return { opcode: Class.JMP | Source.X | JmpOp[op], dst, src, off: 0, imm: 0 };
  return { opcode: Class.JMP | Source.K | JmpOp[op], dst, src: 0, off: 0, imm: src.imm | 0 };
}
export function jmp32(op: JmpName, dst: number, src: number | { imm: number }): Instruction {
  if (typeof src === "number")
    return { opcode: Class.JMP32 | Source.X | JmpOp[op], dst, src, off: 0, imm: 0 };
  return { opcode: Class.JMP32 | Source.K | JmpOp[op], dst, src: 0, off: 0, imm: src.imm | 0 };
}
export function ja(): Instruction {
  return { opcode: Class.JMP | JmpOp.JA, dst: 0, src: 0, off: 0, imm: 0 };
}
export function call(id: number): Instruction {
  return { opcode: Class.JMP | JmpOp.CALL, dst: 0, src: 0, off: 0, imm: id };
}
/**
 * A kfunc call as clang-19 writes it: `call -1` with src_reg 1, relocated (R_BPF_64_32)
 * against the undefined kfunc symbol; libbpf turns it into src_reg 2 (BPF_PSEUDO_KFUNC_CALL)
 * with the kernel's BTF id.
 */
export function kfuncCall(): Instruction {
  return { opcode: Class.JMP | JmpOp.CALL, dst: 0, src: 1, off: 0, imm: -1 };
}
export function exit(): Instruction {
  return { opcode: Class.JMP | JmpOp.EXIT, dst: 0, src: 0, off: 0, imm: 0 };
}
export function ldImm64(dst: number, value: bigint): Instruction {
  const v = BigInt.asUintN(64, value);
  return { opcode: LD_IMM64, dst, src: 0, off: 0, imm: Number(BigInt.asIntN(32, v)), imm64: v };
}

export function isJa(i: Instruction): boolean {
  return i.opcode === (Class.JMP | JmpOp.JA);
}
export function isExit(i: Instruction): boolean {
  return i.opcode === (Class.JMP | JmpOp.EXIT);
}
export function isCondJump(i: Instruction): boolean {
  const cls = i.opcode & 0x07;
  if (cls !== Class.JMP && cls !== Class.JMP32) return false;
  const op = i.opcode & 0xf0;
  return op !== JmpOp.JA && op !== JmpOp.CALL && op !== JmpOp.EXIT && op !== JmpOp.JCOND;
}

/** The condition that holds exactly when `op` does not. */
export const NEGATE: Readonly<Record<string, JmpName>> = {
  JEQ: "JNE",
  JNE: "JEQ",
  JGT: "JLE",
  JLE: "JGT",
  JGE: "JLT",
  JLT: "JGE",
  JSGT: "JSLE",
  JSLE: "JSGT",
  JSGE: "JSLT",
  JSLT: "JSGE",
};
/** `a op b` ⇔ `b SWAP[op] a`. */
export const SWAP: Readonly<Record<string, JmpName>> = {
  JEQ: "JEQ",
  JNE: "JNE",
  JGT: "JLT",
  JLT: "JGT",
  JGE: "JLE",
  JLE: "JGE",
  JSGT: "JSLT",
  JSLT: "JSGT",
  JSGE: "JSLE",
  JSLE: "JSGE",
};

export function jmpName(i: Instruction): JmpName | undefined {
  const op = i.opcode & 0xf0;
  return (Object.keys(JmpOp) as JmpName[]).find((k) => JmpOp[k] === op);
}
export function withJmpOp(i: Instruction, name: JmpName): Instruction {
  return { ...i, opcode: (i.opcode & 0x0f) | JmpOp[name] };
}

/** Whether a 64-bit value is what a sign-extended 32-bit immediate produces. */
export function fitsImm32(v: bigint): boolean {
  const s = BigInt.asIntN(64, v);
  return s >= -(1n << 31n) && s < 1n << 31n;
}
