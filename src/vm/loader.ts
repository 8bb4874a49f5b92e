// Loads an object into the VM the way libbpf would prepare it for the kernel: every code
// section is decoded (through the instruction table) into one code image, BPF-to-BPF calls
// are resolved to pc-relative form, `ld_imm64` references to maps and global data become
// tagged pointers into VM regions, and maps are created from their BTF definitions (or from
// the scenario). Problems are diagnostics; nothing here throws on bad input.
import type { Diagnostic } from "../diagnostics/index.js";
import type { Instruction } from "../isa/instruction.js";
import { decodeProgram } from "../isa/decode.js";
import { CallSrc, Class, Imm64Src, JmpOp, LD_IMM64 } from "../isa/opcodes.js";
import { SHF, SHT, STB, STT, type ObjFile, type ObjSymbol } from "../elf/types.js";
import { VmCodes } from "./codes.js";
import { Interpreter, type InterpreterOptions } from "./interpreter.js";
import { type MapDef, mapDefsFromBtf, VmMap } from "./maps.js";
import { Memory, type Region } from "./memory.js";

const CALL = Class.JMP | JmpOp.CALL;

export interface ProgramInfo {
  /** Function symbol name, or the section name for a section without symbols. */
  name: string;
  section: string;
  /** Entry slot in the VM's code image. */
  slot: number;
  /** Loaded with BPF_F_SLEEPABLE (a `.s/` section such as `iouring.s/`). */
  sleepable: boolean;
}

export interface LoadedObject {
  vm: Interpreter;
  programs: ProgramInfo[];
  maps: Map<string, VmMap>;
  mapList: VmMap[];
  /** Global-data regions by section name. */
  data: Map<string, Region>;
  /** Where a VM slot is in the object: code section and instruction index (objdump numbering). */
  locate(slot: number): { section: string; index: number } | undefined;
  /** Kfunc calls: slot of the call → the extern symbol it is relocated against. */
  kfuncCalls: Map<number, string>;
}

export interface LoadOptions extends Omit<InterpreterOptions, "resolveImm64"> {
  /** Maps to create in addition to (or instead of, by name) those of the object's BTF. */
  maps?: MapDef[];
  file?: string;
}

function isCode(s: { type: number; flags: number }): boolean {
  return s.type === SHT.PROGBITS && (s.flags & SHF.EXECINSTR) !== 0;
}

function isDataSection(name: string): boolean {
  return /^\.(data|rodata|bss)(\..*)?$/.test(name);
}

