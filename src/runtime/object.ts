// Opening a linux-7.1 object for loading (docs/linux-7.1.md, "What the object holds"): the
// struct_ops programs, their `.struct_ops.link` maps, the global-variable sections with their
// BTF variables, the `.maps` definitions and the kfunc call sites. Never throws.
import type { Diagnostic } from "../diagnostics/index.js";
import { readElf } from "../elf/reader.js";
import { objectBtf } from "../elf/object-btf.js";
import type { BtfDatasec, BtfType, DecodedBtf } from "../elf/btf.js";
import type { DecodedBtfExt } from "../elf/btf-ext.js";
import type { ObjFile, ObjRelocation, ObjSection } from "../elf/types.js";
import { R_BPF, SHT, STT } from "../elf/types.js";
import { RuntimeCodes } from "./codes.js";

export interface GlobalVar {
  name: string;
  section: string;
  offset: number;
  size: number;
  signed: boolean;
}

export interface DataSection {
  /** `.rodata`, `.data` or `.bss` (or `.rodata.*` / `.data.*`). */
  name: string;
  size: number;
  /** Initial contents (zeros for `.bss`). */
  init: Uint8Array;
  /** The section's DATASEC in the object's BTF, when there is one. */
  datasec?: BtfDatasec;
  vars: GlobalVar[];
  readonly: boolean;
}

export interface MapDef {
  name: string;
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  /** Offset of the definition in `.maps` (relocations point there). */
  offset: number;
}

export interface KfuncCall {
  name: string;
  /** Instruction index of the call in its program. */
  insn: number;
}

export interface Program {
  name: string;
  section: string;
  /** The section's instructions (a copy; the loader patches it). */
  insns: Uint8Array;
  relocations: ObjRelocation[];
  kfuncs: KfuncCall[];
}

export interface StructOpsMap {
  name: string;
  /** Offset and size of the variable in `.struct_ops.link`. */
  offset: number;
  size: number;
  /** The program `loop_step` is relocated to. */
  program: string;
  /** The variable's type in the object's BTF (its own copy of `struct io_uring_bpf_ops`). */
  type?: BtfType;
}

export interface OpenedObject {
  file: string;
  elf: ObjFile;
  btf?: DecodedBtf;
  ext?: DecodedBtfExt;
  license: string;
  programs: Program[];
  structOps: StructOpsMap[];
  data: DataSection[];
  maps: MapDef[];
}

const DATA_SECTION = /^\.(rodata|data|bss)(\..*)?$/;

function unwrap(t: BtfType): BtfType {
  for (;;) {
    if (
      t.kind === "typedef" ||
      t.kind === "const" ||
      t.kind === "volatile" ||
      t.kind === "restrict" ||
      t.kind === "type_tag"
    )
      t = t.type;
    else return t;
  }
}

function isSigned(t: BtfType): boolean {
  const u = unwrap(t);
  return (u.kind === "int" && (u.encoding & 1) === 1) || (u.kind === "enum" && u.signed);
}

