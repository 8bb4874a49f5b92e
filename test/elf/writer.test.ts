import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DiagnosticsError } from "../../src/diagnostics/index.js";
import {
  ElfCodes,
  readElf,
  SHF,
  SHT,
  STB,
  STT,
  tryWriteElf,
  writeElf,
} from "../../src/elf/index.js";
import type { ObjFile } from "../../src/elf/index.js";
import { buildSample, complaints, haveTool, run, withTmp, writeTmp } from "./helpers.js";

const here = dirname(fileURLToPath(import.meta.url));

function u16(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8);
}

test("header: ELF64 LE ET_REL EM_BPF, no program headers, .strtab is the name table", () => {
  const bytes = writeElf(buildSample().obj);
  assert.deepEqual([...bytes.subarray(0, 8)], [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]);
  assert.equal(u16(bytes, 16), 1); // ET_REL
  assert.equal(u16(bytes, 18), 247); // EM_BPF
  assert.equal(u16(bytes, 52), 64);
  assert.equal(u16(bytes, 56), 0);
  assert.equal(u16(bytes, 58), 64);
  assert.equal(u16(bytes, 62), 1); // e_shstrndx = .strtab at index 1, as clang
});

test("section table follows clang: null, .strtab, each section then its .rel, .symtab last", () => {
  const r = readElf(writeElf(buildSample().obj), "sample.o");
  assert.deepEqual(r.diagnostics, []);
  const secs = r.sections!;
  assert.deepEqual(
    secs.map((s) => s.name),
    [
      "",
      ".strtab",
      ".text",
      ".rel.text",
      "xdp",
      ".relxdp",
      ".data",
      ".rodata",
      ".bss",
      ".maps",
      "license",
      ".BTF",
      ".BTF.ext",
      ".symtab",
    ],
  );
  const symtab = secs.at(-1)!;
  assert.equal(symtab.type, SHT.SYMTAB);
  assert.equal(symtab.entsize, 24);
  assert.equal(symtab.link, 1);
  assert.equal(symtab.addralign, 8);
  for (const [rel, target] of [
    [3, 2],
    [5, 4],
  ] as const) {
    const s = secs[rel]!;
    assert.equal(s.type, SHT.REL);
    assert.equal(s.entsize, 16);
    assert.equal(s.flags, SHF.INFO_LINK);
    assert.equal(s.link, secs.length - 1);
    assert.equal(s.info, target);
    assert.equal(s.addralign, 8);
  }
  // Contents are aligned as asked and NOBITS takes no file space.
  for (const s of secs) if (s.addralign > 1) assert.equal(s.offset % s.addralign, 0, s.name);
  const bss = secs.find((s) => s.name === ".bss")!;
  assert.equal(bss.type, SHT.NOBITS);
  assert.equal(bss.size, 4);
  const maps = secs.find((s) => s.name === ".maps")!;
  assert.equal(
    maps.offset,
    Math.ceil(bss.offset / 8) * 8,
    "NOBITS must not advance the file offset",
  );
});

test("symbol table: FILE, referenced section symbols, locals, then globals with sh_info = first global", () => {
  const bytes = writeElf(buildSample().obj);
  const r = readElf(bytes, "sample.o");
  const symtab = r.sections!.find((s) => s.type === SHT.SYMTAB)!;
  const strtab = r.sections![symtab.link]!;
  const entries: { name: string; type: number; bind: number; shndx: number }[] = [];
  for (let at = symtab.offset; at < symtab.offset + symtab.size; at += 24) {
    const nameOff = bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16);
    let end = strtab.offset + nameOff;
    while (bytes[end] !== 0) end++;
    const name = Buffer.from(bytes.subarray(strtab.offset + nameOff, end)).toString();
    entries.push({
      name,
      type: bytes[at + 4]! & 0xf,
      bind: bytes[at + 4]! >> 4,
      shndx: u16(bytes, at + 6),
    });
  }
  assert.deepEqual(
    entries.map((e) => [e.name, e.type, e.bind]),
    [
      ["", STT.NOTYPE, STB.LOCAL],
      ["sample.bpf.ts", STT.FILE, STB.LOCAL],
      ["", STT.SECTION, STB.LOCAL], // .text: the static call's relocation names it
      ["ssub", STT.FUNC, STB.LOCAL],
      ["gsub", STT.FUNC, STB.GLOBAL],
      ["prog", STT.FUNC, STB.GLOBAL],
      ["counts", STT.OBJECT, STB.GLOBAL],
      ["total", STT.OBJECT, STB.GLOBAL],
      ["limit", STT.OBJECT, STB.GLOBAL],
      ["zeroed", STT.OBJECT, STB.GLOBAL],
      ["LICENSE", STT.OBJECT, STB.GLOBAL],
    ],
  );
  assert.equal(entries[1]!.shndx, 0xfff1); // FILE is SHN_ABS
  assert.equal(entries[2]!.shndx, 2); // .text
  assert.equal(symtab.info, 4);
});

