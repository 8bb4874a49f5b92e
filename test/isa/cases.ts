// Representative instances of every table row: registers at both ends, offsets and
// immediates at their extremes. Used by the llvm cross-check and the property tests.
import type { Instruction } from "../../src/isa/instruction.js";
import { FORMS, type InstructionForm } from "../../src/isa/table.js";

export const IMMS = [0, 1, -1, 42, 0x7fff, -0x8000, 0x7fffffff, -0x80000000];
export const OFFS = [0, 1, -1, 0x7fff, -0x8000];
export const IMM64S = [
  0n,
  1n,
  -1n,
  0xffffffffn,
  0x100000000n,
  0x1ffffffffn,
  0x7fffffffffffffffn,
  -0x8000000000000000n,
  -0x123456789abcdn,
];
const REG_PAIRS: [number, number][] = [
  [1, 2],
  [10, 0],
  [0, 10],
  [5, 5],
];
/** addr_space_cast imm = dst_as << 16 | src_as. */
const AS_IMMS = [0x00000001, 0x00010000, -1, 0x00030007, 0];

export interface Case {
  form: InstructionForm;
  insn: Instruction;
}

export function casesFor(form: InstructionForm): Case[] {
  const uses = new Set(form.uses);
  const imms: (number | undefined)[] =
    form.name === "addr_space_cast"
      ? AS_IMMS
      : uses.has("imm") && form.match.imm === undefined
        ? IMMS
        : [undefined];
  const offs: (number | undefined)[] =
    uses.has("off") && form.match.off === undefined ? OFFS : [undefined];
  const out: Case[] = [];
  let k = 0;
  const add = (imm: number | undefined, off: number | undefined, imm64?: bigint) => {
    const [d, s] = REG_PAIRS[k++ % REG_PAIRS.length]!;
    const insn: Instruction = {
      opcode: form.opcode,
      dst: uses.has("dst") ? d : (form.match.dst ?? 0),
      src: form.name === "ld_pseudo" ? 7 + (k % 9) : (form.match.src ?? (uses.has("src") ? s : 0)),
      off: form.match.off ?? off ?? 0,
      imm: form.match.imm ?? imm ?? 0,
    };
    if (form.size === 16) insn.imm64 = imm64 ?? BigInt(insn.imm >>> 0);
    out.push({ form, insn });
  };
  if (form.name === "ld_imm64") {
    for (const v of IMM64S) add(Number(BigInt.asIntN(32, v)), undefined, v);
    return out;
  }
  for (const imm of imms) for (const off of offs) add(imm, off);
  // Every register at least once in each position that takes one.
  if (uses.has("dst") || uses.has("src")) {
    for (let r = 0; r <= 10; r++) {
      const base = out[0]!.insn;
      const src = uses.has("src") && form.name !== "ld_pseudo" ? 10 - r : base.src;
      const insn = { ...base, dst: uses.has("dst") ? r : base.dst, src };
      out.push({ form, insn });
    }
  }
  return out;
}

export function allCases(): Case[] {
  return FORMS.flatMap(casesFor);
}
