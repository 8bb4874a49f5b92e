// The compiler's outputs against the other tools: `--emit asm` text is accepted by our
// assembler and llvm-mc-19 and assembles to the same program bytes and relocations;
// llvm-objdump-19 -d -r agrees with our disassembler; the CLI's options, depfile and exit codes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { runCli } from "../../cli/main.js";
import { assemble } from "../../src/asm/index.js";
import { disassemble } from "../../src/disasm/objdump.js";
import { readElf } from "../../src/elf/index.js";
import { SHF, type ObjSection } from "../../src/elf/types.js";
import { ROOT, compileFile, mustCompile, tool } from "./helpers.js";

const EXAMPLES = readdirSync(join(ROOT, "examples"))
  .sort()
  .flatMap((d) =>
    readdirSync(join(ROOT, "examples", d, "v2"))
      .filter((f) => f.endsWith(".bpf.ts"))
      .map((f) => join(ROOT, "examples", d, "v2", f)),
  );

function codeSections(obj: import("../../src/elf/types.js").ObjFile): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of obj.sections)
    if (s.flags & SHF.EXECINSTR && s.data.length > 0)
      out[s.name] = Buffer.from(s.data).toString("hex"); // assemblers add an empty .text
  return out;
}
function relocs(obj: import("../../src/elf/types.js").ObjFile): string[] {
  const out: string[] = [];
  for (const [sec, rs] of obj.relocations)
    for (const r of rs)
      out.push(
        `${sec}@${r.offset}:${typeof r.symbol === "string" ? r.symbol : r.symbol.section}:${r.type}`,
      );
  return out.sort();
}
const symbolSet = (obj: import("../../src/elf/types.js").ObjFile): string[] =>
  obj.symbols.map((s) => `${s.name}:${s.section}:${s.value}:${s.size}:${s.type}:${s.bind}`).sort();

test("--emit asm assembles (ours) to the same object", () => {
  for (const f of EXAMPLES) {
    const r = compileFile(f, { emitAsm: true });
    const obj = mustCompile(r);
    const a = assemble(r.asm!, "x.s");
    const back = a.object;
    assert.ok(back, `${basename(f)}: ${a.diagnostics.map((d) => d.message).join("; ")}`);
    assert.deepEqual(codeSections(back), codeSections(obj), basename(f));
    assert.deepEqual(relocs(back), relocs(obj), basename(f));
    assert.deepEqual(symbolSet(back), symbolSet(obj), basename(f));
    for (const name of [".BTF", ".BTF.ext", ".maps", ".rodata", ".data", "license"]) {
      const x = obj.sections.find((s) => s.name === name);
      const y: ObjSection | undefined = back.sections.find((s) => s.name === name);
      assert.equal(Boolean(x), Boolean(y), `${basename(f)} ${name}`);
      if (x && y) assert.deepEqual(y.data, x.data, `${basename(f)} ${name}`);
    }
  }
});

test("--emit asm is accepted by llvm-mc-19 with the same program bytes", (t) => {
  if (!tool(t, "llvm-mc-19")) return;
  const dir = mkdtempSync(join(tmpdir(), "ioubpf-mc-"));
  for (const f of EXAMPLES) {
    const r = compileFile(f, { emitAsm: true });
    const obj = mustCompile(r);
    const s = join(dir, "x.s");
    const o = join(dir, "x.o");
    writeFileSync(s, r.asm!);
    const mc = spawnSync("llvm-mc-19", ["-triple", "bpfel", "-filetype=obj", s, "-o", o], {
      encoding: "utf8",
    });
    assert.equal(mc.status, 0, `${basename(f)}: ${mc.stderr}`);
    const back = readElf(new Uint8Array(readFileSync(o)), "x.o");
    assert.ok(back.object);
    assert.deepEqual(codeSections(back.object), codeSections(obj), basename(f));
    assert.deepEqual(relocs(back.object), relocs(obj), basename(f));
  }
});

test("llvm-objdump-19 -d -r agrees with our disassembler on our objects", (t) => {
  if (!tool(t, "llvm-objdump-19")) return;
  const dir = mkdtempSync(join(tmpdir(), "ioubpf-od-"));
  for (const f of EXAMPLES) {
    const r = compileFile(f);
    mustCompile(r);
    const o = join(dir, "x.o");
    writeFileSync(o, r.bytes!);
    const llvm = spawnSync("llvm-objdump-19", ["-d", "-r", o], { encoding: "utf8" });
    assert.equal(llvm.status, 0, llvm.stderr);
    const ours = disassemble(readElf(r.bytes!, o).object!, {
      relocs: true,
      hexImm: true,
      fileName: o,
    });
    assert.equal(ours.trim(), llvm.stdout.trim(), basename(f));
  }
});