test("readElf(writeElf(o)) gives back o", () => {
  const { obj } = buildSample();
  const r = readElf(writeElf(obj), "sample.o");
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.object, obj);
  // And writing again is byte-identical.
  assert.deepEqual(writeElf(r.object!), writeElf(obj));
});

test("an inconsistent model is reported, not written", () => {
  const { obj } = buildSample();
  const bad: ObjFile = {
    ...obj,
    relocations: new Map([
      ["xdp", [{ offset: 0, symbol: "nope", type: 1 }]],
      ["missing", [{ offset: 0, symbol: "counts", type: 1 }]],
      [".text", [{ offset: 4096, symbol: { section: ".text" }, type: 10 }]],
    ]),
  };
  const r = tryWriteElf(bad);
  assert.equal(r.bytes, undefined);
  assert.deepEqual(
    r.diagnostics.map((d) => d.code).sort(),
    [ElfCodes.writerUnknownSymbol, ElfCodes.writerUnknownSection, ElfCodes.writerBadValue].sort(),
  );
  assert.throws(() => writeElf(bad), DiagnosticsError);
  const dup = tryWriteElf({ ...obj, sections: [...obj.sections, obj.sections[0]!] });
  assert.equal(dup.diagnostics[0]?.code, ElfCodes.writerDuplicateSection);
  const reserved = tryWriteElf({
    ...obj,
    sections: [
      ...obj.sections,
      { name: ".symtab", type: SHT.SYMTAB, flags: 0, data: new Uint8Array(0), addralign: 8 },
    ],
  });
  assert.equal(reserved.diagnostics[0]?.code, ElfCodes.writerReservedSection);
});

test("llvm-readelf-19 -a and readelf -a accept the sample without warnings", (t) => {
  if (!haveTool("llvm-readelf-19") && !haveTool("readelf"))
    return t.skip("neither llvm-readelf-19 nor readelf installed");
  withTmp((dir) => {
    const o = writeTmp(dir, "sample.o", writeElf(buildSample().obj));
    for (const tool of ["llvm-readelf-19", "readelf"]) {
      if (!haveTool(tool)) continue;
      const r = run(tool, ["-a", "-W", o]);
      assert.equal(r.status, 0, `${tool}: ${r.stderr}`);
      assert.deepEqual(complaints(r), [], tool);
    }
  });
});

test("llvm-readelf-19 -S -s -r of the sample matches the golden file", (t) => {
  if (!haveTool("llvm-readelf-19")) return t.skip("llvm-readelf-19 not installed");
  withTmp((dir) => {
    const o = writeTmp(dir, "sample.o", writeElf(buildSample().obj));
    const r = run("llvm-readelf-19", ["-S", "-s", "-r", "sample.o"], dir);
    assert.equal(r.status, 0);
    const golden = join(here, "sample.readelf.golden");
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(golden, r.stdout);
    assert.ok(existsSync(golden), "golden file missing: run with UPDATE_GOLDEN=1");
    assert.equal(r.stdout, readFileSync(golden, "utf8"));
    void o;
  });
});

