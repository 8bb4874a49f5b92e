// `llvm-objdump-19 -d [-r] [-S] [--no-print-imm-hex] [--mattr=+alu32]` for BPF objects, line
// for line. The layout rules were established against llvm-objdump-19 (docs/disasm.md).
import {
  type ObjFile,
  type ObjRelocation,
  type ObjSection,
  R_BPF,
  SHF,
  STT,
} from "../elf/types.js";
import { type CoreNotes, coreRelocationNotes } from "./core-relo.js";
import { type SourceLine, SourceLinePrinter, sourceLines } from "./source-lines.js";
import { decodeInstruction, type DecodeResult, registerProblem } from "../isa/decode.js";
import type { Instruction } from "../isa/instruction.js";
import { AtomicOp, Class, JmpOp, Mode, Size } from "../isa/opcodes.js";
import { formOf, type InstructionForm } from "../isa/table.js";
import { type InsnFormatOptions, formatWithForm } from "../isa/text.js";

export interface DisassembleOptions {
  /** Interleave relocations (`-r`). */
  relocs: boolean;
  /** Hex immediates (default of llvm-objdump); false = `--no-print-imm-hex`. */
  hexImm: boolean;
  /** Name printed in the header line (`x.o:\tfile format elf64-bpf`). */
  fileName: string;
  /** As `--mattr=+alu32`: `w` registers in narrow loads/stores; decodes 32-bit atomic fetch ops. */
  alu32?: boolean;
  /** Interleave source lines from `.BTF.ext` line info (`-S`). */
  source?: boolean;
}

interface Label {
  name: string;
  address: number;
  /** The section-start label llvm-objdump makes up when no symbol is there; loses every tie. */
  synthetic: boolean;
}

const RELOC_NAMES = new Map<number, string>(
  Object.entries(R_BPF).map(([k, v]) => [v, k === "NONE" ? "R_BPF_NONE" : k]),
);

export function relocationTypeName(type: number): string {
  return RELOC_NAMES.get(type) ?? `Unknown (${type})`;
}

function hex16(n: bigint | number): string {
  return BigInt.asUintN(64, BigInt(n)).toString(16).padStart(16, "0");
}

/** Among labels at one address llvm-objdump-19 shows the one whose name sorts last. */
function better(a: Label, b: Label): Label {
  if (a.synthetic !== b.synthetic) return a.synthetic ? b : a;
  return a.name > b.name ? a : b;
}

function sectionLabels(obj: ObjFile, section: ObjSection): Label[] {
  const byAddress = new Map<number, Label>();
  const add = (l: Label) => {
    const prev = byAddress.get(l.address);
    byAddress.set(l.address, prev ? better(prev, l) : l);
  };
  add({ name: section.name, address: 0, synthetic: true });
  for (const s of obj.symbols) {
    if (s.section !== section.name || s.shndx !== undefined) continue;
    if (s.type === STT.FILE || s.type === STT.SECTION) continue;
    add({ name: s.name, address: s.value, synthetic: false });
  }
  return [...byAddress.values()].sort((a, b) => a.address - b.address);
}

function symbolName(r: ObjRelocation): string {
  return typeof r.symbol === "string" ? r.symbol : r.symbol.section;
}

/** Leading zero bytes llvm-objdump replaces by `...`: at least 8, rounded down to 4. */
function skippableZeros(bytes: Uint8Array, from: number, to: number): number {
  let n = 0;
  while (from + n < to && bytes[from + n] === 0) n++;
  return n < 8 ? 0 : n & ~3;
}

/**
 * What llvm-objdump-19 shows for one decode result, quirks included (each found by the
 * opcode sweep in test/disasm/sweep.test.ts):
 *  - STX|ATOMIC W/DW: it reads only the low 8 bits of imm, and its non-fetching decoders
 *    check only bits 4-7, so `imm` 0x1e1 prints as xchg, 0x05 as `lock +=`, 0x45 as `lock |=`
 *    (load_acquire/store_release, which it does not know, keep our text);
 *  - without +alu32 it knows no 32-bit fetch/xchg/cmpxchg/or/and/xor (`<unknown>`), and its
 *    32-bit xadd decoder ignores the FETCH bit, so atomic_fetch_add32 prints as `lock +=`;
 *  - CALL ignores src, so unknown pseudo-sources print as `call imm`.
 */
export function objdumpText(r: DecodeResult, options: InsnFormatOptions): string {
  let insn = r.insn;
  let form = r.ok ? r.form : undefined;
  if (!form && insn) {
    const alt = llvmFallback(insn);
    if (alt && !registerProblem(alt.form, alt.insn)) ({ insn, form } = alt);
  }
  if (!form || !insn) return "<unknown>";
  if (form.llvm === "alu32" && !options.alu32) {
    if (form.name !== "atomic_fetch_add32") return "<unknown>";
    insn = { ...insn, imm: insn.imm & ~AtomicOp.FETCH };
    form = formOf(insn);
    if (!form) return "<unknown>";
  }
  return formatWithForm(form, insn, options);
}

