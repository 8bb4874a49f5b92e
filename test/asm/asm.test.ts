// Assembler unit tests: relocation and symbol choices checked against llvm-mc-19 on
// hand-written inputs, diagnostics (codes, positions, one run reports all), and the CLI.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assemble, AsmCodes } from "../../src/asm/index.js";
import { assemble as assembleFromIndex } from "../../src/index.js";
import { R_BPF, SHN, STB, STT, type ObjFile } from "../../src/elf/types.js";
import { runCli } from "../../cli/main.js";
import { captureIO } from "./helpers.js";
import { peekElf } from "./elf-peek.js";

const dir = mkdtempSync(join(tmpdir(), "ioubpf-asm-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const haveMc = spawnSync("llvm-mc-19", ["--version"], { stdio: "ignore" }).status === 0;

const hex = (d: Uint8Array) => Buffer.from(d).toString("hex");
function ok(text: string): ObjFile {
  const r = assemble(text, "t.s");
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  assert.deepEqual(
    errors.map((d) => `${d.code} ${d.message}`),
    [],
  );
  assert.ok(r.bytes && r.object);
  return r.object;
}
function errs(text: string): string[] {
  const r = assemble(text, "t.s");
  assert.equal(r.bytes, undefined, "no output when there are errors");
  return r.diagnostics
    .filter((d) => d.severity === "error")
    .map((d) => `${d.range?.start.line}:${d.range?.start.col} ${d.code}`);
}
const sec = (o: ObjFile, name: string) => o.sections.find((s) => s.name === name)!;
const rel = (o: ObjFile, name: string) =>
  (o.relocations.get(name) ?? []).map(
    (r) =>
      `${r.offset} ${r.type} ${typeof r.symbol === "string" ? r.symbol : "[" + r.symbol.section + "]"}`,
  );

/** Assemble with llvm-mc-19 and with us; every section and relocation must agree. */
function sameAsMc(t: { skip: (m: string) => void }, text: string): void {
  if (!haveMc) return t.skip("llvm-mc-19 not installed");
  const s = join(dir, "mc.s");
  const o = join(dir, "mc.o");
  writeFileSync(s, text);
  execFileSync("llvm-mc-19", ["-triple", "bpfel", "-mcpu=v4", "-filetype=obj", s, "-o", o]);
  const mc = peekElf(new Uint8Array(readFileSync(o)));
  const r = assemble(text, "t.s");
  assert.ok(r.bytes, r.diagnostics.map((d) => d.message).join("\n"));
  const ours = peekElf(r.bytes);
  const listed = (p: typeof mc) => p.sections.filter((x) => ![0, 2, 3, 9].includes(x.type));
  assert.deepEqual(
    listed(ours).map((x) => `${x.name} ${x.type} ${x.flags} ${hex(x.data)}`),
    listed(mc).map((x) => `${x.name} ${x.type} ${x.flags} ${hex(x.data)}`),
  );
  assert.deepEqual(Object.fromEntries(ours.relocs), Object.fromEntries(mc.relocs));
  const syms = (p: typeof mc) =>
    p.symbols
      .filter((x) => x.type !== 3 && x.name !== "")
      .map((x) => `${x.name} ${x.type} ${x.bind} ${x.section} ${x.value} ${x.size}`)
      .sort();
  assert.deepEqual(syms(ours), syms(mc));
}

describe("relocations and symbols (as llvm-mc-19)", () => {
  const CALLS = `
	.globl f
	.type f,@function
f:	call g
	call h
	call ext
	r1 = ext+4 ll
	r1 = g+4 ll
	r2 = h ll
	r3 = h+8 ll
	exit
	.size f, .-f
	.globl g
g:	exit
h:	exit
	.section "xdp/a","ax",@progbits
	.globl p
p:	call h
	call g
	r1 = obj ll
	r1 = lobj+4 ll
	exit
	.section .data,"aw",@progbits
	.globl obj
obj:	.quad g+16
	.quad h+8
	.long h
	.long ext+2
lobj:	.long obj
	.short 3
	.byte 0xff, -1
	.section .BTF.ext,"",@progbits
	.long .Ltmp0
	.long obj
	.long p
	.quad .Ltmp0
	.section "xdp/a","ax",@progbits
.Ltmp0:	exit
`;

  test("calls, ld_imm64 and data relocations", (t) => {
    const o = ok(CALLS);
    // Global target: imm -1 against the symbol; local in the same section: pc-relative, no
    // relocation; local in another section: section symbol with imm = offset/8 - 1.
    assert.deepEqual(rel(o, ".text"), [
      `0 ${R_BPF.R_BPF_64_32} g`,
      `16 ${R_BPF.R_BPF_64_32} ext`,
      `24 ${R_BPF.R_BPF_64_64} ext`,
      `40 ${R_BPF.R_BPF_64_64} g`,
      `56 ${R_BPF.R_BPF_64_64} [.text]`,
      `72 ${R_BPF.R_BPF_64_64} [.text]`,
    ]);
    const text = sec(o, ".text").data;
    assert.equal(hex(text.subarray(0, 8)), "85100000ffffffff");
    assert.equal(hex(text.subarray(8, 16)), "85100000" + "0b000000"); // h at slot 13, from slot 1 → +11
    assert.equal(hex(text.subarray(72, 76)), "18030000");
    assert.equal(
      new DataView(text.buffer, text.byteOffset).getInt32(76, true),
      0x70,
      "h+8 folded into imm",
    );
    assert.deepEqual(rel(o, "xdp/a"), [
      `0 ${R_BPF.R_BPF_64_32} [.text]`,
      `8 ${R_BPF.R_BPF_64_32} g`,
      `16 ${R_BPF.R_BPF_64_64} obj`,
      `32 ${R_BPF.R_BPF_64_64} [.data]`,
    ]);
    assert.equal(new DataView(sec(o, "xdp/a").data.buffer).getInt32(4, true), 104 / 8 - 1);
    assert.deepEqual(rel(o, ".BTF.ext"), [
      `0 ${R_BPF.R_BPF_64_NODYLD32} [xdp/a]`,
      `4 ${R_BPF.R_BPF_64_NODYLD32} obj`,
      `8 ${R_BPF.R_BPF_64_ABS32} p`,
      `12 ${R_BPF.R_BPF_64_ABS64} [xdp/a]`,
    ]);
    const f = o.symbols.find((s) => s.name === "f")!;
    assert.deepEqual([f.type, f.bind, f.size], [STT.FUNC, STB.GLOBAL, 0x60]);
    const ext = o.symbols.find((s) => s.name === "ext")!;
    assert.deepEqual([ext.section, ext.bind], [undefined, STB.GLOBAL]);
    assert.ok(!o.symbols.some((s) => s.name.startsWith(".L")));
    sameAsMc(t, CALLS);
  });

  test("branches, gotol, numeric offsets, ll constants, comments and separators", (t) => {
    const src = `lbl: r0 = 1 // c
  .L1: goto lbl ; goto .L1
 goto +3 # x
 /* a
    block */ if r1 > 0x10 goto lbl
 if w1 s< -5 goto .L1
 r1 = 0xffffffff ll
 r1 = -1 ll
 gotol lbl
 may_goto .L1
 exit
`;
    const o = ok(src);
    const d = sec(o, ".text").data;
    assert.equal(hex(d.subarray(8, 16)), "0500feff00000000");
    assert.equal(hex(d.subarray(80, 88)), "06000000f5ffffff");
    sameAsMc(t, src);
  });

  test("data directives, alignment, strings, leb128, label differences, .set, .comm", (t) => {
    const src = `	.section .rodata,"a",@progbits
a:	.byte 1
	.p2align 3
b:	.short 0x1234, -2
	.long 4294967295
	.quad -1
	.ascii "x\\ty\\0"
	.asciz "\\x41\\101\\"q\\n"
	.zero 3, 7
	.uleb128 c-a
	.sleb128 a-c
	.uleb128 624485
	.sleb128 -123456
	.long c-b+1
c:	.byte 'z'
	.set K, 40+2*3
	.long K
	.local lc
	.comm lc,16,8
	.comm gc,8,4
	.section .debug_str,"MS",@progbits,1
	.asciz "s"
`;
    const o = ok(src);
    const ro = sec(o, ".rodata");
    assert.equal(ro.addralign, 8);
    assert.equal(hex(ro.data.subarray(0, 12)), "0100000000000000" + "3412feff");
    const bss = sec(o, ".bss");
    assert.equal(bss.size, 16);
    const gc = o.symbols.find((s) => s.name === "gc")!;
    assert.deepEqual([gc.shndx, gc.value, gc.size], [SHN.COMMON, 4, 8]);
    assert.equal(sec(o, ".debug_str").entsize, 1);
    sameAsMc(t, src);
  });

  test("DWARF line table from .file/.loc, and .debug_frame from .cfi_*", (t) => {
    // Line and address deltas of every encoding class: special opcodes, const_add_pc,
    // advance_pc, advance_line (up, down, to 0), copy; two code sections; is_stmt changes.
    const gaps = [0, 1, 3, 16, 17, 18, 30, 200, 300];
    const lines = [1, 2, 9, 3, 40, 0, 7, 1000, 5];
    let body = "";
    gaps.forEach((g, i) => {
      body += "\tr0 = 1\n".repeat(g);
      body += `\t.loc ${i % 2} ${lines[i]} ${i * 3}${i === 2 ? " is_stmt 0" : ""}${i === 4 ? " prologue_end" : ""}${i === 6 ? " discriminator 3" : ""}\n\texit\n`;
    });
    const src = `\t.file "m.c"
\t.file 0 "/src" "m.c" md5 0x00112233445566778899aabbccddeeff
\t.file 1 "/inc" "h.h" md5 0xffeeddccbbaa99887766554433221100
\t.cfi_sections .debug_frame
\t.globl f
f:
\t.cfi_startproc
${body}\t.cfi_endproc
\t.section "xdp","ax",@progbits
g:
\t.cfi_startproc
\t.loc 1 4 2
\tr0 = 2
\tr0 = 3
\t.loc 1 4 2 is_stmt 1
\texit
\t.cfi_endproc
\t.section .debug_line,"",@progbits
.Lline_table_start0:
`;
    const o = ok(src);
    assert.ok(sec(o, ".debug_line").data.length > 100);
    assert.ok(sec(o, ".debug_frame").data.length === 16 + 2 * 24);
    sameAsMc(t, src);
  });

  test(".loc with an unassigned file number is an error", () => {
    assert.deepEqual(errs(".loc 3 1 1\nexit\n"), [`1:6 ${AsmCodes.undefinedSymbol}`]);
  });

  test("clang's `rA = wB` means `wA = wB` (llvm-mc-19 rejects the text)", () => {
    const o = ok(" r1 = w0\n w1 = w0\n");
    const d = sec(o, ".text").data;
    assert.equal(hex(d.subarray(0, 8)), hex(d.subarray(8, 16)));
    assert.equal(d[0], 0xbc);
  });

  test(".file names the STT_FILE symbol; .addrsig builds .llvm_addrsig", () => {
    const o = ok('.file "x.c"\n.file 1 "/d" "x.c"\n.globl f\nf: exit\n.addrsig\n.addrsig_sym f\n');
    assert.equal(o.fileName, "x.c");
    const a = sec(o, ".llvm_addrsig");
    assert.ok(a && a.data.length === 1);
  });

  test("the library entry point exports assemble", () => {
    assert.equal(assembleFromIndex, assemble);
  });
});

describe("diagnostics", () => {
  test("every error of a file is reported in one run, in order, with line:col", () => {
    const src = [
      "\t.text", // 1
      "foo:", // 2
      "\tr0 = 1", // 3
      "foo:", // 4
      "\t.bogus 1", // 5
      "\tr0 = = 2", // 6
      "\tgoto nowhere", // 7
      "\t.byte 256", // 8
      '\t.section x,"q",@progbits', // 9
      '\t.section y,"a",@weird', // 10
      "\t.long .Lnope", // 11
      '\t.section .bss,"aw",@nobits', // 12
      "\t.byte 1", // 13
      "\t.text", // 14
      "\t.short foo", // 15
      "\t.p2align 33", // 16
      '\t"unterminated', // 17
    ].join("\n");
    assert.deepEqual(errs(src), [
      `4:1 ${AsmCodes.duplicateSymbol}`,
      `5:2 ${AsmCodes.unknownDirective}`,
      `6:7 ${AsmCodes.badInstruction}`,
      `7:7 ${AsmCodes.undefinedSymbol}`,
      `8:8 ${AsmCodes.outOfRange}`,
      `9:14 ${AsmCodes.badSectionFlags}`,
      `10:18 ${AsmCodes.badSectionType}`,
      `11:8 ${AsmCodes.undefinedSymbol}`,
      `13:8 ${AsmCodes.nobitsData}`,
      `15:9 ${AsmCodes.badRelocation}`,
      `16:11 ${AsmCodes.badAlignment}`,
      `17:2 ${AsmCodes.badString}`,
    ]);
  });

  test("duplicate label points at the previous definition", () => {
    const r = assemble("a:\na:\n", "t.s");
    assert.equal(r.diagnostics[0]!.related?.[0]?.range.start.line, 1);
  });

  test("branch range: 16-bit goto overflows, gotol does not", () => {
    const far = "goto far\n" + "exit\n".repeat(40000) + "far: exit\n";
    assert.deepEqual(errs(far), [`1:6 ${AsmCodes.branchOutOfRange}`]);
    ok("gotol far\n" + "exit\n".repeat(40000) + "far: exit\n");
  });

  test("branch to another section, misaligned target, bad expressions", () => {
    assert.deepEqual(errs('goto x\n.section s,"ax",@progbits\nx: exit\n'), [
      `1:6 ${AsmCodes.crossSectionBranch}`,
    ]);
    assert.deepEqual(errs("goto x\n.byte 1\nx: exit\n"), [`1:6 ${AsmCodes.misalignedTarget}`]);
    assert.deepEqual(errs(".long 1/0\n"), [`1:9 ${AsmCodes.notConstant}`]);
    assert.deepEqual(errs(".long a-b\na:\n.data\nb:\n"), [`1:7 ${AsmCodes.notConstant}`]);
    assert.deepEqual(errs(".long (1\n"), [`1:9 ${AsmCodes.syntax}`]);
    assert.deepEqual(errs("/* open\n"), [`1:1 ${AsmCodes.unterminatedComment}`]);
  });

  test("CFI nesting errors and reserved section names", () => {
    assert.deepEqual(
      errs(".cfi_startproc\n.cfi_startproc\nexit\n.cfi_endproc\n.cfi_endproc\n.cfi_startproc\n"),
      [`2:1 ${AsmCodes.syntax}`, `5:1 ${AsmCodes.syntax}`, `6:1 ${AsmCodes.syntax}`],
    );
    assert.deepEqual(errs('.section .symtab,"",@progbits\n'), [`1:10 ${AsmCodes.reservedSection}`]);
  });

  test("the error limit stops at 100 and says where it stopped", () => {
    const r = assemble(".bogus\n".repeat(150), "t.s");
    assert.equal(r.diagnostics.filter((d) => d.severity === "error").length, 100);
    const last = r.diagnostics.at(-1)!;
    assert.deepEqual(
      [last.code, last.severity, last.range?.start.line],
      [AsmCodes.tooManyErrors, "note", 101],
    );
  });
});

describe("ioubpf asm", () => {
  test("writes in.o by default, -o elsewhere; exit 0", async () => {
    const s = join(dir, "prog.s");
    writeFileSync(s, '.section xdp,"ax",@progbits\n.globl p\np: r0 = 2\n exit\n');
    const io = captureIO();
    assert.equal(await runCli(["asm", s], io), 0, io.err);
    assert.ok(existsSync(join(dir, "prog.o")));
    const out = join(dir, "other.o");
    assert.equal(await runCli(["asm", s, "-o", out], captureIO()), 0);
    assert.deepEqual(readFileSync(out), readFileSync(join(dir, "prog.o")));
  });

  test("errors: exit 1, code frame on stderr, old output untouched", async () => {
    const s = join(dir, "bad.s");
    const out = join(dir, "keep.o");
    writeFileSync(out, "old");
    writeFileSync(s, "r0 = 1\nr0 +=\n.nope\n");
    const io = captureIO();
    assert.equal(await runCli(["asm", s, "-o", out], io), 1);
    assert.match(io.err, /bad\.s:2:\d+: error E4002/);
    assert.match(io.err, /bad\.s:3:1: error E4001: unknown directive '\.nope'/);
    assert.match(io.err, /\n3 \| \.nope\n {2}\| \^~~~~/);
    assert.equal(readFileSync(out, "utf8"), "old");
  });

  test("--json prints diagnostics as data; a missing file is exit 1", async () => {
    const s = join(dir, "bad2.s");
    writeFileSync(s, ".byte 300\n");
    const io = captureIO();
    assert.equal(await runCli(["asm", s, "--json"], io), 1);
    const j = JSON.parse(io.out);
    assert.equal(j.ok, false);
    assert.equal(j.diagnostics[0].code, AsmCodes.outOfRange);
    const io2 = captureIO();
    assert.equal(await runCli(["asm", join(dir, "missing.s")], io2), 1);
    assert.match(io2.err, /no such file/);
  });
});
