// ELF64 reader for BPF relocatable objects. elfy parses the header and section table (names,
// offsets, sizes, links); everything else — sh_type/flags/addralign/entsize (elfy 1.0 reads
// the last two from wrong ELF64 offsets), symbols, relocations, string tables — is parsed
// here with bounds checks, so malformed input only ever yields diagnostics.
import elfy from "elfy";
import type { Diagnostic } from "../diagnostics/index.js";
import { ByteReader, ByteWriter, cString } from "./bytes.js";
import { ElfCodes } from "./codes.js";
import type { ObjFile, ObjRelocation, ObjSection, ObjSymbol } from "./types.js";
import { EM_BPF, SHN, SHT, STT } from "./types.js";
import { planSymbols } from "./writer.js";

/** A section header as found in the file, for tools that need raw indices (the disassembler). */
export interface RawSection {
  index: number;
  name: string;
  type: number;
  flags: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  addralign: number;
  entsize: number;
}

export interface ReadElfResult {
  /** The object model; absent when any error was found. */
  object?: ObjFile;
  diagnostics: Diagnostic[];
  /** Every section header by raw index (index 0 is the null section), when the table was readable. */
  sections?: RawSection[];
}

const MAX_DIAGNOSTICS = 50;
/** NOBITS sizes and symbol values above this are refused rather than believed. */
const MAX_NOBITS = 0xffffffff;

class Failed extends Error {}

export function readElf(bytes: Uint8Array, file: string): ReadElfResult {
  const diagnostics: Diagnostic[] = [];
  const report = (severity: "error" | "warning", code: string, message: string): void => {
    diagnostics.push({ code, severity, message, file });
    if (diagnostics.filter((d) => d.severity === "error").length >= MAX_DIAGNOSTICS)
      throw new Failed();
  };
  const error = (code: string, message: string): void => report("error", code, message);
  const fatal = (code: string, message: string): never => {
    error(code, message);
    throw new Failed();
  };
  let sections: RawSection[] | undefined;
  try {
    const result = read(
      bytes,
      error,
      (c, m) => report("warning", c, m),
      fatal,
      (s) => (sections = s),
    );
    const hasErrors = diagnostics.some((d) => d.severity === "error");
    return {
      ...(hasErrors ? {} : { object: result }),
      diagnostics,
      ...(sections ? { sections } : {}),
    };
  } catch (e) {
    if (!(e instanceof Failed))
      diagnostics.push({
        code: ElfCodes.badHeader,
        severity: "error",
        message: `malformed ELF file: ${e instanceof Error ? e.message : String(e)}`,
        file,
      });
    return { diagnostics, ...(sections ? { sections } : {}) };
  }
}

type Report = (code: string, message: string) => void;

