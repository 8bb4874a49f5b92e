// Builds the loadable object (elf.md): program sections, global data sections with
// STT_OBJECT symbols, BTF-defined maps in `.maps`, `license`, `.BTF` (types, FUNC →
// FUNC_PROTO per program, DATASECs) and `.BTF.ext` (func_info, line_info quoting the
// `.bpf.ts` lines).
import type { CheckedProgram, GlobalSymbol, MapDef } from "../check/symbols.js";
import type { DataType } from "../check/types.js";
import {
  BTF_FUNC_LINKAGE,
  BTF_INT,
  BTF_VAR_LINKAGE,
  type BtfFunc,
  type BtfInt,
  type BtfType,
  type BtfVar,
  arraySizeType,
  btfDatasec,
  btfFunc,
  btfIntType,
  btfMapDef,
  VOID,
} from "../elf/btf.js";
import { type BtfExtSection, encodeBtfWithExt } from "../elf/btf-ext.js";
import {
  type ObjFile,
  type ObjRelocation,
  type ObjSection,
  type ObjSymbol,
  R_BPF,
  SHF,
  SHT,
  STB,
  STT,
} from "../elf/types.js";
import { encodeProgram } from "../isa/index.js";
import { MapType } from "../targets/bpf-abi.js";
import type { LaidOut } from "./layout.js";
import { INT_TYPES, alignOf, sizeOf } from "../check/types.js";
import {
  EMIT_MAP,
  EMIT_MAP_BYTES,
  KFUNC_GET_REGION,
  KFUNC_ITER_DESTROY,
  KFUNC_ITER_NEW,
  KFUNC_ITER_NEXT,
  KFUNC_SUBMIT_SQES,
  STRUCT_OPS_SIZE,
  STRUCT_OPS_TYPE,
  opsMapSymbol,
} from "../targets/linux-7.1/plumbing.js";
import { targetCodegen } from "../targets/registry.js";

export interface ProgramOutput {
  checked: CheckedProgram;
  section: string;
  symbol: string;
  code: LaidOut;
  /** Source lines of the program's file (for line_info text). */
  sourceLines: string[];
  /** Global → symbol name. */
  globalNames: Map<GlobalSymbol, string>;
  mapNames: Map<MapDef, string>;
  startedFlag?: string;
  extraVars?: readonly ExtraVar[];
  /** Read-only strings (trace formats): local symbols placed in `.rodata` after the globals. */
  strings?: { symbol: string; bytes: Uint8Array }[];
}

/** What the data placement needs of a program (known before lowering). */
export interface DataOwner {
  checked: CheckedProgram;
  globalNames: Map<GlobalSymbol, string>;
  startedFlag?: string;
  /** Target plumbing globals (linux-7.1 geometry and state); the same name is placed once. */
  extraVars?: readonly ExtraVar[];
}

/** A plumbing global the target's code generation declares. */
export interface ExtraVar {
  name: string;
  section: ".rodata" | ".bss";
  size: 1 | 4;
  signed: boolean;
}

/** Where a global lives: its section and byte offset there. */
export interface DataPlace {
  section: ".data" | ".rodata" | ".bss";
  offset: number;
}

export interface DataLayout {
  /** Symbol name → place. */
  places: Map<string, DataPlace>;
  /** Section → the symbol at offset 0 (an address anchor for section-relative accesses). */
  anchors: Map<string, string>;
}

interface DataVar {
  name: string;
  section: ".data" | ".rodata" | ".bss";
  size: number;
  align: number;
  init?: Uint8Array;
  type: BtfType;
}

const MAP_KIND_TYPE: Record<string, number> = {
  HashMap: MapType.HASH,
  ArrayMap: MapType.ARRAY,
  PerCpuArrayMap: MapType.PERCPU_ARRAY,
  RingBuf: MapType.RINGBUF,
};

