// linux-7.1 objects (docs/linux-7.1.md): every example and every valid test program the target
// can express compiles at -O0/-O2 and --mcpu v3/v4; the LLVM tools and bpftool read each
// without warnings; sections, symbols, relocations, BTF and the kfunc call encoding follow
// clang-19's conventions for a struct_ops object.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeBtf, BTF_FUNC_LINKAGE } from "../../src/elf/btf.js";
import { R_BPF, SHF, SHT, STB, STT, type ObjFile } from "../../src/elf/types.js";
import { checkSource } from "../../src/check/index.js";
import { SourceFile } from "../../src/diagnostics/index.js";
import { ROOT, compileFile } from "./helpers.js";

const T = "linux-7.1";
const EXAMPLES = readdirSync(join(ROOT, "examples"))
  .sort()
  .flatMap((d) =>
    readdirSync(join(ROOT, "examples", d))
      .filter((f) => f.endsWith(".bpf.ts"))
      .map((f) => join(ROOT, "examples", d, f)),
  );
const VALID = readdirSync(join(ROOT, "test/programs/valid"))
  .filter((f) => f.endsWith(".bpf.ts"))
  .sort()
  .map((f) => join(ROOT, "test/programs/valid", f));

/** Whether linux-7.1 can express the program at this cpu (the checker reports no error). */
function expressible(p: string, mcpu = "v4"): boolean {
  const r = checkSource(new SourceFile(p, readFileSync(p, "utf8")), { target: T, mcpu });
  return r.checked !== undefined && !r.diagnostics.some((d) => d.severity === "error");
}
const EXPRESSIBLE = VALID.filter((p) => expressible(p));
const short = (p: string): string => p.slice(ROOT.length);

function has(name: string): boolean {
  return spawnSync("which", [name]).status === 0;
}

function structure(obj: ObjFile, path: string): void {
  const progs = obj.sections.filter((s) => (s.flags & SHF.EXECINSTR) !== 0 && s.data.length > 0);
  assert.ok(progs.length >= 1, `${path}: a program section`);
  for (const s of progs) {
    assert.match(s.name, /^struct_ops\.s\/\w+$/);
    const name = s.name.slice("struct_ops.s/".length);
    const fn = obj.symbols.find((x) => x.name === name && x.section === s.name);
    assert.ok(fn && fn.type === STT.FUNC && fn.bind === STB.GLOBAL, `${name}: global FUNC`);
    assert.equal(fn.size, s.data.length);
    // Every call relocated against a symbol is a kfunc call as clang writes it.
    for (const r of obj.relocations.get(s.name) ?? []) {
      const op = s.data[r.offset]!;
      if (op === 0x85) {
        assert.equal(r.type, R_BPF.R_BPF_64_32, `${name}: call relocation type`);
        assert.equal(s.data[r.offset + 1]! >> 4, 1, "src_reg 1 (libbpf makes it 2)");
        assert.equal(
          new DataView(s.data.buffer, s.data.byteOffset).getInt32(r.offset + 4, true),
          -1,
        );
        const sym = obj.symbols.find((x) => x.name === r.symbol);
        assert.ok(sym && sym.section === undefined && sym.bind === STB.GLOBAL, "undefined global");
        assert.match(
          String(r.symbol),
          /^bpf_(io_uring_(get_region|submit_sqes)|iter_num_(new|next|destroy))$/,
        );
      } else assert.equal(r.type, R_BPF.R_BPF_64_64);
    }
  }
  const ops = obj.sections.find((s) => s.name === ".struct_ops.link");
  assert.ok(ops && ops.type === SHT.PROGBITS && ops.flags === (SHF.ALLOC | SHF.WRITE));
  assert.equal(ops.data.length, 24 * progs.length);
  const opsRel = obj.relocations.get(".struct_ops.link") ?? [];
  assert.equal(opsRel.length, progs.length);
  for (const r of opsRel) assert.equal(r.type, R_BPF.R_BPF_64_ABS64);
  const lic = obj.sections.find((s) => s.name === "license")!;
  assert.equal(new TextDecoder().decode(lic.data).replace(/\0+$/, ""), "GPL");

  const btfSec = obj.sections.find((s) => s.name === ".BTF")!;
  const btf = decodeBtf(btfSec.data, path);
  assert.deepEqual(btf.diagnostics ?? [], []);
  const types = btf.types;
  const named = (k: string, n: string) =>
    types.find((t) => t.kind === k && "name" in t && t.name === n);
  const st = named("struct", "io_uring_bpf_ops") as
    { members: { name: string; bitOffset: number }[]; size: number } | undefined;
  assert.ok(st, "struct io_uring_bpf_ops");
  assert.equal(st.size, 24);
  assert.deepEqual(
    st.members.map((m) => [m.name, m.bitOffset]),
    [
      ["loop_step", 0],
      ["ring_fd", 64],
      ["priv", 128],
    ],
  );
  for (const s of progs) {
    const f = named("func", s.name.slice(13)) as
      { proto: { params: { name: string }[] }; linkage: number } | undefined;
    assert.ok(f, "FUNC of the program");
    // As libbpf's BPF_PROG declares it: the arguments arrive as a u64 array.
    assert.deepEqual(
      f.proto.params.map((p) => p.name),
      ["ctx"],
    );
  }
  const ksyms = named("datasec", ".ksyms") as
    { vars: { type: { kind: string; linkage: number } }[] } | undefined;
  if (obj.symbols.some((x) => x.section === undefined)) {
    assert.ok(ksyms, ".ksyms DATASEC");
    for (const v of ksyms.vars) {
      assert.equal(v.type.kind, "func");
      assert.equal(v.type.linkage, BTF_FUNC_LINKAGE.extern);
    }
  }
}

