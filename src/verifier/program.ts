// From an ObjFile to the programs the verifier walks: each program's instructions flattened
// as a loader links them (the program, then every code section its BPF-to-BPF calls reach),
// ld_imm64 relocations resolved to maps (`.maps` through BTF) and global data (`.data`,
// `.rodata`, `.bss`), call targets resolved, and the static checks the kernel makes before
// walking any path (jump ranges, subprogram boundaries, last instruction, unreachable code).
import { decodeBtf, skipModsAndTypedefs, type BtfType } from "../elf/btf.js";
import {
  type ObjFile,
  type ObjRelocation,
  type ObjSection,
  type ObjSymbol,
  SHF,
  SHT,
  STT,
} from "../elf/types.js";
import { decodeInstruction, type Decoded } from "../isa/decode.js";
import { formatWithForm } from "../isa/text.js";
import { VerifierCodes } from "./codes.js";
import { prepassLinked } from "./prepass.js";

export interface MapInfo {
  name: string;
  /** BPF_MAP_TYPE_*; global data sections are arrays (2). */
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  readOnly: boolean;
  /** The section contents for global data (lets `.rodata` loads be constants). */
  data?: Uint8Array;
  frozen: boolean;
}

export type LdRef =
  { kind: "map"; map: number } | { kind: "mapValue"; map: number; offset: number };

export interface Insn {
  /** Index in the flat program (slots of 8 bytes). */
  pc: number;
  d: Decoded;
  /** llvm-objdump text. */
  text: string;
  section: string;
  /** Byte offset in its section (for line_info lookups). */
  byteOffset: number;
  ld?: LdRef;
  /** Resolved pc of a BPF-to-BPF call. */
  callTarget?: number;
  /** A call relocated against an undefined symbol: the kfunc's name (linux-7.1). */
  kfunc?: string;
}

export interface Problem {
  code: string;
  message: string;
  pc?: number;
  hint?: string;
  /** Set on the "kfunc call" problem, which targets with kfuncs drop (the engine checks the call). */
  kfunc?: string;
}

export interface LinkedProgram {
  name: string;
  section: string;
  /** slot → instruction; the second slot of ld_imm64 is undefined. */
  insns: (Insn | undefined)[];
  /** Sorted start pcs of subprograms (0 is the program itself). */
  subprogs: number[];
  maps: MapInfo[];
  license: string;
  problems: Problem[];
}

export function isCodeSection(s: ObjSection): boolean {
  return s.type === SHT.PROGBITS && (s.flags & SHF.EXECINSTR) !== 0 && s.data.length > 0;
}

function isDataSection(name: string): boolean {
  return /^\.(data|rodata|bss)(\.|$)/.test(name);
}

/** The programs of an object: global functions in code sections other than `.text`. */
export function programEntries(
  obj: ObjFile,
): { name: string; section: ObjSection; start: number; end: number }[] {
  const out: { name: string; section: ObjSection; start: number; end: number }[] = [];
  // Global functions grouped by section once: a per-section scan of every symbol is
  // quadratic in objects with thousands of program sections (issue 16).
  const funcs = new Map<string, ObjSymbol[]>();
  for (const s of obj.symbols) {
    if (s.section === undefined || s.type !== STT.FUNC || s.bind === 0) continue;
    const list = funcs.get(s.section);
    if (list) list.push(s);
    else funcs.set(s.section, [s]);
  }
  for (const sec of obj.sections) {
    if (!isCodeSection(sec) || sec.name === ".text") continue;
    const syms = [...(funcs.get(sec.name) ?? [])].sort((a, b) => a.value - b.value);
    if (syms.length === 0)
      out.push({ name: sec.name, section: sec, start: 0, end: Math.floor(sec.data.length / 8) });
    for (const s of syms) {
      const start = Math.floor(s.value / 8);
      const end = s.size > 0 ? Math.floor((s.value + s.size) / 8) : Math.floor(sec.data.length / 8);
      out.push({ name: s.name, section: sec, start, end });
    }
  }
  return out;
}