export function openObject(
  bytes: Uint8Array,
  file = "<object>",
):
  | { object: OpenedObject; diagnostics: Diagnostic[] }
  | { object?: undefined; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const err = (code: string, message: string): { diagnostics: Diagnostic[] } => {
    diagnostics.push({ code, severity: "error", message, file });
    return { diagnostics };
  };
  const read = readElf(bytes, file);
  if (!read.object) return { diagnostics: read.diagnostics };
  const elf = read.object;
  const { btf, ext, diagnostics: btfDiags } = objectBtf(elf, file);
  if (btfDiags.some((d) => d.severity === "error")) return { diagnostics: btfDiags };
  const section = (n: string): ObjSection | undefined => elf.sections.find((s) => s.name === n);

  const progSections = elf.sections.filter(
    (s) => s.name.startsWith("struct_ops.s/") || s.name.startsWith("struct_ops/"),
  );
  const soSection = section(".struct_ops.link") ?? section(".struct_ops");
  if (progSections.length === 0 || !soSection)
    return err(
      RuntimeCodes.notLinux71,
      `not a linux-7.1 object: ${progSections.length === 0 ? "no 'struct_ops.s/' program section" : "no '.struct_ops.link' map"} (compile with --target linux-7.1)`,
    );
  const symbolsIn = (sec: string) => elf.symbols.filter((s) => s.section === sec);
  const undefinedNames = new Set(
    elf.symbols.filter((s) => s.section === undefined && s.shndx === undefined).map((s) => s.name),
  );

  const programs: Program[] = [];
  for (const s of progSections) {
    const funcs = symbolsIn(s.name).filter((x) => x.type === STT.FUNC);
    const name = funcs.find((f) => f.value === 0)?.name ?? s.name.slice(s.name.indexOf("/") + 1);
    const insns = new Uint8Array(s.data);
    const relocations = elf.relocations.get(s.name) ?? [];
    const kfuncs: KfuncCall[] = [];
    for (const r of relocations) {
      if (typeof r.symbol !== "string" || !undefinedNames.has(r.symbol)) continue;
      const i = r.offset / 8;
      if (!Number.isInteger(i) || r.offset + 8 > insns.length) continue;
      if (insns[r.offset] === 0x85) kfuncs.push({ name: r.symbol, insn: i });
    }
    programs.push({ name, section: s.name, insns, relocations, kfuncs });
  }

  const structOps: StructOpsMap[] = [];
  const soRelocs = elf.relocations.get(soSection.name) ?? [];
  const soDatasec = btf?.types.find(
    (t): t is BtfDatasec => t.kind === "datasec" && t.name === soSection.name,
  );
  for (const sym of symbolsIn(soSection.name).filter((x) => x.type === STT.OBJECT)) {
    // loop_step is the first member (offset 0 in the kernel's and the object's layout).
    const rel = soRelocs.find((r) => r.offset === sym.value && r.type === R_BPF.R_BPF_64_ABS64);
    const target = rel && typeof rel.symbol === "string" ? rel.symbol : undefined;
    if (!target) continue;
    const v = soDatasec?.vars.find((x) => x.type.name === sym.name);
    structOps.push({
      name: sym.name,
      offset: sym.value,
      size: sym.size,
      program: target,
      ...(v && v.type.kind === "var" ? { type: v.type.type } : {}),
    });
  }
  if (structOps.length === 0)
    return err(
      RuntimeCodes.notLinux71,
      `'${soSection.name}' holds no struct_ops map whose loop_step points to a program`,
    );

  const data: DataSection[] = [];
  for (const s of elf.sections) {
    if (!DATA_SECTION.test(s.name) || (s.type !== SHT.PROGBITS && s.type !== SHT.NOBITS)) continue;
    const size = s.type === SHT.NOBITS ? (s.size ?? 0) : s.data.length;
    const datasec = btf?.types.find(
      (t): t is BtfDatasec => t.kind === "datasec" && t.name === s.name,
    );
    const vars: GlobalVar[] = [];
    const syms = symbolsIn(s.name).filter((x) => x.type === STT.OBJECT);
    for (const sym of syms) {
      const bv = datasec?.vars.find((v) => v.type.name === sym.name);
      const signed = bv && bv.type.kind === "var" ? isSigned(bv.type.type) : false;
      vars.push({
        name: sym.name,
        section: s.name,
        offset: sym.value,
        size: sym.size || bv?.size || 0,
        signed,
      });
    }
    vars.sort((a, b) => a.offset - b.offset);
    data.push({
      name: s.name,
      size,
      init: s.type === SHT.NOBITS ? new Uint8Array(size) : new Uint8Array(s.data),
      ...(datasec ? { datasec } : {}),
      vars,
      readonly: s.name.startsWith(".rodata"),
    });
  }

  const maps: MapDef[] = [];
  const mapsSec = section(".maps");
  if (mapsSec) {
    const ds = btf?.types.find((t): t is BtfDatasec => t.kind === "datasec" && t.name === ".maps");
    for (const sym of symbolsIn(".maps")) {
      const v = ds?.vars.find((x) => x.type.name === sym.name);
      const st = v && v.type.kind === "var" ? unwrap(v.type.type) : undefined;
      if (!st || st.kind !== "struct")
        return err(RuntimeCodes.badObject, `map '${sym.name}' has no BTF definition in '.maps'`);
      const def: MapDef = {
        name: sym.name,
        type: 0,
        keySize: 0,
        valueSize: 0,
        maxEntries: 0,
        offset: sym.value,
      };
      for (const m of st.members) {
        const mt = unwrap(m.type);
        // __uint(name, N) is `int (*name)[N]`; __type(key, T) is `T *key`.
        const arrayN = mt.kind === "ptr" ? unwrap(mt.target) : undefined;
        const n = arrayN?.kind === "array" ? arrayN.nelems : undefined;
        const sizeOf = (t: BtfType): number => {
          const u = unwrap(t);
          return "size" in u && typeof u.size === "number" ? u.size : u.kind === "ptr" ? 8 : 0;
        };
        if (m.name === "type" && n !== undefined) def.type = n;
        else if (m.name === "max_entries" && n !== undefined) def.maxEntries = n;
        else if (m.name === "key_size" && n !== undefined) def.keySize = n;
        else if (m.name === "value_size" && n !== undefined) def.valueSize = n;
        else if (m.name === "key" && mt.kind === "ptr") def.keySize = sizeOf(mt.target);
        else if (m.name === "value" && mt.kind === "ptr") def.valueSize = sizeOf(mt.target);
      }
      if (def.type === 0) return err(RuntimeCodes.badObject, `map '${sym.name}' has no type`);
      maps.push(def);
    }
  }

  const licSec = section("license");
  const license = licSec ? new TextDecoder().decode(licSec.data).replace(/\0[\s\S]*$/, "") : "";
  return {
    object: {
      file,
      elf,
      ...(btf ? { btf } : {}),
      ...(ext ? { ext } : {}),
      license,
      programs,
      structOps,
      data,
      maps,
    },
    diagnostics: [...read.diagnostics, ...btfDiags],
  };
}

/** The .rodata variables a loader may set (declare const + ring geometry). */
export function rodataVars(o: OpenedObject): GlobalVar[] {
  return o.data.filter((d) => d.readonly).flatMap((d) => d.vars);
}

/** The .bss/.data variables reported after a run. */
export function resultVars(o: OpenedObject): GlobalVar[] {
  return o.data.filter((d) => !d.readonly).flatMap((d) => d.vars);
}

/** Writes `value` into `buf` at the variable's offset (little-endian, truncated to its size). */
export function writeVar(buf: Uint8Array, v: GlobalVar, value: bigint): void {
  let x = BigInt.asUintN(v.size * 8, value);
  for (let i = 0; i < v.size; i++) {
    buf[v.offset + i] = Number(x & 0xffn);
    x >>= 8n;
  }
}

export function readVar(buf: Uint8Array, v: GlobalVar): bigint {
  let x = 0n;
  for (let i = v.size - 1; i >= 0; i--) x = (x << 8n) | BigInt(buf[v.offset + i] ?? 0);
  return v.signed ? BigInt.asIntN(v.size * 8, x) : x;
}
