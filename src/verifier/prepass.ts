// The kernel's whole-program pre-passes, which look at every instruction whether or not a
// path ever reaches it (resolve_pseudo_ldimm64, add_subprog_and_kfunc, check_subprogs,
// check_cfg). Path-sensitive checks (registers, memory, most reserved fields) happen only on
// the paths the abstract walk explores, as in the kernel; what is listed here rejects the
// object even in code no path reaches. Measured against the 6.18 host kernel (scratch probe
// over every instruction form, each reserved field set, in dead and in live code): in dead code
// the kernel rejects exactly these beyond an unknown opcode, a jump or call out of its
// subprogram, and unreachable code (program.ts):
//   - ld_imm64 whose second slot has a non-zero opcode, register or offset byte
//     ("invalid bpf_ld_imm64 insn");
//   - a load (BPF_LDX) with a non-zero imm ("BPF_LDX uses reserved fields");
//   - a kfunc call (src_reg 2) naming a BTF id or module ("kernel btf_id N is not a
//     function" / "failed to find BTF for kernel function").
// Every other reserved field is checked by the kernel only when a path reaches it (engine.ts).
import type { Decoded } from "../isa/decode.js";
import { decodeInstruction } from "../isa/decode.js";
import type { ObjFile, ObjSection } from "../elf/types.js";
import { VerifierCodes } from "./codes.js";
import { isCodeSection, type LinkedProgram, type Problem } from "./program.js";

export interface InsnProblem {
  code: string;
  message: string;
  hint?: string;
}

/**
 * What the kernel's pre-passes reject in this instruction wherever it is. `relocated`: the
 * object carries a relocation at it (a kfunc call relocated against an extern is the linker's
 * business, checked in program.ts).
 */
export function insnPrepassProblem(d: Decoded, relocated: boolean): InsnProblem | undefined {
  const sem = d.form.sem;
  if (sem.kind === "ld_imm64" && d.reserved.includes("next"))
    return {
      code: VerifierCodes.badInstruction,
      message:
        'invalid ld_imm64: the opcode, registers and offset of its second slot must be 0 (the kernel checks every instruction, reached or not: "invalid bpf_ld_imm64 insn")',
    };
  if (sem.kind === "load" && d.reserved.includes("imm"))
    return {
      code: VerifierCodes.badInstruction,
      message: `a load's reserved field imm must be 0 (it is ${d.insn.imm}; the kernel checks every load, reached or not: "BPF_LDX uses reserved fields")`,
    };
  if (
    sem.kind === "call" &&
    sem.target === "kfunc" &&
    !relocated &&
    (d.insn.imm !== 0 || d.insn.off !== 0)
  )
    return {
      code: VerifierCodes.kfuncUnsupported,
      message: `kfunc call to BTF id ${d.insn.imm}${d.insn.off ? ` in module BTF ${d.insn.off}` : ""}: the kernel resolves every kfunc call before walking any path and rejects this one ("kernel btf_id ${d.insn.imm} is not a function"); io_uring programs of this target have no kfuncs`,
    };
  return undefined;
}

/** The pre-pass over a linked program (every slot, reachable or not). */
export function prepassLinked(p: LinkedProgram, relocatedPcs?: ReadonlySet<number>): Problem[] {
  const out: Problem[] = [];
  for (const insn of p.insns) {
    if (!insn) continue;
    const pr = insnPrepassProblem(insn.d, relocatedPcs?.has(insn.pc) ?? false);
    if (pr) out.push({ ...pr, pc: insn.pc });
  }
  return out;
}

export interface SectionProblem extends InsnProblem {
  section: string;
  byteOffset: number;
}

/**
 * The same pre-pass over every code section of an object, without linking: what `ioubpf run`
 * refuses before executing anything (the VM would otherwise run an object no kernel loads).
 * Undecodable instructions count too (the kernel's "unknown opcode").
 */
export function prepassObject(obj: ObjFile): SectionProblem[] {
  const out: SectionProblem[] = [];
  for (const sec of obj.sections) {
    if (!isCodeSection(sec)) continue;
    out.push(...prepassSection(sec, obj));
  }
  return out;
}

function prepassSection(sec: ObjSection, obj: ObjFile): SectionProblem[] {
  const out: SectionProblem[] = [];
  const relocated = new Set((obj.relocations.get(sec.name) ?? []).map((r) => r.offset));
  for (let at = 0; at + 8 <= sec.data.length;) {
    const d = decodeInstruction(sec.data, at);
    if (!d.ok) {
      out.push({
        section: sec.name,
        byteOffset: at,
        code: VerifierCodes.badInstruction,
        message: `invalid instruction: ${d.reason}`,
      });
      at += 8;
      continue;
    }
    const pr = insnPrepassProblem(d, relocated.has(at));
    if (pr) out.push({ ...pr, section: sec.name, byteOffset: at });
    at += d.size;
  }
  return out;
}
