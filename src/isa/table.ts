// The instruction set as ONE table. Every instruction form the toolchain knows (RFC 9669,
// the cpu v4 additions and the kernel extensions listed in isa.md) is one `InstructionForm`
// row, built below from the opcode fields in opcodes.ts. The encoder, decoder, text parser
// and printer, disassembler, verifier and VM all read these rows; nothing else defines what
// an opcode means.
import type { Instruction } from "./instruction.js";
import {
  AluOp,
  type AluOpName,
  AtomicOp,
  Class,
  Endian,
  Imm64Src,
  JmpOp,
  type JmpOpName,
  LD_IMM64,
  Mode,
  Size,
  type SizeName,
  SIZE_BYTES,
  Source,
} from "./opcodes.js";

/** The instruction's fields that can carry operands. */
export type Field = "dst" | "src" | "off" | "imm";

/** RFC 9669 §2.4 conformance groups, plus groups for extensions outside the RFC. */
export type ConformanceGroup =
  | "base32"
  | "base64"
  | "atomic32"
  | "atomic64"
  | "divmul32"
  | "divmul64"
  | "packet"
  | "callx"
  /** Kernel extensions outside RFC 9669 (may_goto, load_acquire/store_release, arena). */
  | "kernel";

/**
 * How a register placeholder prints: always `rN`, always `wN`, or `wN` only when printing
 * as `llvm-objdump --mattr=+alu32` does (8/16/32-bit loads and stores, 32-bit `lock` ops).
 */
export type RegStyle = "r" | "w" | "w-alu32";

/** Which llvm-objdump-19 decodes a form: always, only with --mattr=+alu32, or never. */
export type LlvmDecode = "always" | "alu32" | "never";

/** What the instruction does, in a form the VM, verifier and code generator can switch on. */
export type Semantics =
  | {
      kind: "alu";
      op: AluOpName | "SDIV" | "SMOD" | "MOVSX";
      width: 32 | 64;
      source: "K" | "X";
      extend?: 8 | 16 | 32;
    }
  | { kind: "neg"; width: 32 | 64 }
  | { kind: "end"; order: "le" | "be" | "swap"; bits: 16 | 32 | 64 }
  | { kind: "addr_space_cast" }
  | { kind: "ld_imm64"; pseudo: number }
  | { kind: "ld_packet"; mode: "ABS" | "IND"; bytes: number }
  | { kind: "load"; bytes: number; signed: boolean }
  | { kind: "store_imm"; bytes: number }
  | { kind: "store"; bytes: number }
  | {
      kind: "atomic";
      op: "ADD" | "OR" | "AND" | "XOR" | "XCHG" | "CMPXCHG";
      fetch: boolean;
      bytes: number;
    }
  | { kind: "load_acquire"; bytes: number }
  | { kind: "store_release"; bytes: number }
  | { kind: "ja"; wide: boolean }
  | { kind: "jcond"; op: JmpOpName; width: 32 | 64; source: "K" | "X" }
  | { kind: "may_goto" }
  | { kind: "call"; target: "helper" | "local" | "kfunc" }
  | { kind: "callx" }
  | { kind: "exit" };

export interface InstructionForm {
  /** Unique semantic name, e.g. `add64_imm`, `ldx_w`, `atomic_fetch_add64`. */
  name: string;
  opcode: number;
  /** Field values that select this form among those sharing the opcode. */
  match: Partial<Record<Field, number>>;
  /** Fields that carry operands; every other field (not in `match`) is reserved, should be 0. */
  uses: Field[];
  /**
   * Text as llvm-objdump-19 prints it and llvm-mc-19 reads it. Placeholders:
   * `{d}`/`{s}` dst/src register in `dstStyle`/`srcStyle`; `{D}`/`{S}` dst/src as a memory base
   * (always `r`); `{imm}` imm; `{off}` memory offset (`+ 0x8`, `- 0x8`); `{tgt}` pc-relative
   * `off` (`+0x3`); `{ltgt}` pc-relative `imm` (gotol); `{imm64}` the 64-bit constant;
   * `{srcn}` src as a number; `{ashi}`/`{aslo}` the two halves of imm.
   */
  template: string;
  dstStyle: RegStyle;
  srcStyle: RegStyle;
  /** 8, or 16 for ld_imm64. */
  size: 8 | 16;
  /** Minimum -mcpu version (LLVM's sense: v2 added JLT.., v3 ALU32/JMP32/atomics, v4 the rest). */
  cpu: 1 | 2 | 3 | 4;
  group: ConformanceGroup;
  llvm: LlvmDecode;
  /** Whether llvm-mc-19 assembles `template` (false for extensions it does not know). */
  llvmMc: boolean;
  sem: Semantics;
}

