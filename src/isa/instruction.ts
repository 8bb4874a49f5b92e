// The one semantic instruction type that the encoder, decoder, assembler, disassembler,
// verifier, VM and code generator all use. Field meanings follow RFC 9669's encoding; what an
// opcode means is defined once, in the instruction table (table.ts).

export interface Instruction {
  /** The 8-bit opcode byte: class (bits 0-2) plus operation/size/mode bits. */
  opcode: number;
  /** Destination register 0..10 (encoded in the low nibble of the regs byte). */
  dst: number;
  /** Source register 0..10, or a pseudo-source selector for ld_imm64 and call. */
  src: number;
  /** Signed 16-bit offset. */
  off: number;
  /** Signed 32-bit immediate. */
  imm: number;
  /**
   * Only for the 16-byte `ld_imm64` (opcode 0x18): the whole 64-bit constant; its low 32 bits
   * equal `imm` and its high 32 bits are the second slot's imm.
   */
  imm64?: bigint;
}
