// Objects from clang-19 read with readElf and written back with writeElf.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { arch } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ObjFile } from "../../src/elf/index.js";
import {
  BtfStrings,
  decodeBtf,
  decodeBtfExt,
  encodeBtf,
  R_BPF,
  readElf,
  SHT,
  STB,
  STT,
  STV,
  writeElf,
} from "../../src/elf/index.js";
import { complaints, haveTool, run, withTmp, writeTmp } from "./helpers.js";

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, "fixtures", "maps.bpf.c");
const externs = join(here, "fixtures", "externs.bpf.c");
const multiarch = arch() === "arm64" ? "aarch64-linux-gnu" : "x86_64-linux-gnu";

function compile(dir: string, debug: boolean, src = source): Uint8Array {
  const out = join(dir, debug ? "clang-g.o" : "clang.o");
  const args = [
    "-O2",
    ...(debug ? ["-g"] : []),
    "-target",
    "bpf",
    `-I/usr/include/${multiarch}`,
    "-c",
    src,
    "-o",
    out,
  ];
  const r = run("clang-19", args);
  assert.equal(r.status, 0, r.stderr);
  return readFileSync(out);
}

function read(bytes: Uint8Array, name: string): ObjFile {
  const r = readElf(bytes, name);
  assert.deepEqual(r.diagnostics, [], name);
  return r.object!;
}

/** Relocations with the target symbol's identity spelled out, in file order. */
function relocTable(o: ObjFile): string[] {
  const out: string[] = [];
  for (const [sec, rs] of o.relocations)
    for (const r of rs)
      out.push(
        `${sec}+${r.offset} type ${r.type} -> ${typeof r.symbol === "string" ? r.symbol : `[${r.symbol.section}]`}`,
      );
  return out;
}

const objdumpBody = (s: string): string => s.split("\n").slice(2).join("\n");

test("clang-19 -O2 (no -g): read then written back byte-for-byte identical", (t) => {
  if (!haveTool("clang-19")) return t.skip("clang-19 not installed");
  withTmp((dir) => {
    for (const src of [source, externs]) {
      const orig = compile(dir, false, src);
      const obj = read(orig, src);
      assert.ok(obj.sections.some((s) => s.type === SHT.LLVM_ADDRSIG));
      const again = writeElf(obj);
      assert.equal(
        Buffer.compare(Buffer.from(again), Buffer.from(orig)),
        0,
        `rewritten ${src} differs`,
      );
    }
  });
});

test("externs, weak and hidden symbols and ABS64 data relocations are read as clang wrote them", (t) => {
  if (!haveTool("clang-19")) return t.skip("clang-19 not installed");
  withTmp((dir) => {
    const obj = read(compile(dir, false, externs), "externs.o");
    const sym = (n: string) => obj.symbols.find((s) => s.name === n);
    assert.deepEqual(sym("bpf_rcu_read_lock"), {
      name: "bpf_rcu_read_lock",
      value: 0,
      size: 0,
      type: STT.NOTYPE,
      bind: STB.GLOBAL,
    });
    assert.equal(sym("bpf_rcu_read_unlock")?.bind, STB.WEAK);
    assert.equal(sym("bpf_rcu_read_unlock")?.section, undefined);
    assert.equal(sym("hidden_counter")?.visibility, STV.HIDDEN);
    assert.equal(sym("hidden_counter")?.section, ".bss");
    assert.deepEqual(obj.relocations.get(".data.ptrs"), [
      { offset: 0, type: R_BPF.R_BPF_64_ABS64, symbol: { section: ".text" } },
      { offset: 8, type: R_BPF.R_BPF_64_ABS64, symbol: { section: ".text" } },
    ]);
    assert.ok(obj.sections.some((s) => s.name === ".struct_ops.link"));
  });
});