const dir = mkdtempSync(join(tmpdir(), "ioubpf-l71-"));
let n = 0;

for (const path of [...EXAMPLES, ...EXPRESSIBLE]) {
  test(`linux-7.1: ${short(path)} at -O0/-O2, v3/v4; structure; LLVM tools and bpftool read it`, (t) => {
    for (const opt of [0, 2] as const) {
      for (const mcpu of ["v3", "v4"]) {
        if (!expressible(path, mcpu)) {
          t.diagnostic(`not expressible at --mcpu ${mcpu} (e.g. signed division): skipped`);
          continue;
        }
        const r = compileFile(path, { target: T, opt, mcpu });
        assert.ok(
          r.object && r.bytes,
          `${short(path)} -O${opt} ${mcpu}: ${JSON.stringify(r.diagnostics)}`,
        );
        structure(r.object, path);
        const file = join(dir, `o${n++}.o`);
        writeFileSync(file, r.bytes);
        for (const [tool, args] of [
          ["llvm-readelf-19", ["-a", file]],
          ["llvm-objdump-19", ["-d", "-r", file]],
          ["bpftool", ["btf", "dump", "file", file]],
        ] as const) {
          if (!has(tool)) {
            t.diagnostic(`${tool} not installed: not run`);
            continue;
          }
          const p = spawnSync(tool, [...args], { encoding: "utf8" });
          assert.equal(p.status, 0, `${tool}: ${p.stderr}`);
          assert.doesNotMatch(p.stderr, /warning|error/i, `${tool} ${short(path)}: ${p.stderr}`);
          if (tool === "llvm-objdump-19")
            assert.doesNotMatch(p.stdout, /<unknown>/, `${short(path)}: unknown instruction`);
        }
      }
    }
  });
}

test("linux-7.1: --cq-batch bounds the CQ walk (the iterator's end: bpf_iter_num_new(&it, 0, n))", () => {
  const p = join(ROOT, "examples/nop-pump/nop-pump.bpf.ts");
  const iterNew = (o: ObjFile): string => {
    const sec = o.sections.find((s) => s.name.startsWith("struct_ops.s/"))!;
    const rel = (o.relocations.get(sec.name) ?? []).find((r) => r.symbol === "bpf_iter_num_new");
    assert.ok(rel, "a call of bpf_iter_num_new");
    // The instruction before the call sets r3, the end of the range.
    const mov = sec.data.subarray(rel.offset - 8, rel.offset);
    assert.equal(mov[0], 0xb7); // r3 = imm
    assert.equal(mov[1]! & 0xf, 3);
    return String(new DataView(mov.buffer, mov.byteOffset).getInt32(4, true));
  };
  assert.equal(iterNew(compileFile(p, { target: T, cqBatch: 5 }).object!), "5");
  assert.equal(iterNew(compileFile(p, { target: T }).object!), "64");
});

test("linux-7.1: the v2-only constructs are target errors with an alternative", () => {
  const ping = compileFile(join(ROOT, "examples/ping-pong/v2/ping.bpf.ts"), { target: T });
  assert.equal(ping.object, undefined);
  assert.ok(
    ping.diagnostics.some((d) => d.code === "E3012" && /single completion queue/.test(d.message)),
  );
  const ticker = compileFile(join(ROOT, "examples/ticker/v2/ticker.bpf.ts"), { target: T });
  assert.equal(ticker.object, undefined);
  assert.ok(ticker.diagnostics.some((d) => /'cq' is not available on linux-7\.1/.test(d.message)));
});

// The real kernel's verdict on every object, and real I/O, are in test/guest/kernel71.test.ts
// (one boot of the Linux 7.x guest).
