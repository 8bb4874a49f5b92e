// Properties of the encoder, decoder and text forms over random valid instructions, plus
// robustness on arbitrary bytes and text.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Instruction } from "../../src/isa/instruction.js";
import { decodeInstruction, decodeProgram } from "../../src/isa/decode.js";
import { encodeInstruction, encodeProgram } from "../../src/isa/encode.js";
import { FORMS, formOf, type InstructionForm } from "../../src/isa/table.js";
import { formatInstruction, parseInstruction } from "../../src/isa/text.js";

const s16 = fc.integer({ min: -0x8000, max: 0x7fff });
const s32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const s64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const reg = fc.integer({ min: 0, max: 10 });

/** A random instance of `form`; `textual` keeps ld_pseudo's unprintable second-slot imm at 0. */
function instanceOf(form: InstructionForm, textual: boolean): fc.Arbitrary<Instruction> {
  const uses = new Set(form.uses);
  return fc
    .record({
      dst: reg,
      src: reg,
      pseudo: fc.integer({ min: 7, max: 15 }),
      off: s16,
      imm: s32,
      imm64: s64,
    })
    .map((r) => {
      const insn: Instruction = {
        opcode: form.opcode,
        dst: uses.has("dst") ? r.dst : (form.match.dst ?? 0),
        src:
          form.name === "ld_pseudo" ? r.pseudo : (form.match.src ?? (uses.has("src") ? r.src : 0)),
        off: form.match.off ?? (uses.has("off") ? r.off : 0),
        imm: form.match.imm ?? (uses.has("imm") ? r.imm : 0),
      };
      if (form.size === 16) {
        const v = form.name === "ld_imm64" || !textual ? r.imm64 : BigInt(r.imm >>> 0);
        insn.imm64 = v;
        insn.imm = Number(BigInt.asIntN(32, v));
      }
      return insn;
    });
}

const anyInsn = (textual: boolean) =>
  fc.constantFrom(...FORMS).chain((f) => instanceOf(f, textual).map((insn) => ({ form: f, insn })));

test("decode(encode(i)) = i for every valid instruction", () => {
  fc.assert(
    fc.property(anyInsn(false), ({ form, insn }) => {
      const d = decodeInstruction(encodeInstruction(insn));
      assert.ok(d.ok, !d.ok ? d.reason : "");
      assert.equal(d.form, form);
      assert.deepEqual(d.insn, insn);
      assert.deepEqual(d.reserved, []);
    }),
    { numRuns: 3000 },
  );
});

test("parse(format(i)) = i in hex and decimal, with and without alu32 register names", () => {
  // call_local/call_kfunc print like a helper call (`call 0x5`): their text is not unique.
  const textual = FORMS.filter((f) => !(f.sem.kind === "call" && f.sem.target !== "helper"));
  fc.assert(
    fc.property(
      fc.constantFrom(...textual).chain((f) => instanceOf(f, true)),
      fc.boolean(),
      fc.boolean(),
      (insn, hexImm, alu32) => {
        const text = formatInstruction(insn, { hexImm, alu32 });
        const p = parseInstruction(text);
        assert.ok(!("error" in p), `${text}: ${"error" in p ? p.error : ""}`);
        assert.deepEqual(p.insn, insn, text);
      },
    ),
    { numRuns: 3000 },
  );
});

test("encodeProgram / decodeProgram round trip", () => {
  fc.assert(
    fc.property(fc.array(anyInsn(false), { maxLength: 40 }), (items) => {
      const insns = items.map((x) => x.insn);
      const bytes = encodeProgram(insns);
      const back = decodeProgram(bytes);
      assert.deepEqual(
        back.map((e) => (e.result.ok ? e.result.insn : undefined)),
        insns,
      );
    }),
    { numRuns: 300 },
  );
});

test("arbitrary bytes never throw; what decodes re-encodes to the same bytes", () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 40 }), (bytes) => {
      for (const e of decodeProgram(bytes)) {
        const r = e.result;
        if (!r.ok) continue;
        assert.ok(formatInstruction(r.insn).length > 0);
        const again = encodeInstruction(r.insn);
        const orig = bytes.subarray(e.offset, e.offset + r.size);
        if (r.reserved.includes("next")) continue; // second-slot junk is not kept
        assert.deepEqual([...again], [...orig]);
      }
    }),
    { numRuns: 2000 },
  );
});

test("arbitrary text never throws and errors point inside the line", () => {
  const pieces = fc.constantFrom(
    "r1",
    "w2",
    "=",
    "+=",
    "(",
    ")",
    "*",
    "u64",
    "goto",
    "if",
    "+",
    "-",
    "0x10",
    "ll",
    "lock",
    "exit",
    ",",
    "s>>=",
    "call",
    "foo",
    "[",
    "]",
    "%",
    "#",
  );
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string(),
        fc.array(pieces, { maxLength: 10 }).map((a) => a.join(" ")),
      ),
      (text) => {
        const p = parseInstruction(text);
        if ("error" in p) {
          assert.ok(
            p.column >= 1 && p.column <= text.length + 1,
            `${JSON.stringify(text)} → ${p.column}`,
          );
          assert.ok(p.length >= 1);
        }
      },
    ),
    { numRuns: 3000 },
  );
});

