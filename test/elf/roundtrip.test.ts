// Property: for any consistent model, readElf(writeElf(o)) is o (up to the writer's
// documented normalisations: locals before globals, `.llvm_addrsig` last).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { ObjFile, ObjRelocation, ObjSection, ObjSymbol } from "../../src/elf/index.js";
import { readElf, SHF, SHT, STB, STT, writeElf } from "../../src/elf/index.js";

const runs = (n: number): number => n * Number(process.env.ELF_FUZZ_SCALE ?? 1);

const sectionArb = fc.record({
  nobits: fc.boolean(),
  exec: fc.boolean(),
  write: fc.boolean(),
  alignLog: fc.integer({ min: 0, max: 4 }),
  data: fc.uint8Array({ minLength: 1, maxLength: 64 }),
  entsize: fc.constantFrom(0, 0, 1, 8),
});
const symbolArb = fc.record({
  sec: fc.nat(),
  undef: fc.boolean(),
  local: fc.boolean(),
  type: fc.constantFrom(STT.NOTYPE, STT.OBJECT, STT.FUNC),
  value: fc.nat(64),
  size: fc.nat(64),
  vis: fc.constantFrom(0, 0, 1, 2, 3),
});
const relocArb = fc.record({
  sec: fc.nat(),
  offset: fc.nat(),
  toSection: fc.boolean(),
  target: fc.nat(),
  type: fc.constantFrom(1, 2, 3, 4, 10),
});

const modelArb = fc
  .record({
    secs: fc.array(sectionArb, { minLength: 1, maxLength: 6 }),
    syms: fc.array(symbolArb, { maxLength: 10 }),
    relocs: fc.array(relocArb, { maxLength: 12 }),
    file: fc.option(fc.constantFrom("a.bpf.ts", "prog.c"), { nil: undefined }),
  })
  .map(({ secs, syms, relocs, file }): ObjFile => {
    const sections: ObjSection[] = secs.map((s, i) => {
      const sec: ObjSection = {
        name: s.exec ? `prog/${i}` : `.data.${i}`,
        type: s.nobits ? SHT.NOBITS : SHT.PROGBITS,
        flags: SHF.ALLOC | (s.exec ? SHF.EXECINSTR : 0) | (s.write ? SHF.WRITE : 0),
        data: s.nobits ? new Uint8Array(0) : s.data,
        addralign: 1 << s.alignLog,
      };
      if (s.nobits) sec.size = s.data.length;
      if (s.entsize) sec.entsize = s.entsize;
      return sec;
    });
    // Locals first, as the reader returns them (the writer puts them first).
    const symbols: ObjSymbol[] = syms
      .map((s, i) => {
        const sym: ObjSymbol = {
          name: `sym${i}`,
          value: s.value,
          size: s.size,
          type: s.type,
          bind: s.local && !s.undef ? STB.LOCAL : STB.GLOBAL,
        };
        if (!s.undef) {
          // A defined symbol lies inside its section (the reader refuses others: E5020).
          const sec = sections[s.sec % sections.length]!;
          const secSize = sec.type === SHT.NOBITS ? sec.size! : sec.data.length;
          sym.section = sec.name;
          sym.value = s.value % (secSize + 1);
          sym.size = Math.min(s.size, secSize - sym.value);
        }
        if (s.vis) sym.visibility = s.vis;
        return sym;
      })
      .sort((a, b) => (a.bind === b.bind ? 0 : a.bind === STB.LOCAL ? -1 : 1));
    const relocations = new Map<string, ObjRelocation[]>();
    for (const r of relocs) {
      const target = sections[r.sec % sections.length]!;
      if (target.type === SHT.NOBITS) continue;
      const symbol =
        r.toSection || symbols.length === 0
          ? { section: sections[r.target % sections.length]!.name }
          : symbols[r.target % symbols.length]!.name;
      const list = relocations.get(target.name) ?? [];
      list.push({ offset: r.offset % target.data.length, symbol, type: r.type });
      relocations.set(target.name, list);
    }
    const obj: ObjFile = { sections, symbols, relocations };
    if (file) obj.fileName = file;
    return obj;
  });

test("property: readElf(writeElf(o)) deep-equals o, and writing again is byte-identical", () => {
  fc.assert(
    fc.property(modelArb, (obj) => {
      const bytes = writeElf(obj);
      const r = readElf(bytes, "model.o");
      assert.deepEqual(r.diagnostics, []);
      assert.deepEqual(r.object, obj);
      assert.deepEqual(writeElf(r.object!), bytes);
      // Every section's contents start at a multiple of its alignment.
      for (const s of r.sections!)
        if (s.addralign > 1 && s.type !== SHT.NOBITS) assert.equal(s.offset % s.addralign, 0);
    }),
    { numRuns: runs(500) },
  );
});
