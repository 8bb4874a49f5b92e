// The verifier on the command line: compile verifies by default (--no-verify opts out), and
// `verify` explains a rejection with the rule, the instruction, the source line and --json.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../cli/main.js";
import { captureIO } from "../cli.test.js";
import { compile } from "../../src/codegen/index.js";
import { writeElf } from "../../src/elf/writer.js";
import { SHF } from "../../src/elf/types.js";

const dir = mkdtempSync(join(tmpdir(), "ioubpf-vcli-"));

test("compile verifies by default: an accepted program is written", async () => {
  const out = join(dir, "ticker.o");
  const io = captureIO();
  assert.equal(
    await runCli(
      ["compile", "examples/ticker/v2/ticker.bpf.ts", "--target", "iouring-v2", "-o", out],
      io,
    ),
    0,
    io.err,
  );
  assert.ok(existsSync(out));
});

test("compile: a rejection is an error at the .bpf.ts line, exit 1, output untouched; --no-verify writes it", async () => {
  // a million-iteration loop: beyond the verifier's complexity limit
  const src = join(dir, "toolong.bpf.ts");
  writeFileSync(
    src,
    'import { Cqe, u32 } from "ioubpf/lang";\n\nlet total: u32 = 0;\n\nexport function onCompletion(cqe: Cqe): void {\n  for (let i: u32 = 0; i < 1000000; i++) {\n    total += u32(cqe.userData) + i;\n  }\n}\n',
  );
  const out = join(dir, "toolong.o");
  writeFileSync(out, "old");
  const io = captureIO();
  assert.equal(await runCli(["compile", src, "-o", out, "--target", "iouring-v2"], io), 1);
  assert.match(io.err, /toolong\.bpf\.ts:7:\d+: error E6056/);
  assert.match(io.err, /insn \d+ `[^`]+`/);
  assert.equal(readFileSync(out, "utf8"), "old");
  const io2 = captureIO();
  assert.equal(await runCli(["compile", src, "-o", out, "--no-verify", "--target", "iouring-v2"], io2), 0, io2.err);
  assert.notEqual(readFileSync(out, "utf8"), "old");
});

test("verify: a hand-broken compiled object names rule, insn, source line; --json has the same", async () => {
  const path = "examples/ticker/v2/ticker.bpf.ts";
  const c = compile({ path, text: readFileSync(path, "utf8") }, { opt: 2, target: "iouring-v2" });
  assert.ok(c.object);
  const sec = c.object!.sections.find(
    (s) => (s.flags & SHF.EXECINSTR) !== 0 && s.name !== ".text" && s.data.length > 0,
  )!;
  // insn 0 becomes `r0 = r5`: r5 is never written
  sec.data = Uint8Array.from(sec.data);
  sec.data.set([0xbf, 0x50, 0, 0, 0, 0, 0, 0], 0);
  const obj = join(dir, "broken.o");
  writeFileSync(obj, writeElf(c.object!));
  const io = captureIO();
  assert.equal(await runCli(["verify", obj, "--target", "iouring-v2"], io), 1);
  assert.match(
    io.err,
    /ticker\.bpf\.ts:\d+:\d+: error E6010: .*insn 0 `r0 = r5`.*r5 is read but was never written/,
  );
  const io2 = captureIO();
  assert.equal(await runCli(["verify", obj, "--json", "--target", "iouring-v2"], io2), 1);
  const j = JSON.parse(io2.out) as {
    rejections: { code: string; insn: number; text: string; source?: { line: number } }[];
  };
  assert.equal(j.rejections[0]!.code, "E6010");
  assert.equal(j.rejections[0]!.insn, 0);
  assert.equal(j.rejections[0]!.text, "r0 = r5");
  assert.ok(j.rejections[0]!.source && j.rejections[0]!.source.line > 0);
});

test("verify: an assembled object names the insn and the branch decisions", async () => {
  const s = join(dir, "a.s");
  writeFileSync(
    s,
    '\t.section "iouring.s/p","ax"\n\t.globl p\n\t.type p,@function\np:\n\tcall 7\n\tif r0 > 5 goto .L1\n\tr0 = 1\n\texit\n.L1:\n\tr0 = 0\n\texit\n.Lend:\n\t.size p, .Lend-p\n\t.section "license","aw"\n\t.asciz "GPL"\n',
  );
  const o = join(dir, "a.o");
  const io = captureIO();
  assert.equal(await runCli(["asm", s, "-o", o], io), 0, io.err);
  const io2 = captureIO();
  assert.equal(await runCli(["verify", o, "--target", "iouring-v2"], io2), 1);
  assert.match(io2.err, /E6053: .*insn 3 `exit`.*must return the constant 0, but r0 is 1/);
  assert.match(io2.err, /path: if r0 > 0x5 goto \+0x2 at insn 1 \(not taken\)/);
});
