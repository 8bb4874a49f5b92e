// Bytes → Instruction, classified by the instruction table. Decoding accepts exactly what
// llvm-objdump-19 decodes (fields llvm ignores are kept, and listed in `reserved` when the RFC
// says they must be 0), except for the extensions documented in docs/isa.md.
import type { Instruction } from "./instruction.js";
import { LD_IMM64 } from "./opcodes.js";
import { type Field, formOf, type InstructionForm, reservedNonZero } from "./table.js";

/** Highest register number llvm-objdump decodes. */
export const MAX_REG = 11;

export interface Decoded {
  ok: true;
  insn: Instruction;
  /** Bytes consumed: 8, or 16 for ld_imm64. */
  size: 8 | 16;
  form: InstructionForm;
  /** Non-zero fields the RFC reserves (`next` = ld_imm64's second-slot opcode/regs/off). */
  reserved: (Field | "next")[];
}

export interface DecodeFailure {
  ok: false;
  reason: string;
  /** Bytes llvm-objdump skips before trying again: 8, or 1 when the input is truncated. */
  size: number;
  /** The fields as far as they could be read (absent when fewer than 8 bytes remain). */
  insn?: Instruction;
}

export type DecodeResult = Decoded | DecodeFailure;

function hex2(n: number): string {
  return "0x" + n.toString(16).padStart(2, "0");
}

export function decodeInstruction(bytes: Uint8Array, byteOffset = 0): DecodeResult {
  const left = bytes.length - byteOffset;
  if (left < 8) {
    return { ok: false, reason: `truncated instruction: ${Math.max(0, left)} of 8 bytes`, size: 1 };
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const opcode = view.getUint8(byteOffset);
  const regs = view.getUint8(byteOffset + 1);
  const insn: Instruction = {
    opcode,
    dst: regs & 0xf,
    src: regs >> 4,
    off: view.getInt16(byteOffset + 2, true),
    imm: view.getInt32(byteOffset + 4, true),
  };
  const reserved: (Field | "next")[] = [];
  if (opcode === LD_IMM64) {
    if (left < 16)
      return {
        ok: false,
        reason: "truncated ld_imm64: the second 8-byte slot is missing",
        size: 1,
        insn,
      };
    const hi = view.getUint32(byteOffset + 12, true);
    insn.imm64 = BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(insn.imm >>> 0));
    if (view.getUint32(byteOffset + 8, true) !== 0) reserved.push("next");
  }
  const form = formOf(insn);
  if (!form) return { ok: false, reason: unknownReason(insn), size: 8, insn };
  const badReg = registerProblem(form, insn);
  if (badReg) return { ok: false, reason: badReg, size: 8, insn };
  reserved.unshift(...reservedNonZero(form, insn));
  return { ok: true, insn, size: form.size, form, reserved };
}

/** Register operands name r0..r10; llvm also decodes r11 (the kernel's internal AX), no more. */
export function registerProblem(form: InstructionForm, insn: Instruction): string | undefined {
  for (const field of ["dst", "src"] as const) {
    if (
      form.uses.includes(field) &&
      !(field === "src" && form.sem.kind === "ld_imm64") &&
      insn[field] > MAX_REG
    )
      return `invalid register ${field}=${insn[field]}`;
  }
  return undefined;
}

function unknownReason(insn: Instruction): string {
  return `unknown instruction: opcode ${hex2(insn.opcode)} with src=${insn.src} off=${insn.off} imm=${insn.imm}`;
}

export interface DecodedProgramEntry {
  /** Byte offset of the instruction. */
  offset: number;
  result: DecodeResult;
}

/** Decodes a whole code section, advancing like llvm-objdump (8/16 bytes, or 1 past truncation). */
export function decodeProgram(bytes: Uint8Array): DecodedProgramEntry[] {
  const out: DecodedProgramEntry[] = [];
  let at = 0;
  while (at < bytes.length) {
    const result = decodeInstruction(bytes, at);
    out.push({ offset: at, result });
    at += result.size;
  }
  return out;
}
