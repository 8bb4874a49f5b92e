// Property tests: the two-halves ALU against a BigInt model written straight from RFC 9669's
// definitions, and robustness (random code, random scenario text never throw).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Instruction } from "../../src/isa/instruction.js";
import { AluOp, AluOff, Class, JmpOp, LD_IMM64, Source } from "../../src/isa/opcodes.js";
import { SHF, SHT, type ObjFile } from "../../src/elf/types.js";
import { Interpreter } from "../../src/vm/interpreter.js";
import { loadObject } from "../../src/vm/loader.js";
import { parseScenario } from "../../src/vm/scenario.js";

const M64 = (1n << 64n) - 1n;
const u64 = (v: bigint) => v & M64;
const s64 = (v: bigint) => BigInt.asIntN(64, v);
const u32 = (v: bigint) => v & 0xffffffffn;
const s32 = (v: bigint) => BigInt.asIntN(32, v);

type OpName =
  | "ADD"
  | "SUB"
  | "MUL"
  | "DIV"
  | "SDIV"
  | "MOD"
  | "SMOD"
  | "OR"
  | "AND"
  | "LSH"
  | "RSH"
  | "ARSH"
  | "XOR"
  | "MOV";
const OPS: OpName[] = [
  "ADD",
  "SUB",
  "MUL",
  "DIV",
  "SDIV",
  "MOD",
  "SMOD",
  "OR",
  "AND",
  "LSH",
  "RSH",
  "ARSH",
  "XOR",
  "MOV",
];

/** RFC 9669 §4.1: the value of dst after `dst op= src` for 64- or 32-bit ALU. */
function model(op: OpName, is64: boolean, dst: bigint, src: bigint): bigint {
  // One definition for both widths: wrap to the width, read signed at the width, and
  // mask shift amounts to width - 1.
  const wrap = is64 ? u64 : u32;
  const signed = is64 ? s64 : s32;
  const shift = is64 ? 63n : 31n;
  const a = wrap(dst),
    b = wrap(src);
  switch (op) {
    case "ADD":
      return wrap(a + b);
    case "SUB":
      return wrap(a - b);
    case "MUL":
      return wrap(a * b);
    case "DIV":
      return b === 0n ? 0n : a / b;
    case "SDIV":
      return b === 0n ? 0n : wrap(signed(a) / signed(b));
    case "MOD":
      return b === 0n ? a : a % b;
    case "SMOD":
      return b === 0n ? a : wrap(signed(a) % signed(b));
    case "OR":
      return a | b;
    case "AND":
      return a & b;
    case "XOR":
      return a ^ b;
    case "LSH":
      return wrap(a << (b & shift));
    case "RSH":
      return a >> (b & shift);
    case "ARSH":
      return wrap(signed(a) >> (b & shift));
    case "MOV":
      return b;
  }
}

function ldImm64(dst: number, v: bigint): Instruction {
  const imm64 = s64(v);
  return { opcode: LD_IMM64, dst, src: 0, off: 0, imm: Number(BigInt.asIntN(32, imm64)), imm64 };
}

function aluInsn(op: OpName, is64: boolean, reg: boolean, imm: number): Instruction {
  const base = op === "SDIV" ? "DIV" : op === "SMOD" ? "MOD" : op;
  return {
    opcode: (is64 ? Class.ALU64 : Class.ALU) | AluOp[base] | (reg ? Source.X : Source.K),
    dst: 0,
    src: reg ? 1 : 0,
    off: op === "SDIV" || op === "SMOD" ? AluOff.SIGNED_DIVMOD : 0,
    imm: reg ? 0 : imm,
  };
}

const EXIT: Instruction = { opcode: Class.JMP | JmpOp.EXIT, dst: 0, src: 0, off: 0, imm: 0 };

// Values that stress carries, signs and zero.
const interesting = fc.oneof(
  fc.bigInt({ min: 0n, max: M64 }),
  fc.constantFrom(
    0n,
    1n,
    2n,
    31n,
    32n,
    63n,
    64n,
    0x7fffffffn,
    0x80000000n,
    0xffffffffn,
    0x100000000n,
    1n << 63n,
    M64,
    M64 - 1n,
  ),
);

test("ALU64/ALU32 (reg and imm forms) match the RFC 9669 BigInt model", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...OPS),
      fc.boolean(),
      fc.boolean(),
      interesting,
      interesting,
      fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      (op, is64, reg, a, b, imm) => {
        const code = [ldImm64(0, a), ldImm64(1, b), aluInsn(op, is64, reg, imm), EXIT];
        const r = new Interpreter(code).run(0);
        assert.equal(r.fault, undefined);
        // The imm operand is sign-extended to 64 bits (RFC 9669 §2.3).
        const src = reg ? b : u64(BigInt(imm));
        const want = model(op, is64, a, src);
        assert.equal(
          r.r0,
          want,
          `${op}${is64 ? 64 : 32} ${reg ? "reg" : "imm"} 0x${a.toString(16)}, 0x${src.toString(16)}`,
        );
      },
    ),
    { numRuns: 3000 },
  );
});