test("llvm-objdump-19 -d -r shows the instructions and relocations", (t) => {
  if (!haveTool("llvm-objdump-19")) return t.skip("llvm-objdump-19 not installed");
  withTmp((dir) => {
    const o = writeTmp(dir, "sample.o", writeElf(buildSample().obj));
    const r = run("llvm-objdump-19", ["-d", "-r", "--no-show-raw-insn", o]);
    assert.equal(r.status, 0, r.stderr);
    const relocs = [...r.stdout.matchAll(/^\s+([0-9a-f]{16}):\s+(R_BPF_\w+)\s+(\S+)/gm)].map(
      (m) => [parseInt(m[1]!, 16), m[2], m[3]],
    );
    assert.deepEqual(relocs, [
      [24, "R_BPF_64_64", "zeroed"],
      [0, "R_BPF_64_64", "counts"],
      [16, "R_BPF_64_64", "total"],
      [32, "R_BPF_64_64", "limit"],
      [56, "R_BPF_64_32", "gsub"],
      [64, "R_BPF_64_32", ".text"],
    ]);
    assert.match(r.stdout, /<gsub>:\n\s+0:\s+r0 = r1\n\s+1:\s+r0 \+= 0x1\n\s+2:\s+exit/);
    assert.match(r.stdout, /<ssub>:/);
    assert.match(r.stdout, /<prog>:/);
  });
});

test("bpftool: BTF dump shows the types, gen object links it, libbpf opens it", (t) => {
  if (!haveTool("bpftool")) return t.skip("bpftool not installed");
  withTmp((dir) => {
    const o = writeTmp(dir, "sample.o", writeElf(buildSample().obj));
    const dump = run("bpftool", ["btf", "dump", "file", o]);
    assert.equal(dump.status, 0, dump.stderr);
    for (const re of [
      /FUNC 'prog' type_id=\d+ linkage=global/,
      /FUNC 'ssub' type_id=\d+ linkage=static/,
      /DATASEC '\.maps' size=32 vlen=1\n\ttype_id=\d+ offset=0 size=32 \(VAR 'counts'\)/,
      /DATASEC '\.rodata' size=4 vlen=1/,
      /DATASEC '\.bss' size=4 vlen=1/,
      /VAR 'limit' type_id=\d+, linkage=global/,
      /STRUCT '\(anon\)' size=32 vlen=4\n\t'type' type_id=\d+ bits_offset=0\n\t'max_entries' type_id=\d+ bits_offset=64\n\t'key' type_id=\d+ bits_offset=128\n\t'value' type_id=\d+ bits_offset=192/,
      /INT '__ARRAY_SIZE_TYPE__' size=4 bits_offset=0 nr_bits=32 encoding=\(none\)/,
      /ARRAY '\(anon\)' type_id=\d+ index_type_id=\d+ nr_elems=4/,
    ])
      assert.match(dump.stdout, re);
    // libbpf's static linker is the strictest check of the ELF shape, relocations and BTF.ext.
    const linked = run("bpftool", ["gen", "object", `${dir}/linked.o`, o]);
    assert.equal(linked.status, 0, linked.stderr);
    assert.deepEqual(complaints(linked), []);
    // The linker's output (its own layout: .symtab early, sh_info 0) reads back with our code.
    const relinked = readElf(readFileSync(`${dir}/linked.o`), "linked.o");
    assert.deepEqual(relinked.diagnostics, []);
    const { obj } = buildSample();
    for (const name of [".text", "xdp", ".data", ".rodata", ".maps", "license"])
      assert.deepEqual(
        relinked.object!.sections.find((s) => s.name === name)?.data,
        obj.sections.find((s) => s.name === name)!.data,
        name,
      );
    // bpf_object__open (through skeleton generation): maps, data sections, relocations, BTF.ext.
    const skel = run("bpftool", ["-d", "gen", "skeleton", o]);
    assert.equal(skel.status, 0, skel.stderr);
    assert.match(skel.stderr, /map 'counts': found max_entries = 4/);
    assert.match(skel.stderr, /relo #4: insn #8 against '\.text'/);
    assert.doesNotMatch(skel.stderr, /BTF\.ext.*(ignor|fail|invalid)|failed|error/i);
  });
});