class IO {
  out = "";
  err = "";
  color = false;
  stdout = (s: string): void => void (this.out += s);
  stderr = (s: string): void => void (this.err += s);
}

/** These CLI runs compile the iouring-v2 form of the examples. */
const V2 = ["--target", "iouring-v2"];

test("ioubpf compile: -o, -MD depfile, --emit asm, --json, exit codes", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ioubpf-cli-"));
  const src = join(ROOT, "examples/copy/v2/copy.bpf.ts");
  const out = join(dir, "copy.o");
  let io = new IO();
  assert.equal(
    await runCli(["compile", src, "-o", out, "-MD", "-O2", "-g", "--mcpu", "v3", ...V2], io),
    0,
    io.err,
  );
  assert.equal(readFileSync(join(dir, "copy.d"), "utf8"), `${out}: ${src}\n`);
  const bytes = readFileSync(out);
  assert.equal(bytes.readUInt32BE(0), 0x7f454c46);

  io = new IO();
  const asmOut = join(dir, "copy.s");
  assert.equal(await runCli(["compile", src, "--emit", "asm", "-o", asmOut, ...V2], io), 0, io.err);
  assert.match(readFileSync(asmOut, "utf8"), /call 0xa4/);

  io = new IO();
  assert.equal(await runCli(["compile", src, "-o", out, "--json", ...V2], io), 0, io.err);
  const j = JSON.parse(io.out);
  assert.equal(j.ok, true);
  assert.equal(j.programs[0].section, "iouring.s/copy");

  // Bad input: exit 1 with diagnostics, and the existing output is left untouched.
  const bad = join(dir, "bad.bpf.ts");
  writeFileSync(
    bad,
    `import { u32 } from "ioubpf/lang";\nexport function onStart(): void { const x: u32 = nope; }\n`,
  );
  io = new IO();
  assert.equal(await runCli(["compile", bad, "-o", out, ...V2], io), 1);
  assert.match(io.err, /nope/);
  assert.ok(readFileSync(out).equals(bytes), "output untouched");

  // A construct the target cannot express (the v2 ticker's `cq` on linux-7.1), usage errors.
  io = new IO();
  const ticker = join(ROOT, "examples/ticker/v2/ticker.bpf.ts");
  assert.equal(
    await runCli(["compile", ticker, "-o", join(dir, "l.o"), "--target", "linux-7.1"], io),
    1,
  );
  assert.match(io.err, /'cq' is not available on linux-7\.1/);
  assert.ok(!existsSync(join(dir, "l.o")));
  io = new IO();
  assert.equal(await runCli(["compile", src, "--emit", "exe"], io), 2);
  io = new IO();
  assert.equal(await runCli(["compile", src, "-O3"], io), 2);
  io = new IO();
  assert.equal(await runCli(["compile", join(dir, "missing.bpf.ts")], io), 1);
});

test("a failed compile leaves an existing output byte-for-byte untouched", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ioubpf-keep-"));
  const out = join(dir, "x.o");
  writeFileSync(out, "previous");
  const bad = join(dir, "bad.bpf.ts");
  writeFileSync(bad, "export function onStart(): void { oops( }\n");
  const io = new IO();
  assert.equal(await runCli(["compile", bad, "-o", out], io), 1);
  assert.equal(readFileSync(out, "utf8"), "previous");
});

