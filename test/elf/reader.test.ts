// readElf on malformed input: diagnostics only, never an exception or a hang.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { ReadElfResult } from "../../src/elf/index.js";
import { ElfCodes, readElf, SHT, tryWriteElf, writeElf } from "../../src/elf/index.js";
import { buildSample } from "./helpers.js";

const valid = writeElf(buildSample().obj);
/** ELF_FUZZ_SCALE=20 runs the fuzz tests twenty times longer (for hunting, not for CI). */
const runs = (n: number): number => n * Number(process.env.ELF_FUZZ_SCALE ?? 1);
const layout = readElf(valid, "sample.o").sections!;
const sec = (name: string) => layout.find((s) => s.name === name)!;
const shoff = Number(new DataView(valid.buffer, valid.byteOffset).getBigUint64(40, true));

function patched(edit: (v: DataView, b: Uint8Array) => void): Uint8Array {
  const b = new Uint8Array(valid);
  edit(new DataView(b.buffer), b);
  return b;
}
/** Offset of field `at` in the section header of section `index`. */
const shdr = (index: number, at: number): number => shoff + index * 64 + at;

function codes(r: ReadElfResult): string[] {
  return r.diagnostics.filter((d) => d.severity === "error").map((d) => d.code);
}

/** The reader's contract, checked on any input. */
function checkContract(bytes: Uint8Array): ReadElfResult {
  const r = readElf(bytes, "fuzz.o");
  assert.ok(Array.isArray(r.diagnostics));
  for (const d of r.diagnostics) {
    assert.match(d.code, /^E5\d{3}$/);
    assert.equal(d.file, "fuzz.o");
  }
  if (r.object) {
    assert.equal(codes(r).length, 0);
    // Whatever the reader accepts, the writer can write, and that reads back cleanly.
    const w = tryWriteElf(r.object);
    assert.deepEqual(w.diagnostics, [], "reader accepted an object the writer refuses");
    assert.deepEqual(codes(readElf(w.bytes!, "again.o")), []);
  } else assert.ok(codes(r).length > 0, "no object but no error either");
  return r;
}

test("malformed headers give the right codes", () => {
  const cases: [string, Uint8Array, string][] = [
    ["empty", new Uint8Array(0), ElfCodes.truncated],
    ["short", valid.subarray(0, 10), ElfCodes.truncated],
    ["bad magic", patched((_, b) => (b[1] = 0x46)), ElfCodes.badMagic],
    ["ELF32", patched((_, b) => (b[4] = 1)), ElfCodes.badClass],
    ["big-endian", patched((_, b) => (b[5] = 2)), ElfCodes.badEndian],
    ["x86-64", patched((v) => v.setUint16(18, 62, true)), ElfCodes.badMachine],
    ["ET_EXEC", patched((v) => v.setUint16(16, 2, true)), ElfCodes.badType],
    ["header cut", valid.subarray(0, 40), ElfCodes.truncated],
    ["shentsize", patched((v) => v.setUint16(58, 40, true)), ElfCodes.badHeader],
    [
      "shoff past end",
      patched((v) => v.setBigUint64(40, BigInt(valid.length), true)),
      ElfCodes.sectionOutOfRange,
    ],
    ["shoff 2^63", patched((v) => v.setBigUint64(40, 1n << 63n, true)), ElfCodes.sectionOutOfRange],
    ["shstrndx", patched((v) => v.setUint16(62, 200, true)), ElfCodes.badSectionIndex],
    ["shstrndx not strtab", patched((v) => v.setUint16(62, 2, true)), ElfCodes.badSectionIndex],
    ["no sections", patched((v) => v.setUint16(60, 0, true)), ElfCodes.badHeader],
  ];
  for (const [what, bytes, code] of cases) {
    const r = checkContract(bytes);
    assert.equal(r.object, undefined, what);
    assert.ok(
      codes(r).includes(code),
      `${what}: expected ${code}, got ${JSON.stringify(r.diagnostics)}`,
    );
  }
});