/**
 * Object-wide lookups every program of an object shares (sections, symbols and relocations by
 * name, the license, the BTF map definitions). Built once per object, so linking N programs
 * costs O(object + N × program) rather than O(N × object).
 */
export interface ObjIndex {
  obj: ObjFile;
  sections: Map<string, ObjSection>;
  /** The symbol a relocation by name resolves to: the first defined one, else the first. */
  symbol: (name: string) => ObjSymbol | undefined;
  /** A section's relocations by byte offset (the last one at an offset wins). */
  relocs: (section: string) => Map<number, ObjRelocation>;
  /** Symbols defined in a section, in object order. */
  symbolsIn: (section: string) => readonly ObjSymbol[];
  license: string;
  btfMaps: () => Map<string, MapInfo> | string;
}

export function indexObject(obj: ObjFile): ObjIndex {
  const sections = new Map(obj.sections.map((s) => [s.name, s]));
  const licenseSec = sections.get("license");
  const license = licenseSec ? new TextDecoder().decode(licenseSec.data).replace(/\0.*$/s, "") : "";
  let defined: Map<string, ObjSymbol> | undefined;
  let any: Map<string, ObjSymbol> | undefined;
  let bySection: Map<string, ObjSymbol[]> | undefined;
  const relocCache = new Map<string, Map<number, ObjRelocation>>();
  let btf: Map<string, MapInfo> | string | undefined;
  return {
    obj,
    sections,
    license,
    symbol: (name) => {
      if (!defined || !any) {
        defined = new Map();
        any = new Map();
        for (const s of obj.symbols) {
          if (!any.has(s.name)) any.set(s.name, s);
          if (s.section !== undefined && !defined.has(s.name)) defined.set(s.name, s);
        }
      }
      return defined.get(name) ?? any.get(name);
    },
    relocs: (section) => {
      let m = relocCache.get(section);
      if (!m) {
        m = new Map((obj.relocations.get(section) ?? []).map((r) => [r.offset, r]));
        relocCache.set(section, m);
      }
      return m;
    },
    symbolsIn: (section) => {
      if (!bySection) {
        bySection = new Map();
        for (const s of obj.symbols) {
          if (s.section === undefined) continue;
          const list = bySection.get(s.section);
          if (list) list.push(s);
          else bySection.set(s.section, [s]);
        }
      }
      return bySection.get(section) ?? [];
    },
    btfMaps: () => (btf ??= btfMaps(obj)),
  };
}

function btfSize(t: BtfType, depth = 0): number | undefined {
  const x = skipModsAndTypedefs(t);
  if (depth > 32) return undefined;
  switch (x.kind) {
    case "int":
    case "struct":
    case "union":
    case "enum":
    case "enum64":
    case "float":
      return x.size;
    case "ptr":
      return 8;
    case "array": {
      const e = btfSize(x.type, depth + 1);
      return e === undefined ? undefined : e * x.nelems;
    }
    default:
      return undefined;
  }
}

