// `.BTF.ext`: func_info and line_info per ELF section (docs/elf.md). Its strings (section
// names, file names, source line text) live in the `.BTF` string section, so encoding takes
// the BtfStrings that `.BTF` is then marshalled with.
import type { Diagnostic } from "../diagnostics/index.js";
import { ByteReader, ByteWriter } from "./bytes.js";
import type { BtfFunc, BtfType } from "./btf.js";
import { assignBtfIds, BtfStrings, marshalBtf } from "./btf.js";
import { ElfCodes } from "./codes.js";

export const BTF_EXT_HEADER_LEN = 32;
export const FUNC_INFO_REC_SIZE = 8;
export const LINE_INFO_REC_SIZE = 16;
/** line_col packs the column in its low 10 bits. */
export const LINE_COL_SHIFT = 10;
export const MAX_LINE = (1 << 22) - 1;
export const MAX_COL = (1 << LINE_COL_SHIFT) - 1;

export interface FuncInfo {
  /** Byte offset of the function's first instruction in its ELF section. */
  insnOff: number;
  /** The FUNC, or its type ID. */
  type: BtfFunc | number;
}

export interface LineInfo {
  /** Byte offset of the instruction in its ELF section. */
  insnOff: number;
  fileName: string;
  /** The source line's text, quoted by verifier logs. */
  lineText: string;
  /** 1-based line and column (column 0 = unknown). */
  line: number;
  col: number;
}

export interface BtfExtSection {
  /** ELF section name, e.g. `uring/cqe` or `.text`. */
  name: string;
  funcInfo?: FuncInfo[];
  lineInfo?: LineInfo[];
}

/**
 * Encodes `.BTF.ext`. Section names, file names and line texts are added to `strings`; type
 * IDs come from `ids` (see assignBtfIds). Sections without records of a kind get no block,
 * and a kind without any record gets length 0 instead of an empty subsection.
 */
export function encodeBtfExt(
  sections: readonly BtfExtSection[],
  strings: BtfStrings,
  ids: Map<BtfType, number>,
): Uint8Array {
  const typeId = (t: BtfFunc | number): number => {
    if (typeof t === "number") return t;
    const id = ids.get(t);
    if (id === undefined)
      throw new Error(`func_info names FUNC '${t.name}', which is not in the BTF`);
    return id;
  };
  const byOffset = <T extends { insnOff: number }>(xs: readonly T[]): T[] =>
    [...xs].sort((a, b) => a.insnOff - b.insnOff);

  const func = new ByteWriter();
  const withFuncs = sections.filter((s) => (s.funcInfo?.length ?? 0) > 0);
  if (withFuncs.length > 0) {
    func.u32(FUNC_INFO_REC_SIZE);
    for (const s of withFuncs) {
      func.u32(strings.add(s.name));
      func.u32(s.funcInfo!.length);
      for (const f of byOffset(s.funcInfo!)) {
        func.u32(f.insnOff);
        func.u32(typeId(f.type));
      }
    }
  }
  const line = new ByteWriter();
  const withLines = sections.filter((s) => (s.lineInfo?.length ?? 0) > 0);
  if (withLines.length > 0) {
    line.u32(LINE_INFO_REC_SIZE);
    for (const s of withLines) {
      line.u32(strings.add(s.name));
      line.u32(s.lineInfo!.length);
      for (const l of byOffset(s.lineInfo!)) {
        line.u32(l.insnOff);
        line.u32(strings.add(l.fileName));
        line.u32(strings.add(l.lineText));
        const ln = Math.min(Math.max(l.line, 0), MAX_LINE);
        const col = Math.min(Math.max(l.col, 0), MAX_COL);
        line.u32(((ln << LINE_COL_SHIFT) | col) >>> 0);
      }
    }
  }
  const out = new ByteWriter();
  out.u16(0xeb9f);
  out.u8(1);
  out.u8(0);
  out.u32(BTF_EXT_HEADER_LEN);
  out.u32(0); // func_info_off
  out.u32(func.length);
  out.u32(func.length); // line_info_off
  out.u32(line.length);
  // clang writes the CO-RE fields too, empty, pointing at the end.
  out.u32(func.length + line.length);
  out.u32(0);
  out.bytes(func.finish());
  out.bytes(line.finish());
  return out.finish();
}

/**
 * Encodes `.BTF` and `.BTF.ext` together so that they share one string table and agree on
 * type IDs. `btfExt` is absent when there are no records at all.
 */
export function encodeBtfWithExt(
  types: readonly BtfType[],
  ext: readonly BtfExtSection[],
): { btf: Uint8Array; btfExt?: Uint8Array; ids: Map<BtfType, number> } {
  const strings = new BtfStrings();
  const ids = assignBtfIds(types);
  const hasRecords = ext.some((s) => (s.funcInfo?.length ?? 0) + (s.lineInfo?.length ?? 0) > 0);
  const btfExt = hasRecords ? encodeBtfExt(ext, strings, ids) : undefined;
  const m = marshalBtf(types, strings);
  return { btf: m.bytes, ...(btfExt ? { btfExt } : {}), ids: m.ids };
}

export interface DecodedFuncInfo {
  insnOff: number;
  typeId: number;
}
export interface DecodedLineInfo {
  insnOff: number;
  fileNameOff: number;
  lineOff: number;
  line: number;
  col: number;
  /** Resolved through the BTF strings when a resolver was given. */
  fileName?: string;
  lineText?: string;
}
export interface DecodedBtfExt {
  funcInfo: { section: string; sectionNameOff: number; records: DecodedFuncInfo[] }[];
  lineInfo: { section: string; sectionNameOff: number; records: DecodedLineInfo[] }[];
  /** Number of CO-RE relocation records (not decoded further). */
  coreReloCount: number;
  diagnostics: Diagnostic[];
}

