// Property: for random valid instruction sequences built from the ISA table, assembling the
// text `disassemble` prints reproduces the code bytes exactly.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { assemble } from "../../src/asm/index.js";
import { disassemble } from "../../src/disasm/objdump.js";
import { SHF, SHT, STB, STT, type ObjFile } from "../../src/elf/types.js";
import { encodeProgram } from "../../src/isa/encode.js";
import type { Instruction } from "../../src/isa/instruction.js";
import { FORMS, type InstructionForm } from "../../src/isa/table.js";

// Local and kfunc calls print exactly like helper calls (`call 0x4`), so their text cannot
// carry src_reg; the assembler gets src 1 only from `call symbol`. Forms llvm-objdump-19
// cannot print (llvm !== "always") have no text to round-trip.
const FORMS_OK = FORMS.filter(
  (f) => f.llvm === "always" && f.name !== "call_local" && f.name !== "call_kfunc",
);

function arbInsn(form: InstructionForm): fc.Arbitrary<Instruction> {
  const reg = fc.integer({ min: 0, max: 10 });
  return fc
    .record({
      dst: reg,
      src: reg,
      off: fc.integer({ min: -32768, max: 32767 }),
      imm: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      imm64: fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
    })
    .map((r) => {
      const insn: Instruction = { opcode: form.opcode, dst: 0, src: 0, off: 0, imm: 0 };
      for (const f of form.uses) insn[f] = r[f];
      Object.assign(insn, form.match);
      if (form.size === 16) {
        // `ld_pseudo` text carries only the low 32 bits; its second slot stays 0.
        insn.imm64 = form.template.includes("{imm64}") ? r.imm64 : BigInt(r.imm >>> 0);
        insn.imm = Number(BigInt.asIntN(32, r.imm64));
      }
      return insn;
    });
}

const arbProgram = fc.array(
  fc.constantFrom(...FORMS_OK).chain((f) => arbInsn(f)),
  { minLength: 1, maxLength: 40 },
);

/** The instruction text of a disassembly: the field after the bytes, without `<label>`s. */
function listingToAsm(listing: string): string {
  const out = ['\t.section\tprog,"ax",@progbits'];
  for (const line of listing.split("\n")) {
    const m = line.match(/^\s*\d+:\t[0-9a-f ]+\t(.*)$/);
    if (m) out.push("\t" + m[1]!.replace(/ <[^<>]*>$/, ""));
  }
  return out.join("\n") + "\n";
}

test("the table offers forms for the property", () => {
  assert.ok(FORMS_OK.length > 100, `${FORMS_OK.length} forms`);
});

test("asm(disasm(bytes)) == bytes for random instruction sequences", () => {
  fc.assert(
    fc.property(arbProgram, (insns) => {
      const code = encodeProgram(insns);
      const obj: ObjFile = {
        sections: [
          {
            name: "prog",
            type: SHT.PROGBITS,
            flags: SHF.ALLOC | SHF.EXECINSTR,
            data: code,
            addralign: 8,
          },
        ],
        symbols: [
          {
            name: "f",
            section: "prog",
            value: 0,
            size: code.length,
            type: STT.FUNC,
            bind: STB.GLOBAL,
          },
        ],
        relocations: new Map(),
      };
      const text = listingToAsm(disassemble(obj, { relocs: false, hexImm: true, fileName: "t.o" }));
      const r = assemble(text, "roundtrip.s");
      assert.deepEqual(
        r.diagnostics
          .filter((d) => d.severity === "error")
          .map((d) => `${d.message} @${d.range?.start.line}`),
        [],
        text,
      );
      const sec = r.object!.sections.find((s) => s.name === "prog")!;
      assert.equal(Buffer.from(sec.data).toString("hex"), Buffer.from(code).toString("hex"), text);
    }),
    { seed: 0x10b9f, numRuns: 300 },
  );
});

test("decimal immediates (--no-print-imm-hex) round-trip too", () => {
  fc.assert(
    fc.property(arbProgram, (insns) => {
      const code = encodeProgram(insns);
      const obj: ObjFile = {
        sections: [
          {
            name: "prog",
            type: SHT.PROGBITS,
            flags: SHF.ALLOC | SHF.EXECINSTR,
            data: code,
            addralign: 8,
          },
        ],
        symbols: [],
        relocations: new Map(),
      };
      const text = listingToAsm(
        disassemble(obj, { relocs: false, hexImm: false, fileName: "t.o" }),
      );
      const r = assemble(text, "roundtrip.s");
      const sec = r.object?.sections.find((s) => s.name === "prog");
      assert.ok(sec, text + r.diagnostics.map((d) => d.message).join("\n"));
      assert.equal(Buffer.from(sec.data).toString("hex"), Buffer.from(code).toString("hex"), text);
    }),
    { seed: 0x5eed, numRuns: 150 },
  );
});