/** `.maps` definitions from BTF, by variable name; a string explains why they cannot be read. */
function btfMaps(obj: ObjFile): Map<string, MapInfo> | string {
  const sec = obj.sections.find((s) => s.name === ".BTF");
  if (!sec) return "the object has no .BTF section, which .maps definitions need";
  const btf = decodeBtf(sec.data);
  if (btf.diagnostics.length) return `its BTF cannot be decoded: ${btf.diagnostics[0]!.message}`;
  const ds = btf.types.find((t) => t.kind === "datasec" && t.name === ".maps");
  const out = new Map<string, MapInfo>();
  if (!ds || ds.kind !== "datasec") return out;
  for (const v of ds.vars) {
    if (v.type.kind !== "var") continue;
    const st = skipModsAndTypedefs(v.type.type);
    if (st.kind !== "struct") continue;
    const attr: Record<string, number> = {};
    for (const m of st.members) {
      const p = skipModsAndTypedefs(m.type);
      if (p.kind !== "ptr") continue;
      const target = skipModsAndTypedefs(p.target);
      if (m.name === "key" || m.name === "value") {
        const size = btfSize(p.target);
        if (size !== undefined) attr[`${m.name}_size`] = size;
      } else if (target.kind === "array") attr[m.name] = target.nelems;
    }
    out.set(v.type.name, {
      name: v.type.name,
      type: attr.type ?? 0,
      keySize: attr.key_size ?? 0,
      valueSize: attr.value_size ?? 0,
      maxEntries: attr.max_entries ?? 0,
      readOnly: ((attr.map_flags ?? 0) & 0x80) !== 0, // BPF_F_RDONLY_PROG
      frozen: false,
    });
  }
  return out;
}