function read(
  bytes: Uint8Array,
  error: Report,
  warning: Report,
  fatal: (code: string, message: string) => never,
  publish: (s: RawSection[]) => void,
): ObjFile {
  const r = new ByteReader(bytes);
  if (
    bytes.length < 16 ||
    bytes[0] !== 0x7f ||
    bytes[1] !== 0x45 ||
    bytes[2] !== 0x4c ||
    bytes[3] !== 0x46
  ) {
    if (
      bytes.length >= 4 &&
      !(bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46)
    )
      fatal(ElfCodes.badMagic, "not an ELF file (bad magic number)");
    fatal(ElfCodes.truncated, `file is too short for an ELF header (${bytes.length} bytes)`);
  }
  if (bytes[4] !== 2)
    fatal(ElfCodes.badClass, `ELF class ${bytes[4]} is not ELFCLASS64; BPF objects are 64-bit`);
  if (bytes[5] !== 1)
    fatal(
      ElfCodes.badEndian,
      `ELF data encoding ${bytes[5]} is not little-endian; only little-endian BPF is supported`,
    );
  if (bytes.length < 64)
    fatal(ElfCodes.truncated, `file is too short for an ELF64 header (${bytes.length} bytes)`);
  const machine = r.u16(18);
  if (machine !== EM_BPF)
    fatal(ElfCodes.badMachine, `e_machine is ${machine}, not EM_BPF (${EM_BPF})`);
  const etype = r.u16(16);
  if (etype !== 1)
    fatal(ElfCodes.badType, `e_type is ${etype}, not ET_REL (1); expected a relocatable object`);
  const shoff = r.u64(40);
  const shentsize = r.u16(58);
  const shnum = r.u16(60);
  const shstrndx = r.u16(62);
  if (shnum === 0 || shoff === 0) fatal(ElfCodes.badHeader, "the file has no section header table");
  if (shentsize !== 64) fatal(ElfCodes.badHeader, `e_shentsize is ${shentsize}, expected 64`);
  if (!r.has(shoff, shnum * 64))
    fatal(
      ElfCodes.sectionOutOfRange,
      `section header table (offset ${shoff}, ${shnum} entries) is outside the file`,
    );
  if (shstrndx === 0 || shstrndx >= shnum)
    fatal(ElfCodes.badSectionIndex, `e_shstrndx ${shstrndx} is not a valid section index`);
  // elfy also reads the program headers; a relocatable object has none, so ignore them.
  const phnum = r.u16(56);
  if (phnum !== 0)
    warning(ElfCodes.badHeader, `relocatable object has ${phnum} program headers; ignored`);

  const copy = new Uint8Array(bytes);
  if (phnum !== 0) new DataView(copy.buffer).setUint16(56, 0, true);
  // elfy resolves names against e_shstrndx and asserts it is SHT_STRTAB.
  const shstrType = r.u32(shoff + shstrndx * 64 + 4);
  if (shstrType !== SHT.STRTAB)
    fatal(
      ElfCodes.badSectionIndex,
      `section header string table (section ${shstrndx}) is not SHT_STRTAB`,
    );
  let parsed: ReturnType<typeof elfy.parse>;
  try {
    parsed = elfy.parse(Buffer.from(copy.buffer, copy.byteOffset, copy.byteLength));
  } catch (e) {
    return fatal(
      ElfCodes.badHeader,
      `malformed section table: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const elfySections = parsed.body.sections;
  if (elfySections.length !== shnum) fatal(ElfCodes.badHeader, "section table could not be read");

  // Raw headers: elfy's values plus the fields we read ourselves.
  const shstr = headerBytes(r, shoff, shstrndx);
  const raw: RawSection[] = elfySections.map((es, index) => {
    const at = shoff + index * 64;
    const nameOff = r.u32(at);
    let name = es.name;
    if (index !== 0 && (shstr === undefined || cString(shstr, nameOff) === undefined)) {
      error(
        ElfCodes.badStringIndex,
        `section ${index}: name offset ${nameOff} is outside the string table`,
      );
      name = `<section ${index}>`;
    }
    const flags = r.u64(at + 8);
    return {
      index,
      name,
      type: r.u32(at + 4),
      flags: Number.isFinite(flags) ? flags : 0,
      offset: es.off,
      size: es.size,
      link: es.link,
      info: es.info,
      addralign: r.u64(at + 48),
      entsize: r.u64(at + 56),
    };
  });
  publish(raw);

  // Contents in range and not overlapping each other, the ELF header or the header table.
  const ranges: { start: number; end: number; what: string }[] = [
    { start: 0, end: 64, what: "the ELF header" },
    { start: shoff, end: shoff + shnum * 64, what: "the section header table" },
  ];
  for (const s of raw) {
    if (s.index === 0) continue;
    if (
      !Number.isSafeInteger(s.addralign) ||
      s.addralign > 2 ** 32 ||
      (s.addralign > 1 && 2 ** Math.round(Math.log2(s.addralign)) !== s.addralign)
    )
      error(
        ElfCodes.badHeader,
        `section '${s.name}': alignment ${s.addralign} is not a power of two`,
      );
    if (s.type === SHT.NOBITS) {
      if (!(s.size <= MAX_NOBITS))
        error(ElfCodes.hugeSize, `section '${s.name}': NOBITS size ${s.size} is too large`);
      continue;
    }
    if (s.type === SHT.NULL) continue;
    if (!r.has(s.offset, s.size)) {
      error(
        ElfCodes.sectionOutOfRange,
        `section '${s.name}' (offset ${s.offset}, size ${s.size}) extends past the end of the file (${bytes.length} bytes)`,
      );
      continue;
    }
    if (s.size > 0)
      ranges.push({ start: s.offset, end: s.offset + s.size, what: `section '${s.name}'` });
  }
  ranges.sort((a, b) => a.start - b.start);
  for (let i = 1; i < ranges.length; i++)
    if (ranges[i]!.start < ranges[i - 1]!.end)
      error(ElfCodes.sectionsOverlap, `${ranges[i]!.what} overlaps ${ranges[i - 1]!.what}`);
  const contents = (s: RawSection): Uint8Array =>
    s.type === SHT.NOBITS || !r.has(s.offset, s.size)
      ? new Uint8Array(0)
      : bytes.subarray(s.offset, s.offset + s.size);

  // Symbol table.
  const symtabs = raw.filter((s) => s.type === SHT.SYMTAB);
  if (symtabs.length > 1)
    error(ElfCodes.badSymbolTable, `${symtabs.length} symbol tables; expected exactly one`);
  const symtab = symtabs[0];
  let strtabIndex: number | undefined;
  let nsyms = 0;
  let symData: Uint8Array = new Uint8Array(0);
  let strData: Uint8Array = new Uint8Array(0);
  if (symtab) {
    if (symtab.entsize !== 24)
      error(ElfCodes.badSymbolTable, `symbol table entry size is ${symtab.entsize}, expected 24`);
    if (symtab.size % 24 !== 0)
      error(ElfCodes.badSymbolTable, `symbol table size ${symtab.size} is not a multiple of 24`);
    const link = raw[symtab.link];
    if (!link || link.type !== SHT.STRTAB || link.index === 0)
      error(ElfCodes.badSymbolTable, `symbol table's sh_link ${symtab.link} is not a string table`);
    else {
      strtabIndex = link.index;
      strData = contents(link);
    }
    symData = contents(symtab);
    nsyms = Math.floor(symData.length / 24);
  }

  // Which raw sections become ObjSections: not the null section, the string tables the
  // writer regenerates, the symbol table or relocation sections.
  const dropped = (s: RawSection): boolean =>
    s.index === 0 ||
    s.index === shstrndx ||
    s.index === strtabIndex ||
    s.type === SHT.SYMTAB ||
    s.type === SHT.REL ||
    s.type === SHT.RELA;
  const kept = raw.filter((s) => !dropped(s));
  const seen = new Set<string>();
  for (const s of kept) {
    if (seen.has(s.name))
      error(ElfCodes.duplicateSectionName, `two sections are named '${s.name}'`);
    seen.add(s.name);
  }
  const keptByIndex = new Map(kept.map((s) => [s.index, s]));

  const symbols: ObjSymbol[] = [];
  /** Raw symbol index → what a relocation against it refers to. */
  const symRef = new Map<number, ObjSymbol | { section: string }>();
  let fileName: string | undefined;
  const sv = new ByteReader(symData);
  for (let i = 1; i < nsyms; i++) {
    const at = i * 24;
    const nameOff = sv.u32(at);
    const info = sv.u8(at + 4);
    const other = sv.u8(at + 5);
    const shndx = sv.u16(at + 6);
    const value = sv.u64(at + 8);
    const size = sv.u64(at + 16);
    const type = info & 0xf;
    const bind = info >> 4;
    let name = cString(strData, nameOff);
    if (name === undefined) {
      error(
        ElfCodes.badStringIndex,
        `symbol ${i}: name offset ${nameOff} is outside the string table`,
      );
      name = "";
    }
    if (type === STT.SECTION) {
      const sec = keptByIndex.get(shndx);
      if (!sec)
        error(ElfCodes.badSectionIndex, `section symbol ${i} refers to section index ${shndx}`);
      else symRef.set(i, { section: sec.name });
      continue;
    }
    if (type === STT.FILE) {
      fileName ??= name;
      continue;
    }
    if (!Number.isFinite(value) || !Number.isFinite(size)) {
      error(ElfCodes.hugeSize, `symbol '${name}': value or size does not fit in 53 bits`);
      continue;
    }
    const sym: ObjSymbol = { name, value, size, type, bind };
    if (shndx === SHN.ABS || shndx === SHN.COMMON) sym.shndx = shndx;
    else if (shndx !== SHN.UNDEF) {
      const sec = keptByIndex.get(shndx);
      if (!sec) {
        error(
          ElfCodes.badSectionIndex,
          `symbol '${name}' refers to section index ${shndx}, which is not a data section`,
        );
        continue;
      }
      sym.section = sec.name;
      // Consumers slice code and data by value/size; a symbol reaching past its section
      // (st_size 0xffffffff) would make them walk billions of instructions.
      const secSize = sec.type === SHT.NOBITS ? sec.size : contents(sec).length;
      if (!(value <= secSize && size <= secSize - value)) {
        error(
          ElfCodes.symbolOutOfRange,
          `symbol '${name}' (value ${value}, size ${size}) extends past the end of section '${sec.name}' (${secSize} bytes)`,
        );
        continue;
      }
    }
    if ((other & 3) !== 0) sym.visibility = other & 3;
    symbols.push(sym);
    symRef.set(i, sym);
  }

  // Relocations.
  const relocations = new Map<string, ObjRelocation[]>();
  const nameCount = new Map<string, number>();
  for (const s of symbols) nameCount.set(s.name, (nameCount.get(s.name) ?? 0) + 1);
  for (const rs of raw) {
    if (rs.type === SHT.RELA) {
      error(
        ElfCodes.unsupportedSection,
        `section '${rs.name}' is SHT_RELA; BPF objects use SHT_REL only`,
      );
      continue;
    }
    if (rs.type !== SHT.REL) continue;
    if (!symtab || rs.link !== symtab.index) {
      error(
        ElfCodes.badRelocationSection,
        `relocation section '${rs.name}': sh_link ${rs.link} is not the symbol table`,
      );
      continue;
    }
    const target = keptByIndex.get(rs.info);
    if (!target) {
      error(
        ElfCodes.badRelocationSection,
        `relocation section '${rs.name}': sh_info ${rs.info} is not a section with contents`,
      );
      continue;
    }
    if (rs.entsize !== 16 || rs.size % 16 !== 0) {
      error(
        ElfCodes.badRelocationSection,
        `relocation section '${rs.name}': entry size ${rs.entsize}, size ${rs.size}`,
      );
      continue;
    }
    const data = new ByteReader(contents(rs));
    const targetSize = target.type === SHT.NOBITS ? target.size : contents(target).length;
    const list = relocations.get(target.name) ?? [];
    relocations.set(target.name, list);
    for (let at = 0; at + 16 <= data.length; at += 16) {
      const offset = data.u64(at);
      const type = data.u32(at + 8);
      const symIndex = data.u32(at + 12);
      const ref = symRef.get(symIndex);
      if (!(offset < targetSize)) {
        error(
          ElfCodes.badRelocationSection,
          `relocation in '${rs.name}' at offset ${offset} is outside '${target.name}'`,
        );
        continue;
      }
      if (symIndex === 0 || symIndex >= nsyms) {
        error(
          ElfCodes.badSymbolIndex,
          `relocation in '${rs.name}' at offset ${offset} has symbol index ${symIndex}`,
        );
        continue;
      }
      if (!ref) {
        error(
          ElfCodes.unrepresentableSymbol,
          `relocation in '${rs.name}' at offset ${offset} refers to symbol ${symIndex}, which is neither a named symbol nor a section symbol`,
        );
        continue;
      }
      if ("name" in ref) {
        if (ref.name === "")
          error(
            ElfCodes.unrepresentableSymbol,
            `relocation in '${rs.name}' at offset ${offset} refers to an unnamed symbol`,
          );
        else if ((nameCount.get(ref.name) ?? 0) > 1)
          warning(
            ElfCodes.unrepresentableSymbol,
            `relocation in '${rs.name}' refers to '${ref.name}', a name several symbols share; it will be written against the first`,
          );
        list.push({ offset, type, symbol: ref.name });
      } else list.push({ offset, type, symbol: { section: ref.section } });
    }
  }
  for (const [k, v] of relocations) if (v.length === 0) relocations.delete(k);
  // Names the writer generates must not be taken by a kept section.
  const reserved = new Set([
    ".strtab",
    ".symtab",
    ...[...relocations.keys()].map((k) => `.rel${k}`),
  ]);
  for (const s of kept)
    if (reserved.has(s.name))
      error(
        ElfCodes.duplicateSectionName,
        `section ${s.index} is named '${s.name}', a name the writer generates`,
      );

  const objSections: ObjSection[] = kept.map((s) => {
    const sec: ObjSection = {
      name: s.name,
      type: s.type,
      flags: s.flags,
      data: s.type === SHT.NOBITS ? new Uint8Array(0) : new Uint8Array(contents(s)),
      addralign: Number.isSafeInteger(s.addralign) ? s.addralign : 1,
    };
    if (s.type === SHT.NOBITS) sec.size = s.size;
    if (s.entsize !== 0 && Number.isSafeInteger(s.entsize)) sec.entsize = s.entsize;
    // The writer derives `.llvm_addrsig`'s link; other links/infos are kept as found.
    if (s.type !== SHT.LLVM_ADDRSIG) {
      if (s.link !== 0) sec.link = s.link;
      if (s.info !== 0) sec.info = s.info;
    }
    return sec;
  });
  const obj: ObjFile = { sections: objSections, symbols, relocations };
  if (fileName !== undefined) obj.fileName = fileName;

  // `.llvm_addrsig` lists symbol indices; renumber them for the table the writer will make.
  for (const sec of objSections) {
    if (sec.type !== SHT.LLVM_ADDRSIG) continue;
    const renumbered = renumberAddrsig(sec.data, symRef, obj);
    if (renumbered) sec.data = renumbered;
    else {
      warning(
        ElfCodes.badAddrsig,
        `'${sec.name}' lists symbols that cannot be carried over; section dropped`,
      );
      obj.sections = obj.sections.filter((s) => s !== sec);
    }
  }
  return obj;
}

function headerBytes(r: ByteReader, shoff: number, index: number): Uint8Array | undefined {
  const at = shoff + index * 64;
  const off = r.u64(at + 24);
  const size = r.u64(at + 32);
  return r.has(off, size) ? r.bytes.subarray(off, off + size) : undefined;
}

function renumberAddrsig(
  data: Uint8Array,
  symRef: Map<number, ObjSymbol | { section: string }>,
  obj: ObjFile,
): Uint8Array | undefined {
  const plan = planSymbols(obj).symbols;
  const newIndex = new Map<ObjSymbol, number>();
  plan.forEach((p, i) => {
    if (p.kind === "symbol") newIndex.set(p.symbol, i + 1);
  });
  const w = new ByteWriter();
  let i = 0;
  while (i < data.length) {
    let v = 0;
    let shift = 0;
    for (;;) {
      if (i >= data.length || shift > 28) return undefined;
      const b = data[i++]!;
      v += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if ((b & 0x80) === 0) break;
    }
    const ref = symRef.get(v);
    const n = ref && "name" in ref ? newIndex.get(ref) : undefined;
    if (n === undefined) return undefined;
    let x = n;
    do {
      const b = x & 0x7f;
      x = Math.floor(x / 128);
      w.u8(x > 0 ? b | 0x80 : b);
    } while (x > 0);
  }
  return w.finish();
}