const ALU_TEXT: Partial<Record<AluOpName, string>> = {
  ADD: "+=",
  SUB: "-=",
  MUL: "*=",
  DIV: "/=",
  OR: "|=",
  AND: "&=",
  LSH: "<<=",
  RSH: ">>=",
  MOD: "%=",
  XOR: "^=",
  MOV: "=",
  ARSH: "s>>=",
};

const JMP_TEXT: Partial<Record<JmpOpName, string>> = {
  JEQ: "==",
  JGT: ">",
  JGE: ">=",
  JSET: "&",
  JNE: "!=",
  JSGT: "s>",
  JSGE: "s>=",
  JLT: "<",
  JLE: "<=",
  JSLT: "s<",
  JSLE: "s<=",
};

const SIZES: SizeName[] = ["W", "H", "B", "DW"];
const SIZE_BITS: Record<SizeName, number> = { W: 32, H: 16, B: 8, DW: 64 };

function form(
  f: Omit<InstructionForm, "size" | "dstStyle" | "srcStyle" | "llvm" | "llvmMc"> &
    Partial<InstructionForm>,
): InstructionForm {
  return { size: 8, dstStyle: "r", srcStyle: "r", llvm: "always", llvmMc: true, ...f };
}

function buildForms(): InstructionForm[] {
  const out: InstructionForm[] = [];

  // ALU and ALU64.
  for (const width of [32, 64] as const) {
    const cls = width === 64 ? Class.ALU64 : Class.ALU;
    const reg: RegStyle = width === 64 ? "r" : "w";
    const base = width === 64 ? "base64" : "base32";
    const divmul = width === 64 ? "divmul64" : "divmul32";
    const cpu = width === 64 ? 1 : 3;
    for (const [opName, text] of Object.entries(ALU_TEXT) as [AluOpName, string][]) {
      const group = opName === "MUL" || opName === "DIV" || opName === "MOD" ? divmul : base;
      const lower = opName.toLowerCase();
      out.push(
        form({
          name: `${lower}${width}_imm`,
          opcode: cls | AluOp[opName] | Source.K,
          match: { off: 0 },
          uses: ["dst", "imm"],
          template: `{d} ${text} {imm}`,
          dstStyle: reg,
          cpu,
          group,
          sem: { kind: "alu", op: opName, width, source: "K" },
        }),
        form({
          name: `${lower}${width}_reg`,
          opcode: cls | AluOp[opName] | Source.X,
          match: { off: 0 },
          uses: ["dst", "src"],
          template: `{d} ${text} {s}`,
          dstStyle: reg,
          srcStyle: reg,
          cpu,
          group,
          sem: { kind: "alu", op: opName, width, source: "X" },
        }),
      );
      if (opName === "DIV" || opName === "MOD") {
        const sop = opName === "DIV" ? "SDIV" : "SMOD";
        const stext = opName === "DIV" ? "s/=" : "s%=";
        for (const source of ["K", "X"] as const) {
          out.push(
            form({
              name: `${sop.toLowerCase()}${width}_${source === "K" ? "imm" : "reg"}`,
              opcode: cls | AluOp[opName] | Source[source],
              match: { off: 1 },
              uses: source === "K" ? ["dst", "imm"] : ["dst", "src"],
              template: `{d} ${stext} ${source === "K" ? "{imm}" : "{s}"}`,
              dstStyle: reg,
              srcStyle: reg,
              cpu: 4,
              group: divmul,
              sem: { kind: "alu", op: sop, width, source },
            }),
          );
        }
      }
    }
    // Sign-extending moves (v4): MOV|X with off = 8/16 (and 32 for ALU64).
    for (const bits of width === 64 ? ([8, 16, 32] as const) : ([8, 16] as const)) {
      out.push(
        form({
          name: `movsx${width}_${bits}`,
          opcode: cls | AluOp.MOV | Source.X,
          match: { off: bits },
          uses: ["dst", "src"],
          template: `{d} = (s${bits}){s}`,
          dstStyle: reg,
          srcStyle: reg,
          cpu: 4,
          group: base,
          sem: { kind: "alu", op: "MOVSX", width, source: "X", extend: bits },
        }),
      );
    }
    // llvm-objdump-19 ignores off/src/imm of NEG, so they select nothing.
    out.push(
      form({
        name: `neg${width}`,
        opcode: cls | AluOp.NEG,
        match: {},
        uses: ["dst"],
        template: `{d} = -{d}`,
        dstStyle: reg,
        cpu,
        group: base,
        sem: { kind: "neg", width },
      }),
    );
  }
  // Byte swaps: ALU|END with K=le, X=be; ALU64|END|K = unconditional bswap (v4).
  for (const bits of [16, 32, 64] as const) {
    out.push(
      form({
        name: `le${bits}`,
        opcode: Class.ALU | AluOp.END | Endian.LE,
        match: { imm: bits },
        uses: ["dst"],
        template: `{d} = le${bits} {d}`,
        cpu: 1,
        group: "base32",
        sem: { kind: "end", order: "le", bits },
      }),
      form({
        name: `be${bits}`,
        opcode: Class.ALU | AluOp.END | Endian.BE,
        match: { imm: bits },
        uses: ["dst"],
        template: `{d} = be${bits} {d}`,
        cpu: 1,
        group: "base32",
        sem: { kind: "end", order: "be", bits },
      }),
      form({
        name: `bswap${bits}`,
        opcode: Class.ALU64 | AluOp.END | Source.K,
        match: { imm: bits },
        uses: ["dst"],
        template: `{d} = bswap${bits} {d}`,
        cpu: 4,
        group: "base64",
        sem: { kind: "end", order: "swap", bits },
      }),
    );
  }
  // Arena address-space cast: ALU64|MOV|X with off=1, imm = dst_as << 16 | src_as.
  out.push(
    form({
      name: "addr_space_cast",
      opcode: Class.ALU64 | AluOp.MOV | Source.X,
      match: { off: 1 },
      uses: ["dst", "src", "imm"],
      template: "{d} = addr_space_cast({s}, {ashi}, {aslo})",
      cpu: 4,
      group: "kernel",
      sem: { kind: "addr_space_cast" },
    }),
  );

  // 64-bit immediate loads, one form per pseudo-source (isa.md table). llvm-objdump prints every
  // src != 0 as `ld_pseudo dst, src, imm` (the second slot's imm is not shown).
  const pseudoNames = [
    "ld_imm64",
    "ld_map_fd",
    "ld_map_value",
    "ld_var_addr",
    "ld_code_addr",
    "ld_map_idx",
    "ld_map_idx_value",
  ];
  for (const [src, name] of pseudoNames.entries()) {
    out.push(
      form({
        name,
        opcode: LD_IMM64,
        match: { src, off: 0 },
        uses: ["dst", "imm"],
        template: src === Imm64Src.IMM64 ? "{d} = {imm64} ll" : "ld_pseudo\t{d}, {srcn}, {uimm}",
        size: 16,
        cpu: 1,
        group: "base64",
        sem: { kind: "ld_imm64", pseudo: src },
      }),
    );
  }

  // Pseudo-sources the kernel does not define; llvm-objdump still prints them as ld_pseudo.
  out.push(
    form({
      name: "ld_pseudo",
      opcode: LD_IMM64,
      match: { off: 0 },
      uses: ["dst", "src", "imm"],
      template: "ld_pseudo\t{d}, {srcn}, {uimm}",
      size: 16,
      cpu: 1,
      group: "kernel",
      sem: { kind: "ld_imm64", pseudo: -1 },
    }),
  );

  // Legacy packet loads (deprecated): result always in r0; llvm ignores dst/off.
  for (const size of ["W", "H", "B"] as const) {
    const bits = SIZE_BITS[size];
    out.push(
      form({
        name: `ld_abs_${size.toLowerCase()}`,
        opcode: Class.LD | Mode.ABS | Size[size],
        match: {},
        uses: ["imm"],
        template: `r0 = *(u${bits} *)skb[{imm}]`,
        cpu: 1,
        group: "packet",
        sem: { kind: "ld_packet", mode: "ABS", bytes: SIZE_BYTES[size] },
      }),
      form({
        name: `ld_ind_${size.toLowerCase()}`,
        opcode: Class.LD | Mode.IND | Size[size],
        match: {},
        uses: ["src"],
        template: `r0 = *(u${bits} *)skb[{s}]`,
        cpu: 1,
        group: "packet",
        sem: { kind: "ld_packet", mode: "IND", bytes: SIZE_BYTES[size] },
      }),
    );
  }

  // Loads and stores.
  for (const size of SIZES) {
    const bits = SIZE_BITS[size];
    const bytes = SIZE_BYTES[size];
    const s = size.toLowerCase();
    const narrow: RegStyle = size === "DW" ? "r" : "w-alu32";
    const group = size === "DW" ? "base64" : "base32";
    out.push(
      form({
        name: `ldx_${s}`,
        opcode: Class.LDX | Mode.MEM | Size[size],
        match: {},
        uses: ["dst", "src", "off"],
        template: `{d} = *(u${bits} *)({S} {off})`,
        dstStyle: narrow,
        cpu: 1,
        group,
        sem: { kind: "load", bytes, signed: false },
      }),
      form({
        name: `st_${s}`,
        opcode: Class.ST | Mode.MEM | Size[size],
        match: {},
        uses: ["dst", "off", "imm"],
        template: `*(u${bits} *)({D} {off}) = {imm}`,
        // The kernel always accepted ST; LLVM emits it only from -mcpu=v4.
        cpu: 4,
        group,
        sem: { kind: "store_imm", bytes },
      }),
      form({
        name: `stx_${s}`,
        opcode: Class.STX | Mode.MEM | Size[size],
        match: {},
        uses: ["dst", "src", "off"],
        template: `*(u${bits} *)({D} {off}) = {s}`,
        srcStyle: narrow,
        cpu: 1,
        group,
        sem: { kind: "store", bytes },
      }),
    );
    if (size !== "DW") {
      out.push(
        form({
          name: `ldsx_${s}`,
          opcode: Class.LDX | Mode.MEMSX | Size[size],
          match: {},
          uses: ["dst", "src", "off"],
          template: `{d} = *(s${bits} *)({S} {off})`,
          cpu: 4,
          group: "base64",
          sem: { kind: "load", bytes, signed: true },
        }),
      );
    }
  }

  // Atomics (STX|ATOMIC, imm selects the operation).
  for (const size of ["W", "DW"] as const) {
    const bits = SIZE_BITS[size];
    const bytes = SIZE_BYTES[size];
    const w = size === "W";
    const opcode = Class.STX | Mode.ATOMIC | Size[size];
    const group = w ? "atomic32" : "atomic64";
    const sfx = w ? "32" : "64";
    const ops = [
      ["ADD", "+=", "add"],
      ["OR", "|=", "or"],
      ["AND", "&=", "and"],
      ["XOR", "^=", "xor"],
    ] as const;
    for (const [op, text, lower] of ops) {
      out.push(
        form({
          name: `atomic_${lower}${sfx}`,
          opcode,
          match: { imm: AtomicOp[op] },
          uses: ["dst", "src", "off"],
          template: `lock *(u${bits} *)({D} {off}) ${text} {s}`,
          // The old 32-bit xadd takes either register name; llvm's newer 32-bit or/and/xor
          // want `w` and are decoded by llvm-objdump only with +alu32.
          srcStyle: !w ? "r" : op === "ADD" ? "w-alu32" : "w",
          llvm: w && op !== "ADD" ? "alu32" : "always",
          cpu: op === "ADD" ? 1 : 3,
          group,
          sem: { kind: "atomic", op, fetch: false, bytes },
        }),
        form({
          name: `atomic_fetch_${lower}${sfx}`,
          opcode,
          match: { imm: AtomicOp[op] | AtomicOp.FETCH },
          uses: ["dst", "src", "off"],
          template: `{s} = atomic_fetch_${lower}((u${bits} *)({D} {off}), {s})`,
          srcStyle: w ? "w" : "r",
          cpu: 3,
          group,
          llvm: w ? "alu32" : "always",
          sem: { kind: "atomic", op, fetch: true, bytes },
        }),
      );
    }
    out.push(
      form({
        name: `xchg${sfx}`,
        opcode,
        match: { imm: AtomicOp.XCHG },
        uses: ["dst", "src", "off"],
        template: w ? "{s} = xchg32_32({D} {off}, {s})" : "{s} = xchg_64({D} {off}, {s})",
        srcStyle: w ? "w" : "r",
        cpu: 3,
        group,
        llvm: w ? "alu32" : "always",
        sem: { kind: "atomic", op: "XCHG", fetch: true, bytes },
      }),
      form({
        name: `cmpxchg${sfx}`,
        opcode,
        match: { imm: AtomicOp.CMPXCHG },
        uses: ["dst", "src", "off"],
        template: w
          ? "w0 = cmpxchg32_32({D} {off}, w0, {s})"
          : "r0 = cmpxchg_64({D} {off}, r0, {s})",
        srcStyle: w ? "w" : "r",
        cpu: 3,
        group,
        llvm: w ? "alu32" : "always",
        sem: { kind: "atomic", op: "CMPXCHG", fetch: true, bytes },
      }),
    );
  }
  // load_acquire / store_release (kernel 6.15, LLVM 20 syntax; llvm-mc-19 does not know them,
  // and llvm-objdump-19 misprints the 32/64-bit load_acquire as `lock ... +=`).
  for (const size of SIZES) {
    const bits = SIZE_BITS[size];
    const bytes = SIZE_BYTES[size];
    const opcode = Class.STX | Mode.ATOMIC | Size[size];
    const reg: RegStyle = size === "DW" ? "r" : "w";
    const s = size.toLowerCase();
    out.push(
      form({
        name: `load_acquire_${s}`,
        opcode,
        match: { imm: AtomicOp.LOAD_ACQ },
        uses: ["dst", "src", "off"],
        template: `{d} = load_acquire((u${bits} *)({S} {off}))`,
        dstStyle: reg,
        cpu: 4,
        group: "kernel",
        llvm: "never",
        llvmMc: false,
        sem: { kind: "load_acquire", bytes },
      }),
      form({
        name: `store_release_${s}`,
        opcode,
        match: { imm: AtomicOp.STORE_REL },
        uses: ["dst", "src", "off"],
        template: `store_release((u${bits} *)({D} {off}), {s})`,
        srcStyle: reg,
        cpu: 4,
        group: "kernel",
        llvm: "never",
        llvmMc: false,
        sem: { kind: "store_release", bytes },
      }),
    );
  }

  // Jumps.
  out.push(
    form({
      name: "ja",
      opcode: Class.JMP | JmpOp.JA,
      match: {},
      uses: ["off"],
      template: "goto {tgt}",
      cpu: 1,
      group: "base32",
      sem: { kind: "ja", wide: false },
    }),
    form({
      name: "gotol",
      opcode: Class.JMP32 | JmpOp.JA,
      match: {},
      uses: ["imm"],
      template: "gotol {ltgt}",
      cpu: 4,
      group: "base32",
      sem: { kind: "ja", wide: true },
    }),
  );
  for (const width of [64, 32] as const) {
    const cls = width === 64 ? Class.JMP : Class.JMP32;
    const reg: RegStyle = width === 64 ? "r" : "w";
    for (const [opName, text] of Object.entries(JMP_TEXT) as [JmpOpName, string][]) {
      const v2 = opName === "JLT" || opName === "JLE" || opName === "JSLT" || opName === "JSLE";
      const cpu = width === 32 ? 3 : v2 ? 2 : 1;
      const group = width === 64 ? "base64" : "base32";
      const lower = opName.toLowerCase();
      out.push(
        form({
          name: `${lower}${width}_imm`,
          opcode: cls | JmpOp[opName] | Source.K,
          match: {},
          uses: ["dst", "off", "imm"],
          template: `if {d} ${text} {imm} goto {tgt}`,
          dstStyle: reg,
          cpu,
          group,
          sem: { kind: "jcond", op: opName, width, source: "K" },
        }),
        form({
          name: `${lower}${width}_reg`,
          opcode: cls | JmpOp[opName] | Source.X,
          match: {},
          uses: ["dst", "src", "off"],
          template: `if {d} ${text} {s} goto {tgt}`,
          dstStyle: reg,
          srcStyle: reg,
          cpu,
          group,
          sem: { kind: "jcond", op: opName, width, source: "X" },
        }),
      );
    }
  }
  const call = Class.JMP | JmpOp.CALL;
  out.push(
    form({
      name: "call",
      opcode: call,
      match: { src: 0 },
      uses: ["imm"],
      template: "call {imm}",
      cpu: 1,
      group: "base32",
      sem: { kind: "call", target: "helper" },
    }),
    form({
      name: "call_local",
      opcode: call,
      match: { src: 1 },
      uses: ["imm"],
      template: "call {imm}",
      cpu: 1,
      group: "base32",
      sem: { kind: "call", target: "local" },
    }),
    form({
      name: "call_kfunc",
      opcode: call,
      match: { src: 2 },
      uses: ["imm"],
      template: "call {imm}",
      cpu: 1,
      group: "base32",
      sem: { kind: "call", target: "kfunc" },
    }),
    // llvm keeps callx's register in dst (the kernel too); src/imm are ignored.
    form({
      name: "callx",
      opcode: call | Source.X,
      match: {},
      uses: ["dst"],
      template: "callx {d}",
      cpu: 4,
      group: "callx",
      sem: { kind: "callx" },
    }),
    form({
      name: "exit",
      opcode: Class.JMP | JmpOp.EXIT,
      match: { imm: 0 },
      uses: [],
      template: "exit",
      cpu: 1,
      group: "base32",
      sem: { kind: "exit" },
    }),
    form({
      name: "may_goto",
      opcode: Class.JMP | JmpOp.JCOND,
      match: {},
      uses: ["off"],
      template: "may_goto {tgt}",
      cpu: 4,
      group: "kernel",
      sem: { kind: "may_goto" },
    }),
  );
  return out;
}