function dataVars(programs: readonly DataOwner[], btfOf: (t: DataType) => BtfType): DataVar[] {
  const vars: DataVar[] = [];
  for (const p of programs) {
    for (const g of p.checked.globals) {
      const size = sizeOf(g.type);
      vars.push({
        name: p.globalNames.get(g)!,
        section: g.section,
        size,
        align: alignOf(g.type),
        ...(g.initBytes ? { init: g.initBytes } : {}),
        type: btfOf(g.type),
      });
    }
    for (const x of p.extraVars ?? []) {
      if (vars.some((v) => v.name === x.name)) continue;
      vars.push({
        name: x.name,
        section: x.section,
        size: x.size,
        align: x.size,
        type: btfOf(x.size === 1 ? INT_TYPES.u8 : x.signed ? INT_TYPES.i32 : INT_TYPES.u32),
      });
    }
    if (p.startedFlag)
      vars.push({
        name: p.startedFlag,
        section: ".bss",
        size: 1,
        align: 1,
        type: btfOf({ kind: "bool" }),
      });
  }
  return vars;
}

function placeVars(vs: readonly DataVar[]): { placed: { v: DataVar; off: number }[]; end: number } {
  let off = 0;
  const placed: { v: DataVar; off: number }[] = [];
  for (const v of vs) {
    off = Math.ceil(off / v.align) * v.align;
    placed.push({ v, off });
    off += v.size;
  }
  return { placed, end: off };
}

/**
 * The placement of every global in its data section, as buildObject will make it (so the
 * lowering can address globals relative to one another). `startedFlag` must be set exactly
 * for the programs whose code uses it.
 */
export function layoutData(programs: readonly DataOwner[]): DataLayout {
  const vars = dataVars(programs, () => VOID);
  const places = new Map<string, DataPlace>();
  const anchors = new Map<string, string>();
  for (const secName of [".rodata", ".data", ".bss"] as const) {
    const { placed } = placeVars(vars.filter((v) => v.section === secName));
    for (const { v, off } of placed) {
      places.set(v.name, { section: secName, offset: off });
      if (off === 0 && !anchors.has(secName)) anchors.set(secName, v.name);
    }
  }
  return { places, anchors };
}