test("the table: unique names, every row selects itself, groups and cpu versions present", () => {
  const names = new Set(FORMS.map((f) => f.name));
  assert.equal(names.size, FORMS.length);
  for (const f of FORMS) {
    const insn: Instruction = {
      opcode: f.opcode,
      dst: 0,
      src: f.name === "ld_pseudo" ? 7 : (f.match.src ?? 0),
      off: f.match.off ?? 0,
      imm: f.match.imm ?? 0,
    };
    assert.equal(formOf(insn), f, f.name);
    assert.ok(
      !f.uses.some((u) => u in f.match),
      `${f.name}: a field is both operand and discriminator`,
    );
  }
  const groups = new Set(FORMS.map((f) => f.group));
  for (const g of [
    "base32",
    "base64",
    "atomic32",
    "atomic64",
    "divmul32",
    "divmul64",
    "packet",
    "callx",
    "kernel",
  ])
    assert.ok(groups.has(g as never), g);
  assert.deepEqual([...new Set(FORMS.map((f) => f.cpu))].sort(), [1, 2, 3, 4]);
});

test("decode failures and reserved fields", () => {
  const bytes = (...b: number[]) => new Uint8Array(b);
  const unknown = decodeInstruction(bytes(0xff, 0, 0, 0, 0, 0, 0, 0));
  assert.equal(unknown.ok, false);
  assert.match(!unknown.ok ? unknown.reason : "", /unknown instruction: opcode 0xff/);
  assert.equal(unknown.size, 8);
  const short = decodeInstruction(bytes(0x95, 0, 0));
  assert.deepEqual([short.ok, short.size], [false, 1]);
  const ld = decodeInstruction(bytes(0x18, 1, 0, 0, 5, 0, 0, 0));
  assert.ok(!ld.ok && /truncated ld_imm64/.test(ld.reason));
  // r1 += r2 with imm=5: llvm prints it, the RFC says imm must be 0.
  const junk = decodeInstruction(bytes(0x0f, 0x21, 0, 0, 5, 0, 0, 0));
  assert.ok(junk.ok);
  assert.deepEqual(junk.reserved, ["imm"]);
  const next = decodeInstruction(bytes(0x18, 1, 0, 0, 5, 0, 0, 0, 0x07, 0x23, 0, 0, 0, 0, 0, 0));
  assert.ok(next.ok);
  assert.deepEqual(next.reserved, ["next"]);
  // A used register above r11 is not an instruction.
  const r15 = decodeInstruction(bytes(0x0f, 0xf1, 0, 0, 0, 0, 0, 0));
  assert.ok(!r15.ok && /invalid register src=15/.test(r15.reason));
  // ALU with off other than 0 (or 1 for sdiv/smod) is unknown.
  assert.equal(decodeInstruction(bytes(0x07, 1, 2, 0, 0, 0, 0, 0)).ok, false);
});

test("parse errors name the bad token", () => {
  const cases: [string, RegExp, number][] = [
    ["r1 += w2", /invalid operand/, 7],
    ["r1 = *(u64 *)(r2 + 32768)", /16-bit signed/, 18],
    ["goto +32768", /16-bit signed/, 6],
    ["r1 = be16 r2", /must be the same/, 11],
    ["r1 +", /unexpected token/, 4],
    ["r1 +=", /end of instruction/, 6],
    ["frob r1", /invalid register\/token name|unexpected token/, 1],
    ["r1 = 0x1ffffffff", /does not fit in 32 bits/, 6],
    ["r1 = 1 @", /unexpected character/, 8],
    ["", /expected an instruction/, 1],
  ];
  for (const [text, re, col] of cases) {
    const p = parseInstruction(text);
    assert.ok("error" in p, `accepted '${text}'`);
    assert.match(p.error, re, text);
    assert.equal(p.column, col, `${text}: ${p.error}`);
  }
  // Symbol operands come back as refs for the assembler.
  const call = parseInstruction("call my_func");
  assert.ok(!("error" in call));
  assert.deepEqual(call.ref, { kind: "call", symbol: "my_func" });
  assert.deepEqual([call.insn.src, call.insn.imm], [1, -1]);
  const br = parseInstruction("if r1 s> 5 goto LBB0_3");
  assert.ok(!("error" in br));
  assert.deepEqual(br.ref, { kind: "branch", symbol: "LBB0_3" });
  const map = parseInstruction("r1 = my_map + 8 ll");
  assert.ok(!("error" in map));
  assert.deepEqual(map.ref, { kind: "imm64", symbol: "my_map", addend: 8 });
  assert.equal(map.insn.imm64, 8n);
  const gl = parseInstruction("gotol target");
  assert.ok(!("error" in gl) && gl.ref?.kind === "branch" && gl.form.name === "gotol");
  // Hooks for notes after branch and call targets.
  const j = parseInstruction("if r1 == 0 goto +2");
  assert.ok(!("error" in j));
  assert.equal(
    formatInstruction(j.insn, { branchTarget: (rel) => `<L${rel}>` }),
    "if r1 == 0x0 goto +0x2 <L2>",
  );
  assert.ok(!("error" in call));
  assert.equal(
    formatInstruction(call.insn, { callTarget: (i) => `<sub${i.src}>` }),
    "call -0x1 <sub1>",
  );
  // Spacing, case of register names, octal/binary numbers.
  for (const [text, want] of [
    ["R1  s >>=0b101", "r1 s>>= 0x5"],
    ["r1=*(u32*)(r2-010)", "w1 = *(u32 *)(r2 - 0x8)"],
    ["if w1 s<= -1 goto -1", "if w1 s<= -0x1 goto -0x1"],
  ] as const) {
    const p = parseInstruction(text);
    assert.ok(!("error" in p), text);
    assert.equal(formatInstruction(p.insn, { alu32: true }), want);
  }
});