test("clang-19 -O2 -g: rewritten object keeps contents, symbols and relocations and passes the tools", (t) => {
  if (!haveTool("clang-19")) return t.skip("clang-19 not installed");
  withTmp((dir) => {
    const orig = compile(dir, true);
    const obj = read(orig, "clang-g.o");
    const rewritten = writeElf(obj);
    const back = read(rewritten, "rewritten.o");
    // Same sections with identical contents, same symbols, same relocations.
    assert.deepEqual(
      back.sections.map((s) => s.name),
      obj.sections.map((s) => s.name),
    );
    for (const [i, s] of obj.sections.entries()) assert.deepEqual(back.sections[i], s, s.name);
    assert.deepEqual(back.symbols, obj.symbols);
    assert.deepEqual(relocTable(back), relocTable(obj));
    assert.equal(back.fileName, "maps.bpf.c");
    // The program sections are there, with their relocations.
    for (const name of [".text", "xdp", "tc"]) assert.ok(obj.relocations.get(name)?.length, name);

    const o1 = writeTmp(dir, "orig.o", orig);
    const o2 = writeTmp(dir, "rewritten.o", rewritten);
    for (const tool of ["llvm-readelf-19", "readelf"]) {
      if (!haveTool(tool)) continue;
      const r = run(tool, ["-a", "-W", o2]);
      assert.equal(r.status, 0, `${tool}: ${r.stderr}`);
      assert.deepEqual(complaints(r), [], tool);
    }
    if (haveTool("llvm-objdump-19")) {
      const d1 = run("llvm-objdump-19", ["-d", "-r", o1]);
      const d2 = run("llvm-objdump-19", ["-d", "-r", o2]);
      assert.equal(d2.status, 0, d2.stderr);
      assert.equal(objdumpBody(d2.stdout), objdumpBody(d1.stdout));
    }
    if (haveTool("bpftool")) {
      const b1 = run("bpftool", ["btf", "dump", "file", o1]);
      const b2 = run("bpftool", ["btf", "dump", "file", o2]);
      assert.equal(b2.status, 0, b2.stderr);
      assert.equal(b2.stdout, b1.stdout);
      const linked = run("bpftool", ["gen", "object", join(dir, "linked.o"), o2]);
      assert.equal(linked.status, 0, linked.stderr);
      const skel = run("bpftool", ["-d", "gen", "skeleton", o2]);
      assert.equal(skel.status, 0, skel.stderr);
      assert.doesNotMatch(skel.stderr, /failed|error/i);
    }
  });
});

test("clang's .BTF decodes and re-encodes to the same bytes; .BTF.ext decodes with source lines", (t) => {
  if (!haveTool("clang-19")) return t.skip("clang-19 not installed");
  withTmp((dir) => {
    const obj = read(compile(dir, true), "clang-g.o");
    const btfBytes = obj.sections.find((s) => s.name === ".BTF")!.data;
    const btf = decodeBtf(btfBytes);
    assert.deepEqual(btf.diagnostics, []);
    const kinds = new Set(btf.types.map((x) => x.kind));
    for (const k of [
      "int",
      "ptr",
      "array",
      "struct",
      "union",
      "enum",
      "typedef",
      "volatile",
      "const",
      "func",
      "func_proto",
      "var",
      "datasec",
    ])
      assert.ok(kinds.has(k as never), `clang's BTF has a ${k}`);
    const flags = btf.types.find((x) => x.kind === "struct" && x.name === "flags");
    assert.ok(flags && flags.kind === "struct");
    assert.deepEqual(
      flags.members.map((m) => [m.name, m.bitOffset, m.bitfieldSize ?? 0]),
      [
        ["a", 0, 3],
        ["b", 3, 5],
        ["u", 32, 0],
        ["col", 64, 0],
      ],
    );
    // Seed the string table with clang's strings in clang's order: then offsets, and so the
    // whole section, must come out identical.
    const strs = new BtfStrings();
    const view = new DataView(btfBytes.buffer, btfBytes.byteOffset, btfBytes.byteLength);
    const strLen = view.getUint32(20, true);
    let at = 1;
    while (at < strLen) {
      const s = btf.stringAt(at)!;
      assert.equal(strs.add(s), at);
      at += Buffer.byteLength(s) + 1;
    }
    const again = encodeBtf(btf.types.slice(1), strs);
    assert.deepEqual(again, btfBytes);

    const ext = decodeBtfExt(obj.sections.find((s) => s.name === ".BTF.ext")!.data, btf.stringAt);
    assert.deepEqual(ext.diagnostics, []);
    assert.deepEqual(
      ext.funcInfo.map((b) => b.section),
      [".text", "xdp", "tc"],
    );
    const funcName = (id: number): string => {
      const f = btf.types[id];
      return f && f.kind === "func" ? f.name : `?${id}`;
    };
    assert.deepEqual(
      ext.funcInfo
        .flatMap((b) => b.records.map((r) => `${b.section}+${r.insnOff}:${funcName(r.typeId)}`))
        .sort(),
      [".text+0:gadd", ".text+48:add", "tc+0:other", "xdp+0:prog"].sort(),
    );
    const lines = ext.lineInfo.flatMap((b) => b.records);
    assert.ok(lines.length > 10);
    assert.ok(lines.every((l) => l.fileName!.endsWith("maps.bpf.c")));
    const progLine =
      readFileSync(source, "utf8").split("\n").indexOf("int prog(struct xdp_md *ctx) {") + 1;
    assert.ok(
      lines.some((l) => l.lineText === "int prog(struct xdp_md *ctx) {" && l.line === progLine),
    );
  });
});