export function buildObject(programs: ProgramOutput[], license: string): ObjFile {
  const types: BtfType[] = [];
  const intCache = new Map<string, BtfInt>();
  const typeCache = new Map<DataType, BtfType>();
  const btfOf = (t: DataType): BtfType => {
    const c = typeCache.get(t);
    if (c) return c;
    let b: BtfType;
    if (t.kind === "int") {
      b = intCache.get(t.name) ?? btfIntType(t.name, t.bits / 8, t.signed);
      intCache.set(t.name, b as BtfInt);
    } else if (t.kind === "bool") {
      b = intCache.get("bool") ?? {
        kind: "int",
        name: "bool",
        size: 1,
        encoding: BTF_INT.BOOL,
        bits: 8,
      };
      intCache.set("bool", b as BtfInt);
    } else if (t.kind === "array") {
      b = { kind: "array", type: btfOf(t.element), index: indexType, nelems: t.length };
    } else {
      b = {
        kind: "struct",
        name: t.name,
        size: t.size,
        members: t.fields.map((f) => ({
          name: f.name,
          type: btfOf(f.type),
          bitOffset: f.offset * 8,
        })),
      };
    }
    typeCache.set(t, b);
    return b;
  };
  const indexType = arraySizeType();
  const int = btfIntType();
  const structOps = structOpsBtf(int, btfOf);
  const kfuncsUsed = new Set<string>();
  let emitMapUsed = false;

  const sections: ObjSection[] = [];
  const symbols: ObjSymbol[] = [];
  const relocations = new Map<string, ObjRelocation[]>();
  const ext: BtfExtSection[] = [];

  // Program sections (several programs may share one, as on iouring-v1).
  const bySection = new Map<string, ProgramOutput[]>();
  for (const p of programs) {
    const l = bySection.get(p.section) ?? [];
    l.push(p);
    bySection.set(p.section, l);
  }
  // Strings go into .rodata after its globals; code refers to them as the assemblers do, by
  // the section symbol with the string's offset in the ld_imm64 immediate.
  const vars = dataVars(programs, btfOf);
  const strings = programs.flatMap((p) => p.strings ?? []);
  const stringOff = new Map<string, number>();
  {
    let off = placeVars(vars.filter((v) => v.section === ".rodata")).end;
    for (const s of strings) {
      stringOff.set(s.symbol, off);
      off += s.bytes.length;
    }
  }
  for (const [name, progs] of bySection) {
    const parts: Uint8Array[] = [];
    let at = 0;
    const relocs: ObjRelocation[] = [];
    const es: BtfExtSection = { name, funcInfo: [], lineInfo: [] };
    for (const p of progs) {
      const insns = [...p.code.insns];
      for (const r of p.code.relocs) {
        const so = stringOff.get(r.symbol);
        if (so === undefined) continue;
        const i = p.code.offsets.indexOf(r.offset);
        insns[i] = { ...insns[i]!, imm: so, imm64: BigInt(so) };
      }
      const bytes = encodeProgram(insns);
      parts.push(bytes);
      symbols.push({
        name: p.symbol,
        section: name,
        value: at,
        size: bytes.length,
        type: STT.FUNC,
        bind: STB.GLOBAL,
      });
      for (const r of p.code.relocs) {
        // A call relocated against a symbol is a kfunc call (R_BPF_64_32, as clang writes it).
        const isCall = insns[p.code.offsets.indexOf(r.offset)]?.opcode === 0x85;
        if (isCall) kfuncsUsed.add(r.symbol);
        if (r.symbol === EMIT_MAP) emitMapUsed = true;
        relocs.push({
          offset: at + r.offset,
          symbol: stringOff.has(r.symbol) ? { section: ".rodata" } : r.symbol,
          type: isCall ? R_BPF.R_BPF_64_32 : R_BPF.R_BPF_64_64,
        });
      }
      const fn: BtfFunc = btfFunc(
        p.symbol,
        int,
        targetCodegen(p.checked.target).funcProto === "structOps"
          ? structOps.params()
          : [{ name: "ctx", type: contextBtf(p, btfOf) }],
        BTF_FUNC_LINKAGE.global,
      );
      types.push(fn);
      es.funcInfo!.push({ insnOff: at, type: fn });
      for (const l of p.code.lines) {
        es.lineInfo!.push({
          insnOff: at + l.offset,
          fileName: p.checked.file,
          lineText: (p.sourceLines[l.line - 1] ?? "").trim(),
          line: l.line,
          col: l.col,
        });
      }
      at += bytes.length;
    }
    const data = new Uint8Array(at);
    let o = 0;
    for (const part of parts) {
      data.set(part, o);
      o += part.length;
    }
    sections.push({
      name,
      type: SHT.PROGBITS,
      flags: SHF.ALLOC | SHF.EXECINSTR,
      data,
      addralign: 8,
    });
    if (relocs.length > 0) relocations.set(name, relocs);
    ext.push(es);
  }

  sections.push({
    name: "license",
    type: SHT.PROGBITS,
    flags: SHF.ALLOC | SHF.WRITE,
    data: cString(license),
    addralign: 1,
  });

  // Global data.
  for (const secName of [".rodata", ".data", ".bss"] as const) {
    const vs = vars.filter((v) => v.section === secName);
    const strs = secName === ".rodata" ? strings : [];
    if (vs.length === 0 && strs.length === 0) continue;
    const laid = placeVars(vs);
    const placed = laid.placed;
    let off = laid.end;
    // Strings after the globals, so the globals' places do not depend on them.
    const strPlaced: { symbol: string; bytes: Uint8Array; off: number }[] = [];
    for (const s of strs) {
      strPlaced.push({ ...s, off });
      off += s.bytes.length;
    }
    const align = Math.max(...vs.map((v) => v.align), 1);
    const data = new Uint8Array(secName === ".bss" ? 0 : off);
    if (secName !== ".bss")
      for (const { v, off: o } of placed) if (v.init) data.set(v.init.subarray(0, v.size), o);
    for (const s of strPlaced) data.set(s.bytes, s.off);
    sections.push(
      secName === ".bss"
        ? {
            name: secName,
            type: SHT.NOBITS,
            flags: SHF.ALLOC | SHF.WRITE,
            data,
            size: off,
            addralign: align,
          }
        : {
            name: secName,
            type: SHT.PROGBITS,
            flags: secName === ".rodata" ? SHF.ALLOC : SHF.ALLOC | SHF.WRITE,
            data,
            addralign: align,
          },
    );
    const btfVars: { var: BtfVar; offset: number; size: number }[] = [];
    for (const { v, off: o } of placed) {
      symbols.push({
        name: v.name,
        section: secName,
        value: o,
        size: v.size,
        type: STT.OBJECT,
        bind: STB.GLOBAL,
      });
      btfVars.push({
        var: { kind: "var", name: v.name, type: v.type, linkage: BTF_VAR_LINKAGE.global },
        offset: o,
        size: v.size,
      });
    }
    for (const s of strPlaced) {
      // As clang's `static const char ____fmt[]`: a local object with a static BTF VAR.
      symbols.push({
        name: s.symbol,
        section: secName,
        value: s.off,
        size: s.bytes.length,
        type: STT.OBJECT,
        bind: STB.LOCAL,
      });
      const charType = intCache.get("char") ?? btfIntType("char", 1, true);
      intCache.set("char", charType as BtfInt);
      const arr: BtfType = {
        kind: "array",
        type: { kind: "const", type: charType },
        index: indexType,
        nelems: s.bytes.length,
      };
      btfVars.push({
        var: { kind: "var", name: s.symbol, type: arr, linkage: BTF_VAR_LINKAGE.static },
        offset: s.off,
        size: s.bytes.length,
      });
    }
    types.push(btfDatasec(secName, btfVars, off));
  }

  // Maps.
  const mapVars: { var: BtfVar; offset: number; size: number }[] = [];
  let mapsSize = 0;
  for (const p of programs) {
    for (const m of p.checked.maps) {
      const name = p.mapNames.get(m)!;
      const def = btfMapDef(
        m.mapKind === "RingBuf" || !m.type
          ? { name, type: MAP_KIND_TYPE[m.mapKind]!, maxEntries: m.maxEntries, int, indexType }
          : {
              name,
              type: MAP_KIND_TYPE[m.mapKind]!,
              maxEntries: m.maxEntries,
              key: btfOf(m.type.key),
              value: btfOf(m.type.value),
              int,
              indexType,
            },
      );
      symbols.push({
        name,
        section: ".maps",
        value: mapsSize,
        size: def.size,
        type: STT.OBJECT,
        bind: STB.GLOBAL,
      });
      mapVars.push({ var: def.var, offset: mapsSize, size: def.size });
      mapsSize += def.size;
    }
  }
  if (
    emitMapUsed &&
    !programs.some((p) => p.mapNames.size && [...p.mapNames.values()].includes(EMIT_MAP))
  ) {
    // linux-7.1 emit records (docs/linux-7.1.md): a 64 KiB BPF_MAP_TYPE_RINGBUF.
    const def = btfMapDef({
      name: EMIT_MAP,
      type: MapType.RINGBUF,
      maxEntries: EMIT_MAP_BYTES,
      int,
      indexType,
    });
    symbols.push({
      name: EMIT_MAP,
      section: ".maps",
      value: mapsSize,
      size: def.size,
      type: STT.OBJECT,
      bind: STB.GLOBAL,
    });
    mapVars.push({ var: def.var, offset: mapsSize, size: def.size });
    mapsSize += def.size;
  }
  if (mapVars.length > 0) {
    sections.push({
      name: ".maps",
      type: SHT.PROGBITS,
      flags: SHF.ALLOC | SHF.WRITE,
      data: new Uint8Array(mapsSize),
      addralign: 8,
    });
    types.push(btfDatasec(".maps", mapVars, mapsSize));
  }

  // linux-7.1: one struct_ops map per program in `.struct_ops.link`, loop_step relocated to it.
  const opsProgs = programs.filter(
    (p) => targetCodegen(p.checked.target).entry === "structOpsLoop",
  );
  if (opsProgs.length > 0) {
    const opsVars: { var: BtfVar; offset: number; size: number }[] = [];
    const relocs: ObjRelocation[] = [];
    opsProgs.forEach((p, i) => {
      const name = opsMapSymbol(p.symbol);
      const off = i * STRUCT_OPS_SIZE;
      symbols.push({
        name,
        section: ".struct_ops.link",
        value: off,
        size: STRUCT_OPS_SIZE,
        type: STT.OBJECT,
        bind: STB.GLOBAL,
      });
      relocs.push({ offset: off, symbol: p.symbol, type: R_BPF.R_BPF_64_ABS64 });
      opsVars.push({
        var: { kind: "var", name, type: structOps.opsType, linkage: BTF_VAR_LINKAGE.global },
        offset: off,
        size: STRUCT_OPS_SIZE,
      });
    });
    sections.push({
      name: ".struct_ops.link",
      type: SHT.PROGBITS,
      flags: SHF.ALLOC | SHF.WRITE,
      data: new Uint8Array(opsProgs.length * STRUCT_OPS_SIZE),
      addralign: 8,
    });
    relocations.set(".struct_ops.link", relocs);
    types.push(btfDatasec(".struct_ops.link", opsVars));
  }
  // Kfuncs: undefined global symbols, BTF extern FUNCs listed in the `.ksyms` DATASEC.
  if (kfuncsUsed.size > 0) {
    const ksyms: { var: BtfFunc; offset: number; size: number }[] = [];
    for (const k of [...kfuncsUsed].sort()) {
      symbols.push({ name: k, value: 0, size: 0, type: STT.NOTYPE, bind: STB.GLOBAL });
      const f = structOps.kfunc(k);
      types.push(f);
      ksyms.push({ var: f, offset: 0, size: 0 });
    }
    types.push({
      kind: "datasec",
      name: ".ksyms",
      size: 0,
      vars: ksyms.map((k) => ({ type: k.var, offset: 0, size: 0 })),
    });
  }

  const enc = encodeBtfWithExt(types, ext);
  sections.push({ name: ".BTF", type: SHT.PROGBITS, flags: 0, data: enc.btf, addralign: 4 });
  if (enc.btfExt)
    sections.push({
      name: ".BTF.ext",
      type: SHT.PROGBITS,
      flags: 0,
      data: enc.btfExt,
      addralign: 4,
    });

  const first = programs[0]?.checked.file;
  return {
    sections,
    symbols,
    relocations,
    ...(first ? { fileName: first.split(/[\\/]/).pop()! } : {}),
  };
}