test("64-bit conditional jumps match a signed/unsigned BigInt model", () => {
  const conds: [keyof typeof JmpOp, (a: bigint, b: bigint) => boolean][] = [
    ["JEQ", (a, b) => a === b],
    ["JNE", (a, b) => a !== b],
    ["JGT", (a, b) => a > b],
    ["JGE", (a, b) => a >= b],
    ["JLT", (a, b) => a < b],
    ["JLE", (a, b) => a <= b],
    ["JSGT", (a, b) => s64(a) > s64(b)],
    ["JSGE", (a, b) => s64(a) >= s64(b)],
    ["JSLT", (a, b) => s64(a) < s64(b)],
    ["JSLE", (a, b) => s64(a) <= s64(b)],
    ["JSET", (a, b) => (a & b) !== 0n],
  ];
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: conds.length - 1 }),
      interesting,
      interesting,
      fc.boolean(),
      (ci, a, b, is32) => {
        const [name, pred] = conds[ci]!;
        const cmp32 = (x: bigint, y: bigint) =>
          name.startsWith("JS") && name !== "JSET"
            ? pred(u64(BigInt(s32(x))), u64(BigInt(s32(y))))
            : pred(u32(x), u32(y));
        const code: Instruction[] = [
          ldImm64(1, a),
          ldImm64(2, b),
          { opcode: Class.ALU64 | AluOp.MOV, dst: 0, src: 0, off: 0, imm: 0 },
          {
            opcode: (is32 ? Class.JMP32 : Class.JMP) | JmpOp[name] | Source.X,
            dst: 1,
            src: 2,
            off: 1,
            imm: 0,
          },
          EXIT,
          { opcode: Class.ALU64 | AluOp.MOV, dst: 0, src: 0, off: 0, imm: 1 },
          EXIT,
        ];
        const r = new Interpreter(code).run(0);
        const want = is32 ? cmp32(a, b) : pred(a, b);
        assert.equal(
          r.r0,
          want ? 1n : 0n,
          `${name}${is32 ? "32" : ""} 0x${a.toString(16)} 0x${b.toString(16)}`,
        );
      },
    ),
    { numRuns: 2000 },
  );
});

function objWithCode(bytes: Uint8Array): ObjFile {
  return {
    sections: [
      {
        name: "iouring/p",
        type: SHT.PROGBITS,
        flags: SHF.ALLOC | SHF.EXECINSTR,
        data: bytes,
        addralign: 8,
      },
    ],
    symbols: [],
    relocations: new Map(),
  };
}

test("random code never throws out of loadObject or run", () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 400 }), (raw) => {
      const bytes = raw.subarray(0, raw.length - (raw.length % 8));
      const { loaded, diagnostics } = loadObject(objWithCode(bytes), { maxInsns: 10_000 });
      if (!loaded) {
        assert.ok(diagnostics.length > 0);
        return;
      }
      const ctx = loaded.vm.mem.add("ctx", 16);
      const r = loaded.vm.run(0, [loaded.vm.mem.addressOf(ctx)]);
      assert.equal(typeof r.r0, "bigint");
      if (r.fault) assert.ok(Number.isInteger(r.fault.pc));
    }),
    { numRuns: 3000 },
  );
});

test("random scenario text never throws and always explains a rejection", () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string(),
        fc.json(),
        fc
          .dictionary(
            fc.constantFrom(
              "target",
              "program",
              "programs",
              "user_data",
              "submit",
              "ring",
              "cqes",
              "completions",
              "defaults",
              "user_memory",
              "maps",
              "clock",
              "seed",
              "limits",
            ),
            fc.jsonValue(),
          )
          .map((o) => JSON.stringify(o)),
      ),
      (text) => {
        const r = parseScenario(text, "s.yaml");
        assert.ok(r.scenario !== undefined || r.diagnostics.length > 0);
        for (const d of r.diagnostics) assert.equal(d.code, "E8010");
      },
    ),
    { numRuns: 3000 },
  );
});

