// Source lines for `disasm -S`, from `.BTF.ext` line_info (which carries the line's text, so
// no source file is read). llvm-objdump-19 does the same for BPF objects without DWARF; for
// objects with DWARF it reads `.debug_line` instead, which we do not (docs/disasm.md).
import { decodeBtf } from "../elf/btf.js";
import { decodeBtfExt } from "../elf/btf-ext.js";
import type { ObjFile } from "../elf/types.js";

export interface SourceLine {
  fileName: string;
  line: number;
  text: string;
}

/** Per code section name: instruction byte offset → its line record. */
export type SourceLines = Map<string, Map<number, SourceLine>>;

export function sourceLines(obj: ObjFile): SourceLines {
  const out: SourceLines = new Map();
  const btfSec = obj.sections.find((s) => s.name === ".BTF");
  const extSec = obj.sections.find((s) => s.name === ".BTF.ext");
  if (!btfSec || !extSec) return out;
  const btf = decodeBtf(btfSec.data);
  const ext = decodeBtfExt(extSec.data, (off) => btf.stringAt(off));
  for (const block of ext.lineInfo) {
    const map = out.get(block.section) ?? new Map<number, SourceLine>();
    // Records are looked up by exact offset in a sorted list; the first at an offset wins.
    for (const r of [...block.records].sort((a, b) => a.insnOff - b.insnOff)) {
      if (!map.has(r.insnOff))
        map.set(r.insnOff, { fileName: r.fileName ?? "", line: r.line, text: r.lineText ?? "" });
    }
    out.set(block.section, map);
  }
  return out;
}

/**
 * Decides which `; <source>` lines to print, as llvm-objdump's source printer does: a line is
 * printed when the instruction has a record whose file/line differ from the previous
 * instruction's; an instruction without a record forgets the previous line.
 */
export class SourceLinePrinter {
  private last: SourceLine | undefined;

  /** The text to print before the instruction at `offset`, or undefined. */
  before(lines: Map<number, SourceLine> | undefined, offset: number): string | undefined {
    const info = lines?.get(offset);
    const prev = this.last;
    this.last = info;
    if (!info || info.line === 0) return undefined;
    if (prev && prev.line === info.line && prev.fileName === info.fileName) return undefined;
    return info.text === "" ? undefined : `; ${info.text}\n`;
  }
}