function contextBtf(p: ProgramOutput, btfOf: (t: DataType) => BtfType): BtfType {
  const c = p.checked.target.context;
  if (c.kind !== "struct") return { kind: "ptr", target: VOID };
  const intOf = (size: number): DataType => ({
    kind: "int",
    name: size === 8 ? "u64" : size === 4 ? "u32" : size === 2 ? "u16" : "u8",
    bits: (size * 8) as 8 | 16 | 32 | 64,
    signed: false,
  });
  return {
    kind: "ptr",
    target: {
      kind: "struct",
      name: c.name,
      size: c.size,
      members: c.fields.map((f) => ({
        name: f.name,
        type: btfOf(intOf(f.size)),
        bitOffset: f.offset * 8,
      })),
    },
  };
}

function cString(s: string): Uint8Array {
  const b = new TextEncoder().encode(s);
  const out = new Uint8Array(b.length + 1);
  out.set(b);
  return out;
}

/**
 * The BTF of linux-7.1's struct_ops (docs/linux-7.1.md): the program's FUNC_PROTO
 * `int (struct iou_ctx *ctx, struct iou_loop_params *lp)`, `struct io_uring_bpf_ops`
 * and the kfunc prototypes, with the kernel's names so libbpf matches them against vmlinux.
 * Exported for the verifier cases' loadable objects (test/verifier/build71.ts).
 */
