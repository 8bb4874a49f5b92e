// Instruction → bytes (little-endian, the bpfel layout every BPF object here uses).
import type { Instruction } from "./instruction.js";
import { LD_IMM64 } from "./opcodes.js";

/** Size in bytes of an instruction: 16 for ld_imm64, 8 otherwise. */
export function instructionSize(insn: Pick<Instruction, "opcode">): 8 | 16 {
  return (insn.opcode & 0xff) === LD_IMM64 ? 16 : 8;
}

/** Writes one instruction at `at`; returns the number of bytes written. */
export function encodeInto(insn: Instruction, out: Uint8Array, at: number): number {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setUint8(at, insn.opcode & 0xff);
  view.setUint8(at + 1, ((insn.src & 0xf) << 4) | (insn.dst & 0xf));
  view.setInt16(at + 2, (insn.off << 16) >> 16, true);
  if (instructionSize(insn) === 8) {
    view.setInt32(at + 4, insn.imm | 0, true);
    return 8;
  }
  // ld_imm64: imm64 (when given) is the source of truth for both halves.
  const value =
    insn.imm64 !== undefined
      ? BigInt.asUintN(64, insn.imm64)
      : BigInt.asUintN(32, BigInt(insn.imm | 0));
  view.setUint32(at + 4, Number(value & 0xffffffffn), true);
  view.setUint32(at + 8, 0, true);
  view.setUint32(at + 12, Number(value >> 32n), true);
  return 16;
}

export function encodeInstruction(insn: Instruction): Uint8Array {
  const out = new Uint8Array(instructionSize(insn));
  encodeInto(insn, out, 0);
  return out;
}

export function encodeProgram(insns: readonly Instruction[]): Uint8Array {
  let total = 0;
  for (const i of insns) total += instructionSize(i);
  const out = new Uint8Array(total);
  let at = 0;
  for (const i of insns) at += encodeInto(i, out, at);
  return out;
}
