// The object as assembly text that both our assembler and llvm-mc-19 accept: program
// sections as instructions with `.LBB` labels and `sym ll` loads, every other section as
// bytes with its symbols. Assembling the text gives back the same sections and symbols.
import type { ObjFile } from "../elf/types.js";
import { SHF, SHT, STB, STT } from "../elf/types.js";
import { formatInstruction } from "../isa/index.js";
import type { LaidOut } from "./layout.js";

export interface AsmProgram {
  section: string;
  symbol: string;
  code: LaidOut;
}

const q = (s: string): string => (/^[A-Za-z_.][A-Za-z0-9_.]*$/.test(s) ? s : JSON.stringify(s));

export function objectToAsm(obj: ObjFile, programs: AsmProgram[]): string {
  const out: string[] = [];
  if (obj.fileName) out.push(`\t.file\t${JSON.stringify(obj.fileName)}`);
  let fnIndex = 0;
  for (const sec of obj.sections) {
    const exec = (sec.flags & SHF.EXECINSTR) !== 0;
    const flags =
      (sec.flags & SHF.ALLOC ? "a" : "") + (sec.flags & SHF.WRITE ? "w" : "") + (exec ? "x" : "");
    const type = sec.type === SHT.NOBITS ? "@nobits" : "@progbits";
    out.push(`\t.section\t${q(sec.name)},"${flags}",${type}`);
    const align = Math.max(sec.addralign, 1);
    if (align > 1) out.push(`\t.p2align\t${Math.log2(align)}`);
    const syms = obj.symbols
      .filter((s) => s.section === sec.name)
      .sort((a, b) => a.value - b.value);
    if (exec) {
      for (const p of programs.filter((pp) => pp.section === sec.name)) {
        const sym = syms.find((s) => s.name === p.symbol)!;
        const n = fnIndex++;
        out.push(
          `\t.globl\t${q(p.symbol)}`,
          `\t.type\t${q(p.symbol)},@function`,
          `${q(p.symbol)}:`,
        );
        const labelName = new Map<number, string>();
        let k = 0;
        for (const [, lab] of p.code.branchTargets)
          if (!labelName.has(lab)) labelName.set(lab, `.LBB${n}_${k++}`);
        const labelsAtOffset = new Map<number, string[]>();
        for (const [lab, name] of labelName) {
          const off = p.code.labelAt.get(lab)!;
          labelsAtOffset.set(off, [...(labelsAtOffset.get(off) ?? []), name]);
        }
        const relocAt = new Map(p.code.relocs.map((r) => [r.offset, r.symbol]));
        p.code.insns.forEach((insn, i) => {
          const off = p.code.offsets[i]!;
          for (const l of labelsAtOffset.get(off) ?? []) out.push(`${l}:`);
          let text = formatInstruction(insn);
          const lab = p.code.branchTargets.get(i);
          if (lab !== undefined)
            text = text.replace(/(goto|gotol) [+-]?(0x)?[0-9a-f]+$/, `$1 ${labelName.get(lab)}`);
          const rs = relocAt.get(off);
          if (rs !== undefined)
            text = text
              .replace(/= [^ ]+ ll$/, `= ${q(rs)} ll`)
              // A kfunc call (linux-7.1): `call sym`, which llvm-mc and our assembler turn
              // back into `call -1` (src_reg 1) with R_BPF_64_32 against sym.
              .replace(/^call -0x1$/, `call ${q(rs)}`);
          out.push(`\t${text}`);
        });
        out.push(`.Lfunc_end${n}:`, `\t.size\t${q(p.symbol)}, .Lfunc_end${n}-${q(p.symbol)}`);
        void sym;
      }
      continue;
    }
    const size = sec.type === SHT.NOBITS ? (sec.size ?? 0) : sec.data.length;
    let at = 0;
    const bytesUpTo = (end: number): void => {
      if (end <= at) return;
      if (sec.type === SHT.NOBITS) out.push(`\t.zero\t${end - at}`);
      else {
        for (let p = at; p < end; p += 16) {
          const chunk = Array.from(sec.data.subarray(p, Math.min(end, p + 16)));
          out.push(`\t.byte\t${chunk.join(",")}`);
        }
      }
      at = end;
    };
    for (const s of syms) {
      bytesUpTo(s.value);
      if (s.bind === STB.GLOBAL) out.push(`\t.globl\t${q(s.name)}`);
      out.push(
        `\t.type\t${q(s.name)},${s.type === STT.FUNC ? "@function" : "@object"}`,
        `${q(s.name)}:`,
      );
      out.push(`\t.size\t${q(s.name)}, ${s.size}`);
    }
    bytesUpTo(size);
  }
  return out.join("\n") + "\n";
}