export function loadObject(
  obj: ObjFile,
  options: LoadOptions = {},
): { loaded?: LoadedObject; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const file = options.file;
  const err = (message: string): void => {
    diagnostics.push({
      code: VmCodes.badObject,
      severity: "error",
      message,
      ...(file ? { file } : {}),
    });
  };
  const mem = new Memory();

  // Global data: one region per section; .rodata is read-only to programs.
  const data = new Map<string, Region>();
  for (const s of obj.sections) {
    if (!isDataSection(s.name) || isCode(s)) continue;
    const size = s.type === SHT.NOBITS ? (s.size ?? 0) : s.data.length;
    data.set(
      s.name,
      mem.add(s.name, size, { data: s.data, writable: !s.name.startsWith(".rodata") }),
    );
  }

  // Maps: BTF definitions, then scenario definitions (which win by name).
  const { defs, errors } = mapDefsFromBtf(obj);
  for (const e of errors) err(e);
  const byName = new Map<string, MapDef>();
  for (const d of defs) byName.set(d.name, d);
  for (const d of options.maps ?? []) byName.set(d.name, d);
  const maps = new Map<string, VmMap>();
  const mapList: VmMap[] = [];
  for (const d of byName.values()) {
    if (d.keySize <= 0 && d.type !== 27) err(`map ${d.name}: key size ${d.keySize} is invalid`);
    const handle = mem.add(`map ${d.name}`, 0, { readable: false, writable: false });
    const m = new VmMap(d, mapList.length, mem, handle);
    handle.mapIndex = m.index;
    maps.set(d.name, m);
    mapList.push(m);
  }

  // Code image: every code section, in file order.
  const code: Instruction[] = [];
  const base = new Map<string, number>();
  const insnAt = new Map<string, Map<number, number>>(); // section → byte offset → index in `code`
  let slot = 0;
  for (const s of obj.sections) {
    if (!isCode(s)) continue;
    if (s.data.length % 8 !== 0)
      err(`code section ${s.name} is ${s.data.length} bytes, not a multiple of 8`);
    base.set(s.name, slot);
    const offsets = new Map<number, number>();
    for (const entry of decodeProgram(s.data)) {
      const r = entry.result;
      if (!r.ok && !r.insn) {
        err(`${s.name}+0x${entry.offset.toString(16)}: ${r.reason}`);
        break;
      }
      // An unknown instruction is kept: the VM faults only if it is executed.
      const insn = { ...(r.ok ? r.insn : r.insn!) };
      offsets.set(entry.offset, code.length);
      code.push(insn);
      slot += insn.opcode === LD_IMM64 && r.ok ? 2 : 1;
      if (insn.opcode === LD_IMM64 && !r.ok) insn.opcode = 0; // truncated pair: invalid
    }
    insnAt.set(s.name, offsets);
  }

  const symbolNamed = new Map<string, ObjSymbol>();
  for (const sym of obj.symbols)
    if (!symbolNamed.has(sym.name) || sym.bind === STB.GLOBAL) symbolNamed.set(sym.name, sym);

  // Relocations.
  const imm64 = new Map<number, bigint>(); // slot → value (or a marker resolved later)
  const pendingCode = new Map<number, number>(); // slot → code slot of a function address
  const pendingMap = new Map<number, VmMap>();
  const pendingData = new Map<number, { region: Region; offset: number }>();
  const kfuncCalls = new Map<number, string>();
  for (const [secName, relocs] of obj.relocations) {
    const offsets = insnAt.get(secName);
    if (!offsets) continue; // data-section relocations (.maps, .BTF) do not affect execution
    const secBase = base.get(secName)!;
    for (const r of relocs) {
      const idx = offsets.get(r.offset);
      if (idx === undefined) {
        err(`${secName}+0x${r.offset.toString(16)}: relocation does not point at an instruction`);
        continue;
      }
      const insn = code[idx]!;
      const at = secBase + r.offset / 8;
      const sym: ObjSymbol | undefined =
        typeof r.symbol === "string"
          ? symbolNamed.get(r.symbol)
          : {
              name: r.symbol.section,
              section: r.symbol.section,
              value: 0,
              size: 0,
              type: STT.SECTION,
              bind: STB.LOCAL,
            };
      const symName = typeof r.symbol === "string" ? r.symbol : r.symbol.section;
      if (!sym) {
        err(`${secName}+0x${r.offset.toString(16)}: relocation against unknown symbol ${symName}`);
        continue;
      }
      if (insn.opcode === CALL) {
        if (sym.section === undefined || !base.has(sym.section)) {
          // An extern function: a kfunc the kernel would resolve by BTF id.
          insn.src = CallSrc.KFUNC;
          kfuncCalls.set(at, symName);
          continue;
        }
        const target = base.get(sym.section)! + Math.floor(sym.value / 8) + insn.imm + 1;
        insn.src = CallSrc.LOCAL;
        insn.imm = target - at - 1;
      } else if (insn.opcode === LD_IMM64) {
        const sec = sym.section;
        const map = maps.get(sym.name) ?? (sec === ".maps" ? undefined : undefined);
        if (sec === ".maps" || sec === "maps") {
          if (!map)
            err(
              `${secName}+0x${r.offset.toString(16)}: map ${sym.name} has no definition (no BTF for it; define it in the scenario)`,
            );
          else pendingMap.set(at, map);
        } else if (sec !== undefined && data.has(sec)) {
          pendingData.set(at, { region: data.get(sec)!, offset: sym.value + insn.imm });
        } else if (sec !== undefined && base.has(sec)) {
          pendingCode.set(at, base.get(sec)! + Math.floor((sym.value + insn.imm) / 8));
        } else
          err(
            `${secName}+0x${r.offset.toString(16)}: ld_imm64 against ${symName}, which the VM cannot place`,
          );
      } else
        err(
          `${secName}+0x${r.offset.toString(16)}: relocation on an instruction that is neither a call nor ld_imm64`,
        );
    }
  }

  // Programs: global functions outside .text; else whole non-.text code sections; else .text.
  const programs: ProgramInfo[] = [];
  const sleepable = (sec: string) => /\.s(\/|$)/.test(sec);
  for (const sym of obj.symbols) {
    if (
      sym.type !== STT.FUNC ||
      sym.section === undefined ||
      sym.section === ".text" ||
      !base.has(sym.section)
    )
      continue;
    if (sym.bind !== STB.GLOBAL && sym.bind !== STB.WEAK) continue;
    const sec = obj.sections.find((x) => x.name === sym.section)!;
    if (sym.value % 8 !== 0 || sym.value < 0 || sym.value >= sec.data.length) {
      err(
        `program ${sym.name} starts at ${sym.value} in ${sym.section}, which is not an instruction`,
      );
      continue;
    }
    programs.push({
      name: sym.name,
      section: sym.section,
      slot: base.get(sym.section)! + sym.value / 8,
      sleepable: sleepable(sym.section),
    });
  }
  if (programs.length === 0) {
    for (const [sec, b] of base)
      if (sec !== ".text")
        programs.push({ name: sec, section: sec, slot: b, sleepable: sleepable(sec) });
  }
  if (programs.length === 0 && base.has(".text")) {
    const fn = obj.symbols.find(
      (s) =>
        s.section === ".text" &&
        s.value === 0 &&
        s.bind === STB.GLOBAL &&
        (s.type === STT.FUNC || s.type === STT.NOTYPE),
    );
    programs.push({
      name: fn?.name ?? ".text",
      section: ".text",
      slot: base.get(".text")!,
      sleepable: false,
    });
  }
  if (programs.length === 0) err("the object has no code section");
  if (diagnostics.length > 0) return { diagnostics };

  const vm = new Interpreter(code, mem, {
    ...options,
    resolveImm64: (s, insn, vm) => {
      const m = pendingMap.get(s);
      if (m) return mem.addressOf(m.handle);
      const d = pendingData.get(s);
      if (d) return mem.addressOf(d.region, d.offset);
      const c = pendingCode.get(s);
      if (c !== undefined) return mem.addressOf(vm.codeRegion, c * 8);
      if (imm64.has(s)) return imm64.get(s);
      // Loader-resolved pseudo forms: by index into the map list (fd and idx forms alike).
      if (insn.src === Imm64Src.MAP_BY_FD || insn.src === Imm64Src.MAP_BY_IDX) {
        const map = mapList[insn.imm];
        return map ? mem.addressOf(map.handle) : undefined;
      }
      if (insn.src === Imm64Src.MAP_VAL_BY_FD || insn.src === Imm64Src.MAP_VAL_BY_IDX) {
        const map = mapList[insn.imm];
        const elem = map?.isArray ? map.lookup(new Uint8Array(4)) : undefined;
        const next = insn.imm64 !== undefined ? Number(BigInt.asUintN(32, insn.imm64 >> 32n)) : 0;
        return elem ? mem.addressOf(elem, next) : undefined;
      }
      return undefined;
    },
  });
  const bases = [...base].sort((a, b) => a[1] - b[1]);
  const locate = (at: number) => {
    let found: { section: string; index: number } | undefined;
    for (const [section, b] of bases) if (at >= b) found = { section, index: at - b };
    return found && at < slot ? found : undefined;
  };
  return { loaded: { vm, programs, maps, mapList, data, locate, kfuncCalls }, diagnostics };
}

/** Finds a program by symbol or section name (default: the first). */
export function findProgram(loaded: LoadedObject, name?: string): ProgramInfo | undefined {
  if (name === undefined) return loaded.programs[0];
  return loaded.programs.find((p) => p.name === name || p.section === name);
}