/** Every instruction form, in a stable order. */
export const FORMS: readonly InstructionForm[] = Object.freeze(buildForms());

const BY_NAME = new Map(FORMS.map((f) => [f.name, f]));
const BY_OPCODE: InstructionForm[][] = Array.from({ length: 256 }, () => []);
for (const f of FORMS) BY_OPCODE[f.opcode]!.push(f);
// More specific rows (more fixed fields) first, so a fixed match wins over a catch-all.
for (const list of BY_OPCODE)
  list.sort((a, b) => Object.keys(b.match).length - Object.keys(a.match).length);

/** All forms, for the VM, verifier and tests to iterate. */
export function allForms(): readonly InstructionForm[] {
  return FORMS;
}

export function formByName(name: string): InstructionForm | undefined {
  return BY_NAME.get(name);
}

/** Forms sharing an opcode byte (most specific first). */
export function formsForOpcode(opcode: number): readonly InstructionForm[] {
  return BY_OPCODE[opcode & 0xff] ?? [];
}

/** The form an instruction is an instance of, or undefined when no row describes it. */
export function formOf(insn: Instruction): InstructionForm | undefined {
  for (const f of formsForOpcode(insn.opcode)) {
    if (matches(f, insn)) return f;
  }
  return undefined;
}

export function matches(f: InstructionForm, insn: Instruction): boolean {
  if (f.opcode !== insn.opcode) return false;
  for (const [field, value] of Object.entries(f.match) as [Field, number][]) {
    if (insn[field] !== value) return false;
  }
  return true;
}

/** Fields that are neither operands nor discriminators and are non-zero (the RFC says 0). */
export function reservedNonZero(f: InstructionForm, insn: Instruction): Field[] {
  const out: Field[] = [];
  for (const field of ["dst", "src", "off", "imm"] as const) {
    if (f.uses.includes(field) || field in f.match) continue;
    if (insn[field] !== 0) out.push(field);
  }
  return out;
}
