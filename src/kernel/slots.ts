// Raw 8-byte instruction slots and a tiny label assembler for the oracle's shim code.
// The oracle patches programs slot by slot (an ld_imm64 is two slots whose second imm is the
// high half or, for map values, the offset), so it works below the semantic `Instruction`.

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

/** Opcode bytes the shims use (class | op | source/size bits, RFC 9669). */
export const OP = {
  LDDW: 0x18,
  CALL: 0x85,
  EXIT: 0x95,
  JA: 0x05,
  MOV64_IMM: 0xb7,
  MOV64_REG: 0xbf,
  ADD64_IMM: 0x07,
  ADD64_REG: 0x0f,
  MUL64_IMM: 0x27,
  MUL64_REG: 0x2f,
  SUB64_REG: 0x1f,
  AND64_IMM: 0x57,
  AND64_REG: 0x5f,
  OR64_REG: 0x4f,
  XOR64_IMM: 0xa7,
  LSH64_IMM: 0x67,
  RSH64_IMM: 0x77,
  NEG64: 0x87,
  ARSH64_IMM: 0xc7,
  JEQ_IMM: 0x15,
  JNE_IMM: 0x55,
  JGE_IMM: 0x35,
  JGE_REG: 0x3d,
  LDXW: 0x61,
  LDXDW: 0x79,
  STXW: 0x63,
  STXDW: 0x7b,
  STW: 0x62,
  STDW: 0x7a,
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
