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
import { type ObjFile, type ObjRelocation, type ObjSection, type ObjSymbol, R_BPF, SHF, SHT, STB, STT } from "../elf/types.js";
import { encodeProgram } from "../isa/index.js";
import { MapType } from "../vm/maps.js";
import type { LaidOut } from "./layout.js";
import { alignOfType, sizeOfType } from "./lower.js";

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
      b = intCache.get("bool") ?? { kind: "int", name: "bool", size: 1, encoding: BTF_INT.BOOL, bits: 8 };
      intCache.set("bool", b as BtfInt);
    } else if (t.kind === "array") {
      b = { kind: "array", type: btfOf(t.element), index: indexType, nelems: t.length };
    } else {
      b = {
        kind: "struct",
        name: t.name,
        size: t.size,
        members: t.fields.map((f) => ({ name: f.name, type: btfOf(f.type), bitOffset: f.offset * 8 })),
      };
    }
    typeCache.set(t, b);
    return b;
  };
  const indexType = arraySizeType();
  const int = btfIntType();

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
  for (const [name, progs] of bySection) {
    const parts: Uint8Array[] = [];
    let at = 0;
    const relocs: ObjRelocation[] = [];
    const es: BtfExtSection = { name, funcInfo: [], lineInfo: [] };
    for (const p of progs) {
      const bytes = encodeProgram(p.code.insns);
      parts.push(bytes);
      symbols.push({ name: p.symbol, section: name, value: at, size: bytes.length, type: STT.FUNC, bind: STB.GLOBAL });
      for (const r of p.code.relocs) relocs.push({ offset: at + r.offset, symbol: r.symbol, type: R_BPF.R_BPF_64_64 });
      const ctxType = contextBtf(p, btfOf);
      const fn: BtfFunc = btfFunc(p.symbol, int, [{ name: "ctx", type: ctxType }], BTF_FUNC_LINKAGE.global);
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
    sections.push({ name, type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.EXECINSTR, data, addralign: 8 });
    if (relocs.length > 0) relocations.set(name, relocs);
    ext.push(es);
  }

  sections.push({ name: "license", type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.WRITE, data: cString(license), addralign: 1 });

  // Global data.
  const vars: DataVar[] = [];
  for (const p of programs) {
    for (const g of p.checked.globals) {
      const size = sizeOfType(g.type);
      vars.push({
        name: p.globalNames.get(g)!,
        section: g.section,
        size,
        align: alignOfType(g.type),
        ...(g.initBytes ? { init: g.initBytes } : {}),
        type: btfOf(g.type),
      });
    }
    if (p.startedFlag)
      vars.push({ name: p.startedFlag, section: ".bss", size: 1, align: 1, type: btfOf({ kind: "bool" }) });
  }
  for (const secName of [".rodata", ".data", ".bss"] as const) {
    const vs = vars.filter((v) => v.section === secName);
    if (vs.length === 0) continue;
    let off = 0;
    const placed: { v: DataVar; off: number }[] = [];
    for (const v of vs) {
      off = Math.ceil(off / v.align) * v.align;
      placed.push({ v, off });
      off += v.size;
    }
    const align = Math.max(...vs.map((v) => v.align), 1);
    const data = new Uint8Array(secName === ".bss" ? 0 : off);
    if (secName !== ".bss") for (const { v, off: o } of placed) if (v.init) data.set(v.init.subarray(0, v.size), o);
    sections.push(
      secName === ".bss"
        ? { name: secName, type: SHT.NOBITS, flags: SHF.ALLOC | SHF.WRITE, data, size: off, addralign: align }
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
      symbols.push({ name: v.name, section: secName, value: o, size: v.size, type: STT.OBJECT, bind: STB.GLOBAL });
      btfVars.push({ var: { kind: "var", name: v.name, type: v.type, linkage: BTF_VAR_LINKAGE.global }, offset: o, size: v.size });
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
      symbols.push({ name, section: ".maps", value: mapsSize, size: def.size, type: STT.OBJECT, bind: STB.GLOBAL });
      mapVars.push({ var: def.var, offset: mapsSize, size: def.size });
      mapsSize += def.size;
    }
  }
  if (mapVars.length > 0) {
    sections.push({ name: ".maps", type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.WRITE, data: new Uint8Array(mapsSize), addralign: 8 });
    types.push(btfDatasec(".maps", mapVars, mapsSize));
  }

  const enc = encodeBtfWithExt(types, ext);
  sections.push({ name: ".BTF", type: SHT.PROGBITS, flags: 0, data: enc.btf, addralign: 4 });
  if (enc.btfExt) sections.push({ name: ".BTF.ext", type: SHT.PROGBITS, flags: 0, data: enc.btfExt, addralign: 4 });

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
      members: c.fields.map((f) => ({ name: f.name, type: btfOf(intOf(f.size)), bitOffset: f.offset * 8 })),
    },
  };
}

function cString(s: string): Uint8Array {
  const b = new TextEncoder().encode(s);
  const out = new Uint8Array(b.length + 1);
  out.set(b);
  return out;
}