test("malformed sections, symbols and relocations give the right codes", () => {
  const text = sec(".text");
  const symtab = sec(".symtab");
  const reltext = sec(".rel.text");
  const bss = sec(".bss");
  const cases: [string, Uint8Array, string][] = [
    [
      "section past end",
      patched((v) => v.setBigUint64(shdr(text.index, 24), BigInt(valid.length - 8), true)),
      ElfCodes.sectionOutOfRange,
    ],
    [
      "huge section size",
      patched((v) => v.setBigUint64(shdr(text.index, 32), 1n << 62n, true)),
      ElfCodes.sectionOutOfRange,
    ],
    [
      "overlap",
      patched((v) => v.setBigUint64(shdr(text.index, 24), BigInt(sec("xdp").offset - 8), true)),
      ElfCodes.sectionsOverlap,
    ],
    [
      "section name index",
      patched((v) => v.setUint32(shdr(text.index, 0), 0xfffff, true)),
      ElfCodes.badStringIndex,
    ],
    [
      "huge NOBITS",
      patched((v) => v.setBigUint64(shdr(bss.index, 32), 1n << 40n, true)),
      ElfCodes.hugeSize,
    ],
    [
      "alignment 3",
      patched((v) => v.setBigUint64(shdr(text.index, 48), 3n, true)),
      ElfCodes.badHeader,
    ],
    [
      "symtab entsize",
      patched((v) => v.setBigUint64(shdr(symtab.index, 56), 16n, true)),
      ElfCodes.badSymbolTable,
    ],
    [
      "symtab link",
      patched((v) => v.setUint32(shdr(symtab.index, 40), text.index, true)),
      ElfCodes.badSymbolTable,
    ],
    [
      "symbol name index",
      patched((v) => v.setUint32(symtab.offset + 3 * 24, 0xffffff, true)),
      ElfCodes.badStringIndex,
    ],
    [
      "symbol section index",
      patched((v) => v.setUint16(symtab.offset + 3 * 24 + 6, 300, true)),
      ElfCodes.badSectionIndex,
    ],
    [
      "symbol in .symtab",
      patched((v) => v.setUint16(symtab.offset + 3 * 24 + 6, symtab.index, true)),
      ElfCodes.badSectionIndex,
    ],
    [
      "reloc symbol index",
      patched((v) => v.setUint32(reltext.offset + 12, 999, true)),
      ElfCodes.badSymbolIndex,
    ],
    [
      "reloc offset",
      patched((v) => v.setBigUint64(reltext.offset, 4096n, true)),
      ElfCodes.badRelocationSection,
    ],
    [
      "reloc target",
      patched((v) => v.setUint32(shdr(reltext.index, 44), 99, true)),
      ElfCodes.badRelocationSection,
    ],
    [
      "reloc link",
      patched((v) => v.setUint32(shdr(reltext.index, 40), 2, true)),
      ElfCodes.badRelocationSection,
    ],
    [
      "RELA",
      patched((v) => v.setUint32(shdr(reltext.index, 4), SHT.RELA, true)),
      ElfCodes.unsupportedSection,
    ],
    [
      "duplicate name",
      patched((v) =>
        v.setUint32(shdr(sec("xdp").index, 0), v.getUint32(shdr(text.index, 0), true), true),
      ),
      ElfCodes.duplicateSectionName,
    ],
  ];
  for (const [what, bytes, code] of cases) {
    const r = checkContract(bytes);
    assert.equal(r.object, undefined, what);
    assert.ok(
      codes(r).includes(code),
      `${what}: expected ${code}, got ${JSON.stringify(r.diagnostics)}`,
    );
    assert.ok(r.sections, `${what}: the raw section table is still reported`);
  }
});

test("every truncation of a valid object is an error, never an exception", () => {
  for (let n = 0; n < valid.length; n++) {
    const r = checkContract(valid.subarray(0, n));
    assert.equal(r.object, undefined, `truncated to ${n}`);
  }
  assert.ok(checkContract(valid).object);
});

test("fuzz: random bytes", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 1024 }), (b) => {
      checkContract(b);
    }),
    { numRuns: runs(1500) },
  );
});

test("fuzz: random bytes behind a valid ELF64 BPF header", () => {
  const head = valid.subarray(0, 64);
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 0, maxLength: 1024 }),
      fc.integer({ min: 0, max: 1100 }),
      fc.integer({ min: 0, max: 20 }),
      (tail, shoffV, shnum) => {
        const b = new Uint8Array(64 + tail.length);
        b.set(head);
        b.set(tail, 64);
        const v = new DataView(b.buffer);
        v.setBigUint64(40, BigInt(shoffV), true);
        v.setUint16(60, shnum, true);
        v.setUint16(62, shnum > 1 ? 1 : 0, true);
        checkContract(b);
      },
    ),
    { numRuns: runs(1500) },
  );
});

test("fuzz: byte mutations of a valid object", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 8,
      }),
      (edits) => {
        const b = new Uint8Array(valid);
        for (const [at, val] of edits) b[at] = val;
        checkContract(b);
      },
    ),
    { numRuns: runs(2000) },
  );
});

test("fuzz: mutations aimed at the section headers, symbols and relocations", () => {
  const hot = [
    ...Array.from({ length: layout.length * 64 }, (_, i) => shoff + i),
    ...Array.from({ length: sec(".symtab").size }, (_, i) => sec(".symtab").offset + i),
    ...Array.from({ length: sec(".relxdp").size }, (_, i) => sec(".relxdp").offset + i),
  ];
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(
          fc.constantFrom(...hot),
          fc.constantFrom(0, 1, 2, 3, 7, 8, 13, 64, 0x7f, 0x80, 0xff),
        ),
        {
          minLength: 1,
          maxLength: 4,
        },
      ),
      (edits) => {
        const b = new Uint8Array(valid);
        for (const [at, val] of edits) b[at] = val;
        checkContract(b);
      },
    ),
    { numRuns: runs(2000) },
  );
});
