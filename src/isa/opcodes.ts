// The bit-fields of the BPF opcode byte (RFC 9669 §3 and §4), spelled out once. Everything
// else (the instruction table, encoder, decoder, VM) composes opcodes from these names.

/** Instruction class: the low 3 bits of the opcode. */
export const Class = {
  LD: 0x00,
  LDX: 0x01,
  ST: 0x02,
  STX: 0x03,
  ALU: 0x04,
  JMP: 0x05,
  JMP32: 0x06,
  ALU64: 0x07,
} as const;
export type ClassName = keyof typeof Class;

export const CLASS_MASK = 0x07;

/** Source bit (bit 3) of ALU and JMP classes. */
export const Source = { K: 0x00, X: 0x08 } as const;
export const SOURCE_MASK = 0x08;
/** For END (byte swap) the same bit selects the target byte order. */
export const Endian = { LE: 0x00, BE: 0x08 } as const;

/** ALU operation codes (bits 4-7). */
export const AluOp = {
  ADD: 0x00,
  SUB: 0x10,
  MUL: 0x20,
  DIV: 0x30,
  OR: 0x40,
  AND: 0x50,
  LSH: 0x60,
  RSH: 0x70,
  NEG: 0x80,
  MOD: 0x90,
  XOR: 0xa0,
  MOV: 0xb0,
  ARSH: 0xc0,
  END: 0xd0,
} as const;
export type AluOpName = keyof typeof AluOp;

/** JMP / JMP32 operation codes (bits 4-7). */
export const JmpOp = {
  JA: 0x00,
  JEQ: 0x10,
  JGT: 0x20,
  JGE: 0x30,
  JSET: 0x40,
  JNE: 0x50,
  JSGT: 0x60,
  JSGE: 0x70,
  CALL: 0x80,
  EXIT: 0x90,
  JLT: 0xa0,
  JLE: 0xb0,
  JSLT: 0xc0,
  JSLE: 0xd0,
  /** Kernel extension: may_goto (JCOND with src 0). */
  JCOND: 0xe0,
} as const;
export type JmpOpName = keyof typeof JmpOp;

export const OP_MASK = 0xf0;

/** Load/store size (bits 3-4). */
export const Size = { W: 0x00, H: 0x08, B: 0x10, DW: 0x18 } as const;
export type SizeName = keyof typeof Size;
export const SIZE_MASK = 0x18;
/** Width in bytes of each size code. */
export const SIZE_BYTES: Record<SizeName, number> = { W: 4, H: 2, B: 1, DW: 8 };

/** Load/store mode (bits 5-7). */
export const Mode = {
  IMM: 0x00,
  ABS: 0x20,
  IND: 0x40,
  MEM: 0x60,
  MEMSX: 0x80,
  ATOMIC: 0xc0,
} as const;
export type ModeName = keyof typeof Mode;
export const MODE_MASK = 0xe0;

/** The `imm` of STX|ATOMIC instructions selects the operation. */
export const AtomicOp = {
  ADD: 0x00,
  OR: 0x40,
  AND: 0x50,
  XOR: 0xa0,
  /** Modifier: also return the old value in src. */
  FETCH: 0x01,
  XCHG: 0xe0 | 0x01,
  CMPXCHG: 0xf0 | 0x01,
  /** Kernel extension (not in llvm-mc-19). */
  LOAD_ACQ: 0x100,
  STORE_REL: 0x110,
} as const;

/** `src` values of the 16-byte LD|IMM|DW (ld_imm64) instruction. */
export const Imm64Src = {
  IMM64: 0,
  MAP_BY_FD: 1,
  MAP_VAL_BY_FD: 2,
  VAR_ADDR: 3,
  CODE_ADDR: 4,
  MAP_BY_IDX: 5,
  MAP_VAL_BY_IDX: 6,
} as const;

/** `src` values of JMP|CALL. */
export const CallSrc = { HELPER: 0, LOCAL: 1, KFUNC: 2 } as const;

/** `off` values that turn ALU operations into their v4 variants. */
export const AluOff = {
  SIGNED_DIVMOD: 1,
  /** MOV|X off=1 with class ALU64: arena address-space cast (imm = dst_as << 16 | src_as). */
  ADDR_SPACE_CAST: 1,
} as const;

/** The opcode of ld_imm64, the only 16-byte instruction. */
export const LD_IMM64 = Class.LD | Size.DW | Mode.IMM; // 0x18

export function opClass(opcode: number): number {
  return opcode & CLASS_MASK;
}