/** Links program `entry` of `obj` into one flat instruction array. */
export function linkProgram(
  obj: ObjFile,
  entry: { name: string; section: ObjSection; start: number; end: number },
  options: { rodataUnknown?: boolean; index?: ObjIndex } = {},
): LinkedProgram {
  const problems: Problem[] = [];
  const ix = options.index?.obj === obj ? options.index : indexObject(obj);
  const sections = ix.sections;
  const license = ix.license;
  const maps: MapInfo[] = [];
  const mapIndex = new Map<string, number>();

  interface Piece {
    section: ObjSection;
    from: number;
    to: number;
    base: number;
  }
  const pieces: Piece[] = [{ section: entry.section, from: entry.start, to: entry.end, base: 0 }];
  let total = entry.end - entry.start;
  const appended = new Map<string, Piece>();
  const locate = (section: ObjSection, idx: number): number | undefined => {
    const main = pieces[0]!;
    if (section === main.section && idx >= main.from && idx < main.to) return idx - main.from;
    let p = appended.get(section.name);
    if (!p) {
      if (section === main.section) return undefined;
      p = { section, from: 0, to: Math.floor(section.data.length / 8), base: total };
      total += p.to;
      pieces.push(p);
      appended.set(section.name, p);
    }
    return idx >= 0 && idx < p.to ? p.base + idx : undefined;
  };
  const symbolOf = (r: ObjRelocation): { section?: ObjSection; value: number; name: string } => {
    if (typeof r.symbol !== "string")
      return { section: sections.get(r.symbol.section), value: 0, name: r.symbol.section };
    const name = r.symbol;
    const sym = ix.symbol(name);
    if (!sym || sym.section === undefined) return { value: 0, name };
    return { section: sections.get(sym.section), value: sym.value, name };
  };
  const dataMap = (s: ObjSection): number => {
    const have = mapIndex.get(`data:${s.name}`);
    if (have !== undefined) return have;
    const size = s.type === SHT.NOBITS ? (s.size ?? 0) : s.data.length;
    const ro = s.name.startsWith(".rodata");
    maps.push({
      name: s.name,
      type: 2,
      keySize: 4,
      valueSize: size,
      maxEntries: 1,
      readOnly: ro,
      // Frozen .rodata reads are constants, as in the kernel, unless its bytes are
      // placeholders a loader replaces before load (`declare const`).
      frozen: ro && !options.rodataUnknown,
      ...(s.type !== SHT.NOBITS ? { data: s.data } : { data: new Uint8Array(size) }),
    });
    mapIndex.set(`data:${s.name}`, maps.length - 1);
    return maps.length - 1;
  };

  const insns: (Insn | undefined)[] = [];
  const callTargets = new Set<number>([0]);
  const relocatedPcs = new Set<number>();
  for (let pi = 0; pi < pieces.length; pi++) {
    const piece = pieces[pi]!;
    const relocs = ix.relocs(piece.section.name);
    for (let i = piece.from; i < piece.to; i++) {
      const pc = piece.base + (i - piece.from);
      const byteOffset = i * 8;
      const d = decodeInstruction(piece.section.data, byteOffset);
      if (!d.ok) {
        problems.push({
          code: VerifierCodes.badInstruction,
          message: `invalid instruction: ${d.reason}`,
          pc,
        });
        insns[pc] = undefined;
        continue;
      }
      const insn: Insn = {
        pc,
        d,
        text: formatWithForm(d.form, d.insn),
        section: piece.section.name,
        byteOffset,
      };
      insns[pc] = insn;
      if (d.size === 16) {
        i++;
        insns[pc + 1] = undefined;
      }
      const r = relocs.get(byteOffset);
      if (r) relocatedPcs.add(pc);
      const sem = d.form.sem;
      if (sem.kind === "ld_imm64") {
        if (r) {
          const t = symbolOf(r);
          if (!t.section) {
            problems.push({
              code: VerifierCodes.badRelocation,
              message: `ld_imm64 refers to '${t.name}', which is not defined in a section (externs are not supported)`,
              pc,
            });
          } else if (isDataSection(t.section.name)) {
            insn.ld = { kind: "mapValue", map: dataMap(t.section), offset: t.value + d.insn.imm };
          } else if (t.section.name === ".maps") {
            const btf = ix.btfMaps();
            const def = typeof btf === "string" ? undefined : btf.get(t.name);
            if (!def)
              problems.push({
                code: VerifierCodes.badRelocation,
                message: `map '${t.name}' has no readable definition${typeof btf === "string" ? `: ${btf}` : " in the BTF .maps section"}`,
                pc,
              });
            else {
              let idx = mapIndex.get(`map:${t.name}`);
              if (idx === undefined) {
                // a copy: the definitions are shared by every program of the object
                maps.push({ ...def });
                idx = maps.length - 1;
                mapIndex.set(`map:${t.name}`, idx);
              }
              insn.ld = { kind: "map", map: idx };
            }
          } else if (isCodeSection(t.section)) {
            problems.push({
              code: VerifierCodes.unsupportedInsn,
              message: `ld_imm64 of a code address ('${t.name}') is not supported`,
              pc,
            });
          } else {
            problems.push({
              code: VerifierCodes.badRelocation,
              message: `ld_imm64 refers to '${t.name}' in section '${t.section.name}', which is not a map or global data`,
              pc,
            });
          }
        } else if (d.insn.src !== 0) {
          problems.push({
            code: VerifierCodes.badRelocation,
            message: `ld_imm64 with src ${d.insn.src} has no relocation: the map it names cannot be known`,
            pc,
          });
        }
      } else if (sem.kind === "call" && sem.target === "local") {
        let section: ObjSection | undefined = piece.section;
        let idx = i + d.insn.imm + 1;
        if (r) {
          const t = symbolOf(r);
          if (!t.section) {
            // A call relocated against an undefined symbol is how objects call kfuncs
            // (elf.md); the io_uring program types verified here have none.
            problems.push({
              code: VerifierCodes.kfuncUnsupported,
              message: `call to '${t.name}', which is not defined in the object: a kfunc call, and kfuncs are not available to io_uring programs of this target`,
              pc,
              kfunc: t.name,
            });
            insn.kfunc = t.name;
            continue;
          }
          section = t.section;
          idx = t.value / 8 + d.insn.imm + 1;
        }
        const tg =
          section && isCodeSection(section) && Number.isInteger(idx)
            ? locate(section, idx)
            : undefined;
        if (tg === undefined)
          problems.push({
            code: VerifierCodes.badCall,
            message: `call target is outside the code`,
            pc,
          });
        else {
          insn.callTarget = tg;
          callTargets.add(tg);
        }
      }
    }
  }
  const subprogs = [...callTargets].sort((a, b) => a - b);
  const linked: LinkedProgram = {
    name: entry.name,
    section: entry.section.name,
    insns,
    subprogs,
    maps,
    license,
    problems,
  };
  // the kernel's pre-passes check every instruction, reached or not (prepass.ts)
  problems.push(...prepassLinked(linked, relocatedPcs));
  if (problems.length === 0) checkCfg(linked);
  return linked;
}