test("random scenarios never make simulate throw, and runs respect the limits", async () => {
  const { assemble } = await import("./llvm-asm.js");
  const { simulate } = await import("../../src/vm/simulate.js");
  // Reaps CQ 1, emits to CQ (user_data & 3), queues a linked NOP to CQ 1 and waits for 1 CQE.
  const obj = assemble(`
  .section "iouring.s/p","ax",@progbits
  r6 = r1
  r1 = r6
  r2 = 1
  r3 = r10
  r3 += -16
  r4 = 16
  call 166
  r1 = r6
  r2 = *(u64 *)(r6 + 0)
  r2 &= 3
  r3 = 5
  r4 = r0
  r5 = 0
  call 165
  r2 = 0
${Array.from({ length: 8 }, (_, i) => `  *(u64 *)(r10 - ${64 - i * 8}) = r2`).join("\n")}
  r2 = 4
  *(u8 *)(r10 - 63) = r2
  r2 = 1
  *(u16 *)(r10 - 16) = r2
  r1 = r6
  r2 = r10
  r2 += -64
  r3 = 64
  call 164
  r2 = 1
  *(u32 *)(r6 + 8) = r2
  *(u32 *)(r6 + 12) = r2
  r0 = 0
  exit`);
  const sqe = fc.record(
    {
      opcode: fc.oneof(
        fc.integer({ min: 0, max: 40 }),
        fc.constantFrom("BPF", "NOP", "READ", "TIMEOUT"),
      ),
      flags: fc.integer({ min: 0, max: 127 }),
      off: fc.integer({ min: 0, max: 2 }),
      cq: fc.integer({ min: 0, max: 4 }),
      user_data: fc.integer({ min: 0, max: 9 }),
      len: fc.nat(100),
    },
    { requiredKeys: ["opcode"] },
  );
  const rule = fc.record(
    {
      match: fc.record(
        {
          user_data: fc.integer({ min: 0, max: 9 }),
          opcode: fc.integer({ min: 0, max: 40 }),
          seq: fc.nat(20),
        },
        { requiredKeys: [] },
      ),
      res: fc.integer({ min: -200, max: 5000 }),
      after: fc.nat(5),
      times: fc.integer({ min: 1, max: 3 }),
    },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(
      fc.record(
        {
          target: fc.constantFrom("iouring-v1", "iouring-v2"),
          submit: fc.array(sqe, { maxLength: 6 }),
          ring: fc.record({
            cq_entries: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }),
          }),
          completions: fc.array(rule, { maxLength: 5 }),
          limits: fc.record({
            runs: fc.integer({ min: 1, max: 30 }),
            steps: fc.integer({ min: 1, max: 50 }),
          }),
        },
        { requiredKeys: ["limits"] },
      ),
      (raw) => {
        const parsed = parseScenario(JSON.stringify(raw), "s.json");
        if (!parsed.scenario) return;
        const r = simulate(obj, parsed.scenario);
        assert.ok(r.stats.runs <= parsed.scenario.limits.runs);
        assert.ok(r.stats.steps <= parsed.scenario.limits.steps + 5);
        assert.ok(
          r.diagnostics.every((d) => d.code.startsWith("E8")),
          JSON.stringify(r.diagnostics),
        );
      },
    ),
    { numRuns: 400 },
  );
});

test("random relocations, symbols and BTF never make loadObject throw", () => {
  const code = new Uint8Array(8 * 6);
  // ld_imm64 r1, 0 ; call -1 ; r0 = 0 ; exit ; (padding)
  code.set([
    0x18, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x85, 0x10, 0, 0, 0xff, 0xff, 0xff, 0xff,
    0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0,
  ]);
  const sectionName = fc.constantFrom(
    "iouring/p",
    ".text",
    ".maps",
    ".data",
    ".rodata",
    ".bss",
    "nowhere",
  );
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          name: fc.constantFrom("a", "b", "m", "f"),
          section: fc.option(sectionName, { nil: undefined }),
          value: fc.integer({ min: -16, max: 64 }),
          type: fc.integer({ min: 0, max: 4 }),
          bind: fc.integer({ min: 0, max: 2 }),
        }),
        { maxLength: 5 },
      ),
      fc.array(
        fc.record({
          offset: fc.integer({ min: -8, max: 64 }),
          symbol: fc.oneof(
            fc.constantFrom("a", "b", "m", "f", "zz"),
            sectionName.map((s) => ({ section: s })),
          ),
          type: fc.integer({ min: 0, max: 10 }),
        }),
        { maxLength: 5 },
      ),
      fc.uint8Array({ maxLength: 64 }),
      (symbols, relocs, btf) => {
        const obj: ObjFile = {
          sections: [
            {
              name: "iouring/p",
              type: SHT.PROGBITS,
              flags: SHF.ALLOC | SHF.EXECINSTR,
              data: code,
              addralign: 8,
            },
            {
              name: ".data",
              type: SHT.PROGBITS,
              flags: SHF.ALLOC | SHF.WRITE,
              data: new Uint8Array(8),
              addralign: 8,
            },
            {
              name: ".maps",
              type: SHT.PROGBITS,
              flags: SHF.ALLOC | SHF.WRITE,
              data: new Uint8Array(32),
              addralign: 8,
            },
            { name: ".BTF", type: SHT.PROGBITS, flags: 0, data: btf, addralign: 4 },
          ],
          symbols: symbols.map((s) => ({ ...s, size: 0 })),
          relocations: new Map([["iouring/p", relocs]]),
        };
        const { loaded, diagnostics } = loadObject(obj, { maxInsns: 1000 });
        if (!loaded) assert.ok(diagnostics.length > 0);
        else loaded.vm.run(loaded.programs[0]!.slot);
      },
    ),
    { numRuns: 2000 },
  );
});