/**
 * Decodes `.BTF.ext`. `stringAt` resolves offsets in the `.BTF` string section (use
 * decodeBtf(...).stringAt); without it names come back as "". Never throws.
 */
export function decodeBtfExt(
  bytes: Uint8Array,
  stringAt: (off: number) => string | undefined = () => undefined,
  file?: string,
): DecodedBtfExt {
  const out: DecodedBtfExt = { funcInfo: [], lineInfo: [], coreReloCount: 0, diagnostics: [] };
  const err = (code: string, message: string): void => {
    if (out.diagnostics.length < 50)
      out.diagnostics.push({ code, severity: "error", message, ...(file ? { file } : {}) });
  };
  const r = new ByteReader(bytes);
  if (bytes.length < 8) {
    err(ElfCodes.btfExtTruncated, `.BTF.ext is ${bytes.length} bytes, shorter than its header`);
    return out;
  }
  if (r.u16(0) !== 0xeb9f || r.u8(2) !== 1) {
    err(ElfCodes.btfExtBadHeader, ".BTF.ext has a bad magic number or version");
    return out;
  }
  const hdrLen = r.u32(4);
  if (hdrLen < 24 || !r.has(0, hdrLen)) {
    err(ElfCodes.btfExtBadHeader, `.BTF.ext header length ${hdrLen} is invalid`);
    return out;
  }
  const str = (off: number, what: string, strict: boolean): string => {
    const s = stringAt(off);
    if (s === undefined && strict)
      err(ElfCodes.btfExtBadString, `${what}: string offset ${off} is not in the BTF strings`);
    return s ?? "";
  };
  const resolving = stringAt(0) !== undefined;

  const sub = (
    off: number,
    len: number,
    minRec: number,
    what: string,
    onRecord: (rd: ByteReader, at: number) => void,
    onBlock: (name: string, nameOff: number) => void,
  ): void => {
    if (len === 0) return;
    const start = hdrLen + off;
    if (!r.has(start, len)) {
      err(
        ElfCodes.btfExtTruncated,
        `${what} (offset ${off}, length ${len}) extends past the end of .BTF.ext`,
      );
      return;
    }
    const rd = new ByteReader(bytes.subarray(start, start + len));
    if (len < 4) {
      err(ElfCodes.btfExtTruncated, `${what}: no record size`);
      return;
    }
    const recSize = rd.u32(0);
    if (recSize < minRec || recSize % 4 !== 0 || recSize > 1024) {
      err(
        ElfCodes.btfExtBadRecordSize,
        `${what}: record size ${recSize} is invalid (expected ${minRec})`,
      );
      return;
    }
    let at = 4;
    if (at === len) err(ElfCodes.btfExtEmpty, `${what} has a record size but no records`);
    while (at < len) {
      if (!rd.has(at, 8)) {
        err(ElfCodes.btfExtTruncated, `${what}: block header at ${at} is truncated`);
        return;
      }
      const nameOff = rd.u32(at);
      const num = rd.u32(at + 4);
      at += 8;
      if (num === 0) err(ElfCodes.btfExtEmpty, `${what}: a block has no records`);
      if (!rd.has(at, num * recSize)) {
        err(ElfCodes.btfExtTruncated, `${what}: ${num} records of ${recSize} bytes do not fit`);
        return;
      }
      onBlock(str(nameOff, what, resolving), nameOff);
      for (let i = 0; i < num; i++, at += recSize) onRecord(rd, at);
    }
  };

  const funcOff = r.u32(8);
  const funcLen = r.u32(12);
  const lineOff = hdrLen >= 24 ? r.u32(16) : 0;
  const lineLen = hdrLen >= 24 ? r.u32(20) : 0;
  sub(
    funcOff,
    funcLen,
    FUNC_INFO_REC_SIZE,
    "func_info",
    (rd, at) => out.funcInfo.at(-1)!.records.push({ insnOff: rd.u32(at), typeId: rd.u32(at + 4) }),
    (section, sectionNameOff) => out.funcInfo.push({ section, sectionNameOff, records: [] }),
  );
  sub(
    lineOff,
    lineLen,
    LINE_INFO_REC_SIZE,
    "line_info",
    (rd, at) => {
      const fileNameOff = rd.u32(at + 4);
      const lineOffS = rd.u32(at + 8);
      const lc = rd.u32(at + 12);
      const rec: DecodedLineInfo = {
        insnOff: rd.u32(at),
        fileNameOff,
        lineOff: lineOffS,
        line: lc >>> LINE_COL_SHIFT,
        col: lc & MAX_COL,
      };
      if (resolving) {
        rec.fileName = str(fileNameOff, "line_info file name", true);
        rec.lineText = str(lineOffS, "line_info line", true);
      }
      out.lineInfo.at(-1)!.records.push(rec);
    },
    (section, sectionNameOff) => out.lineInfo.push({ section, sectionNameOff, records: [] }),
  );
  if (hdrLen >= 32) {
    const coreOff = r.u32(24);
    const coreLen = r.u32(28);
    if (coreLen > 0) {
      let n = 0;
      sub(
        coreOff,
        coreLen,
        16,
        "core_relo",
        () => n++,
        () => {},
      );
      out.coreReloCount = n;
    }
  }
  return out;
}