/** The subprogram (index into subprogs) that contains pc. */
export function subprogOf(p: LinkedProgram, pc: number): number {
  let lo = 0;
  for (let i = 0; i < p.subprogs.length; i++) if (p.subprogs[i]! <= pc) lo = i;
  return lo;
}

/** Successors of pc in the control-flow graph (calls fall through; exit has none). */
export function successors(_p: LinkedProgram, insn: Insn): number[] {
  const sem = insn.d.form.sem;
  const next = insn.pc + insn.d.size / 8;
  switch (sem.kind) {
    case "exit":
      return [];
    case "ja":
      return [insn.pc + 1 + (sem.wide ? insn.d.insn.imm : insn.d.insn.off)];
    case "jcond":
      return [next, insn.pc + 1 + insn.d.insn.off];
    case "may_goto":
      return [next, insn.pc + 1 + insn.d.insn.off];
    default:
      return [next];
  }
}

/** Jump ranges, subprogram boundaries, last instructions and unreachable code (kernel check_cfg). */
function checkCfg(p: LinkedProgram): void {
  const n = p.insns.length;
  const bad = (code: string, message: string, pc: number): void => {
    p.problems.push({ code, message, pc });
  };
  const ends = p.subprogs.map((_s, i) => p.subprogs[i + 1] ?? n);
  for (let si = 0; si < p.subprogs.length; si++) {
    // the last slot of a subprogram must be exit or an unconditional jump
    let last = ends[si]! - 1;
    if (p.insns[last] === undefined && last > 0 && p.insns[last - 1]?.d.size === 16) last--;
    const li = p.insns[last];
    const k = li?.d.form.sem.kind;
    if (li && k !== "exit" && k !== "ja")
      bad(
        VerifierCodes.lastNotExit,
        `the last instruction of ${si === 0 ? "the program" : "a subprogram"} is not exit or goto`,
        last,
      );
  }
  for (const insn of p.insns) {
    if (!insn) continue;
    const sem = insn.d.form.sem;
    if (sem.kind !== "ja" && sem.kind !== "jcond" && sem.kind !== "may_goto") continue;
    const si = subprogOf(p, insn.pc);
    for (const t of successors(p, insn)) {
      if (t < 0 || t >= n)
        bad(VerifierCodes.jumpOutOfRange, `jump out of range to insn ${t}`, insn.pc);
      else if (p.insns[t] === undefined)
        bad(
          VerifierCodes.jumpOutOfRange,
          `jump into the middle of an ld_imm64 instruction (insn ${t})`,
          insn.pc,
        );
      else if (t < p.subprogs[si]! || t >= ends[si]!)
        bad(
          VerifierCodes.jumpOutOfRange,
          `jump from insn ${insn.pc} to ${t} leaves its subprogram`,
          insn.pc,
        );
    }
  }
  if (p.problems.length) return;
  // reachability over the CFG, entering subprograms through their calls
  const seen = new Uint8Array(n);
  const work = [0];
  seen[0] = 1;
  while (work.length) {
    const pc = work.pop()!;
    const insn = p.insns[pc]!;
    const next = [...successors(p, insn)];
    if (insn.callTarget !== undefined) next.push(insn.callTarget);
    for (const t of next) {
      if (t >= 0 && t < n && !seen[t] && p.insns[t]) {
        seen[t] = 1;
        work.push(t);
      }
    }
  }
  for (let pc = 0; pc < n; pc++) {
    if (p.insns[pc] && !seen[pc]) {
      bad(
        VerifierCodes.unreachable,
        `unreachable instruction (no jump or fall-through reaches insn ${pc})`,
        pc,
      );
      break;
    }
  }
}