test("bpftool btf dump shows each object's functions, context type and data sections", (t) => {
  if (!tool(t, "bpftool")) return;
  const dir = mkdtempSync(join(tmpdir(), "ioubpf-btf-"));
  for (const f of EXAMPLES) {
    const r = compileFile(f);
    const obj = mustCompile(r);
    const o = join(dir, `${basename(f, ".bpf.ts")}.o`);
    writeFileSync(o, r.bytes!);
    const bt = spawnSync("bpftool", ["btf", "dump", "file", o], { encoding: "utf8" });
    assert.equal(bt.status, 0, `${basename(f)}: ${bt.stderr}`);
    const p = r.programs![0]!;
    // FUNC <symbol> → FUNC_PROTO int (struct io_uring_bpf_ctx *ctx)
    assert.match(
      bt.stdout,
      new RegExp(`FUNC '${p.symbol}' type_id=\\d+ linkage=global`),
      basename(f),
    );
    assert.match(
      bt.stdout,
      /FUNC_PROTO '\(anon\)' ret_type_id=\d+ vlen=1\n\t'ctx' type_id=\d+/,
      basename(f),
    );
    assert.match(bt.stdout, /STRUCT 'io_uring_bpf_ctx' size=16 vlen=3/, basename(f));
    assert.match(bt.stdout, /INT 'int' size=4/, basename(f));
    // One DATASEC per data section, naming every global symbol in it.
    for (const sec of obj.sections.filter((s) =>
      [".rodata", ".data", ".bss", ".maps"].includes(s.name),
    )) {
      assert.match(
        bt.stdout,
        new RegExp(`DATASEC '\\${sec.name}' size=\\d+`),
        `${basename(f)} ${sec.name}`,
      );
      for (const sym of obj.symbols.filter((s) => s.section === sec.name))
        assert.ok(
          bt.stdout.includes(`(VAR '${sym.name}')`),
          `${basename(f)}: no VAR ${sym.name} in ${sec.name}`,
        );
    }
  }
});

test("libbpf opens every example object (bpf_object__open_file; bpftool gen skeleton)", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "ioubpf-libbpf-"));
  const c = join(dir, "open.c");
  writeFileSync(
    c,
    `#include <stdio.h>
#include <bpf/libbpf.h>
int main(int argc, char **argv) {
\tstruct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
\tif (!obj) { perror("bpf_object__open_file"); return 1; }
\tstruct bpf_program *p;
\tstruct bpf_map *m;
\tbpf_object__for_each_program(p, obj)
\t\tprintf("program %s %s %zu\\n", bpf_program__name(p), bpf_program__section_name(p), bpf_program__insn_cnt(p));
\tbpf_object__for_each_map(m, obj) printf("map %s\\n", bpf_map__name(m));
\tbpf_object__close(obj);
\treturn 0;
}
`,
  );
  const exe = join(dir, "open");
  const cc = spawnSync("cc", [c, "-o", exe, "-lbpf"], { encoding: "utf8" });
  const haveBpftool = spawnSync("which", ["bpftool"]).status === 0;
  if (cc.status !== 0 && !haveBpftool) {
    t.skip(
      `neither cc with libbpf (${(cc.error?.message ?? cc.stderr).trim().split("\n")[0]}) nor bpftool`,
    );
    return;
  }
  if (cc.status !== 0)
    t.diagnostic(
      `cc -lbpf failed, only bpftool gen skeleton runs: ${cc.stderr.trim().split("\n")[0]}`,
    );
  if (!haveBpftool) t.diagnostic("bpftool missing: gen skeleton skipped");
  const maps = join(ROOT, "test/programs/valid/hashmap-inflight.bpf.ts");
  for (const f of [...EXAMPLES, maps]) {
    const r = compileFile(f);
    const obj = mustCompile(r);
    const name = basename(f, ".bpf.ts").replace(/-/g, "_");
    const o = join(dir, `${name}.o`);
    writeFileSync(o, r.bytes!);
    if (cc.status === 0) {
      const run = spawnSync(exe, [o], { encoding: "utf8" });
      assert.equal(run.status, 0, `${basename(f)}: ${run.stderr}`);
      const p = r.programs![0]!;
      assert.ok(
        run.stdout.includes(`program ${p.symbol} ${p.section} ${p.slots}\n`),
        `${basename(f)}: ${run.stdout}`,
      );
      // libbpf's maps: one per data section (<obj>.rodata, …) and each BTF-defined map.
      for (const sec of obj.sections.filter((s) => [".rodata", ".data", ".bss"].includes(s.name)))
        assert.match(
          run.stdout,
          new RegExp(`map \\S*\\${sec.name}\\n`),
          `${basename(f)} ${sec.name}: ${run.stdout}`,
        );
      for (const sym of obj.symbols.filter((s) => s.section === ".maps"))
        assert.ok(
          run.stdout.includes(`map ${sym.name}\n`),
          `${basename(f)}: no map ${sym.name}: ${run.stdout}`,
        );
    }
    if (haveBpftool) {
      const sk = spawnSync("bpftool", ["gen", "skeleton", o, "name", name], { encoding: "utf8" });
      assert.equal(sk.status, 0, `${basename(f)}: ${sk.stderr}`);
      assert.match(
        sk.stdout,
        new RegExp(`struct bpf_program \\*${r.programs![0]!.symbol};`),
        basename(f),
      );
    }
  }
});