export function structOpsBtf(int: BtfInt, btfOf: (t: DataType) => BtfType) {
  const u32: BtfType = { kind: "typedef", name: "__u32", type: btfOf(INT_TYPES.u32) };
  const u8: BtfType = { kind: "typedef", name: "__u8", type: btfOf(INT_TYPES.u8) };
  // An empty struct (not a FWD): libbpf's kfunc prototype check compares kinds.
  const ctxPtr: BtfType = {
    kind: "ptr",
    target: { kind: "struct", name: "iou_ctx", size: 0, members: [] },
  };
  const lpPtr: BtfType = {
    kind: "ptr",
    target: {
      kind: "struct",
      name: "iou_loop_params",
      size: 4,
      members: [{ name: "cq_wait_idx", type: u32, bitOffset: 0 }],
    },
  };
  // The program itself takes the u64 argument array, as libbpf's BPF_PROG declares it:
  // `int P(unsigned long long *ctx)`; ctx[0] is the iou_ctx, ctx[1] the loop params.
  const ull: BtfType = { kind: "int", name: "unsigned long long", size: 8, encoding: 0, bits: 64 };
  const params = (): { name: string; type: BtfType }[] => [
    { name: "ctx", type: { kind: "ptr", target: ull } },
  ];
  const iterPtr: BtfType = {
    kind: "ptr",
    target: {
      kind: "struct",
      name: "bpf_iter_num",
      size: 8,
      members: [
        {
          name: "__opaque",
          type: {
            kind: "array",
            type: { kind: "typedef", name: "__u64", type: btfOf(INT_TYPES.u64) },
            index: arraySizeType(),
            nelems: 1,
          },
          bitOffset: 0,
        },
      ],
    },
  };
  const loopStep: BtfType = {
    kind: "ptr",
    target: {
      kind: "func_proto",
      return: int,
      params: [
        { name: "", type: ctxPtr },
        { name: "", type: lpPtr },
      ],
    },
  };
  const opsType: BtfType = {
    kind: "struct",
    name: STRUCT_OPS_TYPE,
    size: STRUCT_OPS_SIZE,
    members: [
      { name: "loop_step", type: loopStep, bitOffset: 0 },
      { name: "ring_fd", type: u32, bitOffset: 64 },
      { name: "priv", type: { kind: "ptr", target: VOID }, bitOffset: 128 },
    ],
  };
  const sizeT: BtfType = {
    kind: "typedef",
    name: "size_t",
    type: { kind: "int", name: "unsigned long", size: 8, encoding: 0, bits: 64 },
  };
  const kfunc = (name: string): BtfFunc => {
    if (name === KFUNC_GET_REGION)
      return btfFunc(
        name,
        { kind: "ptr", target: u8 },
        [
          { name: "ctx", type: ctxPtr },
          { name: "region_id", type: u32 },
          { name: "rdwr_buf_size", type: { kind: "const", type: sizeT } },
        ],
        BTF_FUNC_LINKAGE.extern,
      );
    if (name === KFUNC_SUBMIT_SQES)
      return btfFunc(
        name,
        int,
        [
          { name: "ctx", type: ctxPtr },
          { name: "nr", type: u32 },
        ],
        BTF_FUNC_LINKAGE.extern,
      );
    if (name === KFUNC_ITER_NEW)
      return btfFunc(
        name,
        int,
        [
          { name: "it", type: iterPtr },
          { name: "start", type: int },
          { name: "end", type: int },
        ],
        BTF_FUNC_LINKAGE.extern,
      );
    if (name === KFUNC_ITER_NEXT)
      return btfFunc(
        name,
        { kind: "ptr", target: int },
        [{ name: "it", type: iterPtr }],
        BTF_FUNC_LINKAGE.extern,
      );
    if (name === KFUNC_ITER_DESTROY)
      return btfFunc(name, VOID, [{ name: "it", type: iterPtr }], BTF_FUNC_LINKAGE.extern);
    throw new Error(`codegen: unknown kfunc ${name}`);
  };
  return { params, opsType, kfunc };
}
