// Raw 8-byte instruction slots and a tiny label assembler for the oracle's shim code.
// The oracle patches programs slot by slot (an ld_imm64 is two slots whose second imm is the
// high half or, for map values, the offset), so it works below the semantic `Instruction`.

import { AluOp, Class, JmpOp, LD_IMM64, Mode, Size, Source } from "../isa/opcodes.js";
export interface Slot {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
}

export function decodeSlots(bytes: Uint8Array): Slot[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Slot[] = [];
  for (let p = 0; p + 8 <= bytes.length; p += 8) {
    const regs = bytes[p + 1]!;
    out.push({
      code: bytes[p]!,
      dst: regs & 0xf,
      src: regs >> 4,
      off: view.getInt16(p + 2, true),
      imm: view.getInt32(p + 4, true),
    });
  }
  return out;
}

export function encodeSlots(slots: readonly Slot[]): Uint8Array {
  const bytes = new Uint8Array(slots.length * 8);
  const view = new DataView(bytes.buffer);
  slots.forEach((s, i) => {
    bytes[i * 8] = s.code;
    bytes[i * 8 + 1] = ((s.src & 0xf) << 4) | (s.dst & 0xf);
    view.setInt16(i * 8 + 2, s.off, true);
    view.setInt32(i * 8 + 4, s.imm | 0, true);
  });
  return bytes;
}

/** Opcode bytes the shims use, composed from the ISA's bit-fields (src/isa/opcodes.ts). */
const alu64 = (op: number, src: number = Source.K): number => Class.ALU64 | op | src;
const jmp = (op: number, src: number = Source.K): number => Class.JMP | op | src;
export const OP = {
  LDDW: LD_IMM64,
  CALL: jmp(JmpOp.CALL),
  EXIT: jmp(JmpOp.EXIT),
  JA: jmp(JmpOp.JA),
  MOV64_IMM: alu64(AluOp.MOV),
  MOV64_REG: alu64(AluOp.MOV, Source.X),
  ADD64_IMM: alu64(AluOp.ADD),
  ADD64_REG: alu64(AluOp.ADD, Source.X),
  MUL64_IMM: alu64(AluOp.MUL),
  MUL64_REG: alu64(AluOp.MUL, Source.X),
  SUB64_REG: alu64(AluOp.SUB, Source.X),
  AND64_IMM: alu64(AluOp.AND),
  AND64_REG: alu64(AluOp.AND, Source.X),
  OR64_REG: alu64(AluOp.OR, Source.X),
  XOR64_IMM: alu64(AluOp.XOR),
  LSH64_IMM: alu64(AluOp.LSH),
  RSH64_IMM: alu64(AluOp.RSH),
  NEG64: alu64(AluOp.NEG),
  ARSH64_IMM: alu64(AluOp.ARSH),
  JEQ_IMM: jmp(JmpOp.JEQ),
  JNE_IMM: jmp(JmpOp.JNE),
  JGE_IMM: jmp(JmpOp.JGE),
  JGE_REG: jmp(JmpOp.JGE, Source.X),
  LDXW: Class.LDX | Mode.MEM | Size.W,
  LDXDW: Class.LDX | Mode.MEM | Size.DW,
  STXW: Class.STX | Mode.MEM | Size.W,
  STXDW: Class.STX | Mode.MEM | Size.DW,
  STW: Class.ST | Mode.MEM | Size.W,
  STDW: Class.ST | Mode.MEM | Size.DW,
} as const;

export const PSEUDO_MAP_FD = 1;
export const PSEUDO_MAP_VALUE = 2;
export const PSEUDO_CALL = 1;

/** A reference from a shim's ld_imm64 to one of the oracle's maps. */
export interface ShimMapRef {
  /** Slot index within the shim. */
  slot: number;
  map: string;
  kind: "fd" | "value";
  offset: number;
}

/** Builds a straight-line slot list with forward/backward jump labels and map ld_imm64s. */
export class SlotAsm {
  readonly slots: Slot[] = [];
  readonly mapRefs: ShimMapRef[] = [];
  private readonly labels = new Map<string, number>();
  private readonly fixups: { slot: number; label: string }[] = [];
  /** Slot indices that are deliberate verifier traps, with what they mean. */
  readonly traps: { slot: number; reason: string }[] = [];

  emit(code: number, dst = 0, src = 0, off = 0, imm = 0): this {
    this.slots.push({ code, dst, src, off, imm });
    return this;
  }
  label(name: string): this {
    this.labels.set(name, this.slots.length);
    return this;
  }
  jump(code: number, dst: number, srcOrImm: { reg?: number; imm?: number }, label: string): this {
    this.fixups.push({ slot: this.slots.length, label });
    return this.emit(code, dst, srcOrImm.reg ?? 0, 0, srcOrImm.imm ?? 0);
  }
  ja(label: string): this {
    return this.jump(OP.JA, 0, {}, label);
  }
  ldMap(dst: number, map: string, kind: "fd" | "value", offset = 0): this {
    this.mapRefs.push({ slot: this.slots.length, map, kind, offset });
    this.emit(OP.LDDW, dst, kind === "fd" ? PSEUDO_MAP_FD : PSEUDO_MAP_VALUE, 0, 0);
    return this.emit(0, 0, 0, 0, offset);
  }
  /**
   * A read of callee-saved r9, which is uninitialised at subprogram entry: the verifier
   * rejects any path that reaches it, in every mode. It turns a helper contract the kernel
   * would check at load time (a constant size) into a load-time rejection here too.
   */
  trap(reason: string): this {
    this.traps.push({ slot: this.slots.length, reason });
    this.emit(OP.MOV64_REG, 0, 9);
    return this.emit(OP.EXIT);
  }
  ret(imm: number): this {
    this.emit(OP.MOV64_IMM, 0, 0, 0, imm);
    return this.emit(OP.EXIT);
  }
  finish(): Slot[] {
    for (const f of this.fixups) {
      const target = this.labels.get(f.label);
      if (target === undefined) throw new Error(`shim label ${f.label} undefined`);
      this.slots[f.slot]!.off = target - f.slot - 1;
    }
    return this.slots;
  }
}