function llvmFallback(insn: Instruction): { insn: Instruction; form: InstructionForm } | undefined {
  const atomic = Class.STX | Mode.ATOMIC;
  if (insn.opcode === (atomic | Size.W) || insn.opcode === (atomic | Size.DW)) {
    for (const imm of [insn.imm & 0xff, insn.imm & 0xf0]) {
      const alt = { ...insn, imm };
      const form = formOf(alt);
      if (form && form.llvm !== "never") return { insn: alt, form };
    }
  }
  if (insn.opcode === (Class.JMP | JmpOp.CALL)) {
    const alt = { ...insn, src: 0 };
    const form = formOf(alt);
    if (form) return { insn: alt, form };
  }
  return undefined;
}

export function disassemble(obj: ObjFile, options: DisassembleOptions): string {
  const out: string[] = [`\n${options.fileName}:\tfile format elf64-bpf\n`];
  // CO-RE notes come with -r only, as in llvm-objdump.
  const core = options.relocs ? coreRelocationNotes(obj) : undefined;
  const lines = options.source ? sourceLines(obj) : undefined;
  const printer = new SourceLinePrinter();
  for (const section of obj.sections) {
    if (!(section.flags & SHF.EXECINSTR) || section.data.length === 0) continue;
    out.push(`\nDisassembly of section ${section.name}:\n`);
    disassembleSection(
      obj,
      section,
      options,
      out,
      core,
      lines && { lines: lines.get(section.name), printer },
    );
  }
  return out.join("");
}

function disassembleSection(
  obj: ObjFile,
  section: ObjSection,
  options: DisassembleOptions,
  out: string[],
  core: CoreNotes | undefined,
  source: { lines: Map<number, SourceLine> | undefined; printer: SourceLinePrinter } | undefined,
): void {
  const bytes = section.data;
  const labels = sectionLabels(obj, section);
  const relocs = options.relocs
    ? [...(obj.relocations.get(section.name) ?? [])].sort((a, b) => a.offset - b.offset)
    : [];
  let relIndex = 0;
  const coreNotes = options.relocs ? core?.get(section.name) : undefined;

  /** `<label>` or `<label+0x..>` for an address, as llvm-objdump annotates branch targets. */
  const annotate = (target: bigint): string => {
    const t = BigInt.asUintN(64, target);
    let best: Label | undefined;
    for (const l of labels) if (BigInt(l.address) <= t) best = l;
    if (!best) return "";
    const delta = t - BigInt(best.address);
    return delta === 0n ? `<${best.name}>` : `<${best.name}+0x${delta.toString(16)}>`;
  };

  for (let li = 0; li < labels.length; li++) {
    const label = labels[li]!;
    const start = label.address;
    if (start >= bytes.length) continue;
    const end = Math.min(
      li + 1 < labels.length ? labels[li + 1]!.address : bytes.length,
      bytes.length,
    );
    out.push(`\n${hex16(start)} <${label.name}>:\n`);
    let at = start;
    while (at < end) {
      let limit = end;
      if (options.relocs && relIndex < relocs.length)
        limit = Math.min(limit, Math.max(at, relocs[relIndex]!.offset));
      const zeros = skippableZeros(bytes, at, limit);
      if (zeros > 0) {
        out.push("\t\t...\n");
        at += zeros;
        continue;
      }
      const src = source?.printer.before(source.lines, at);
      if (src) out.push(src);
      // An instruction may run past the next label; that label then restarts at its own
      // address and the overlapped bytes are decoded again (as llvm-objdump does).
      const r = decodeInstruction(bytes, at);
      const size = r.size;
      const shown = Array.from(bytes.subarray(at, at + size), (b) =>
        b.toString(16).padStart(2, "0"),
      ).join(" ");
      const here = at;
      const text = objdumpText(r, {
        hexImm: options.hexImm,
        alu32: options.alu32 ?? false,
        branchTarget: (rel) => annotate(BigInt(here) + 8n + BigInt(rel) * 8n),
      });
      out.push(`${String(Math.floor(at / 8)).padStart(8)}:\t${shown}\t${text}\n`);
      const note = coreNotes?.get(at);
      if (note !== undefined) out.push(`\t\t${hex16(at)}:  CO-RE ${note}\n`);
      at += size;
      while (relIndex < relocs.length && relocs[relIndex]!.offset < at) {
        const rel = relocs[relIndex++]!;
        out.push(
          `\t\t${hex16(rel.offset)}:  ${relocationTypeName(rel.type)}\t${symbolName(rel)}\n`,
        );
      }
    }
  }
}
