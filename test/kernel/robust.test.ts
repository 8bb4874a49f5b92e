// Bad input never crashes the oracle: random code and relocations give a plan or
// diagnostics, and random code sent to the kernel gives a verdict.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { buildLoadPlan } from "../../src/kernel/plan.js";
import { kernelVerify, objectFromInsns } from "../../src/kernel/oracle.js";
import { readElf } from "../../src/elf/reader.js";
import { R_BPF, SHF, SHT, STB, STT } from "../../src/elf/types.js";
import { readFileSync } from "node:fs";
import { needKernel } from "./helpers.js";

const code = fc.uint8Array({ minLength: 0, maxLength: 96 });
const relocs = fc.array(
  fc.record({
    offset: fc.integer({ min: -8, max: 100 }),
    symbol: fc.constantFrom("g", "f", "missing", ".text"),
    type: fc.constantFrom(R_BPF.R_BPF_64_64, R_BPF.R_BPF_64_32, R_BPF.R_BPF_64_ABS64),
  }),
  { maxLength: 4 },
);

function object(
  insns: Uint8Array,
  rs: { offset: number; symbol: string; type: number }[],
  text: Uint8Array,
) {
  return objectFromInsns({
    insns,
    sections: [
      {
        name: ".text",
        type: SHT.PROGBITS,
        flags: SHF.ALLOC | SHF.EXECINSTR,
        data: text,
        addralign: 8,
      },
      {
        name: ".data",
        type: SHT.PROGBITS,
        flags: SHF.ALLOC | SHF.WRITE,
        data: new Uint8Array(8),
        addralign: 8,
      },
    ],
    symbols: [
      { name: "g", section: ".data", value: 4, size: 4, type: STT.OBJECT, bind: STB.GLOBAL },
      { name: "f", section: ".text", value: 8, size: 8, type: STT.FUNC, bind: STB.GLOBAL },
    ],
    relocations: rs.map((r) => ({
      ...r,
      symbol: r.symbol === ".text" ? { section: ".text" } : r.symbol,
    })),
  });
}

test("random code and relocations: a plan or diagnostics, never an exception", () => {
  fc.assert(
    fc.property(
      code,
      relocs,
      code,
      fc.constantFrom("iouring-v1", "iouring-v2") as fc.Arbitrary<"iouring-v1" | "iouring-v2">,
      (insns, rs, text, target) => {
        const r = buildLoadPlan(object(insns, rs, text), { target });
        assert.ok(r.plan !== undefined || r.diagnostics.length > 0);
      },
    ),
    { numRuns: 400 },
  );
});

test("mutated clang objects: readElf + plan never throw (and stay fast)", () => {
  const original = new Uint8Array(
    readFileSync(new URL("../fixtures/kernel/globals.o", import.meta.url)),
  );
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(original.length - 1), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 8,
      }),
      (edits) => {
        const bytes = original.slice();
        for (const [at, v] of edits) bytes[at] = v;
        const { object: obj } = readElf(bytes, "m.o");
        if (obj) buildLoadPlan(obj, { target: "iouring-v2" });
      },
    ),
    { numRuns: 300 },
  );
});

test("random code through the kernel: always a verdict", async (t) => {
  if (!needKernel(t)) return;
  const samples = fc.sample(fc.tuple(code, relocs, code), { numRuns: 60, seed: 42 });
  for (const [insns, rs, text] of samples) {
    const r = await kernelVerify(object(insns, rs, text), { target: "iouring-v2", strict: false });
    assert.ok(["accept", "reject", "unavailable"].includes(r.verdict));
    if (r.verdict === "unavailable")
      assert.ok(r.diagnostics.length > 0, `unavailable without diagnostics: ${r.reason}`);
  }
});
