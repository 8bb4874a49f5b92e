// Issue 15/16: one rule for every command. Usage errors are exit 2 and one E9004
// diagnostic (JSON on stdout with --json); binary text input is one diagnostic; control
// characters from input are never printed; stdout closed early ends quietly; identical
// diagnostics are collapsed after a limit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cli, pingPongObject, ROOT, tempDir } from "./helpers.js";
import { capLog, Limits } from "../../cli/io.js";

const dir = tempDir("rules");
const src = join(dir, "echo.bpf.ts");
copyFileSync(join(ROOT, "examples/echo/echo.bpf.ts"), src);
const obj = join(dir, "pp.o");
writeFileSync(obj, pingPongObject());
const asm = join(dir, "a.s");
writeFileSync(asm, "r0 = 0\nexit\n");

const USAGE: string[][] = [
  ["compile", src, "--target", "nope"],
  ["compile", src, "--mcpu", "v9"],
  ["check", src, "--target", "nope"],
  ["check", src, "--mcpu", "v9"],
  ["verify", obj, "--target", "nope"],
  ["run", obj, "--target", "nope"],
  ["disasm", obj, "--mattr", "+avx"],
  ["compile", src, "--bogus"],
  ["disasm"],
  ["asm", asm, "--frobnicate"],
  ["run"],
  ["test", "--bogus"],
  ["no-such-command"],
];

for (const args of USAGE) {
  test(`usage error: ioubpf ${args.join(" ").replace(dir, "D")} → exit 2, one format, JSON with --json`, async () => {
    const r = await cli(args);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /^ioubpf: error E9004: .+\n/);
    assert.equal(r.out, "");
    const j = await cli([...args, "--json"]);
    assert.equal(j.code, 2);
    const parsed = JSON.parse(j.out) as { ok: boolean; diagnostics: { code: string }[] };
    assert.equal(parsed.ok, false);
    assert.equal(parsed.diagnostics[0]!.code, "E9004");
    assert.equal(j.err, "");
  });
}

test("compile x.o: one diagnostic saying it is an ELF object and which commands read it", async () => {
  const r = await cli(["compile", obj]);
  assert.equal(r.code, 1);
  assert.match(r.err, /E9005: .*pp\.o is an ELF object, not source text/);
  assert.match(r.err, /ioubpf disasm/);
  assert.equal(r.err.match(/error E/g)?.length, 1);
  for (const cmd of [["check"], ["asm"]]) {
    const c = await cli([...cmd, obj]);
    assert.equal(c.code, 1);
    assert.match(c.err, /E9005/);
  }
});

test("NUL bytes and invalid UTF-8 are one diagnostic each; no raw bytes are printed", async () => {
  const nul = join(dir, "nul.bpf.ts");
  writeFileSync(nul, Buffer.from("export function f() {}\n\0\x1b[2J\n"));
  const r = await cli(["compile", nul]);
  assert.equal(r.code, 1);
  assert.match(r.err, /E9005: .*binary file \(a NUL byte at offset 23\)/);
  const bad = join(dir, "latin1.bpf.ts");
  writeFileSync(bad, Buffer.from([0x2f, 0x2f, 0x20, 0xe9, 0x0a]));
  const r2 = await cli(["check", bad]);
  assert.equal(r2.code, 1);
  assert.match(r2.err, /is not UTF-8 \(invalid byte sequence at offset 3\)/);
});

test("control characters from a source never reach the terminal (messages and code frames)", async () => {
  const f = join(dir, "esc.bpf.ts");
  writeFileSync(f, "let \x1b[31mx\x07 = @;\n");
  const r = await cli(["check", f]);
  assert.equal(r.code, 1);
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(r.err, /[\x00-\x08\x0b-\x1f\x7f]/);
  assert.match(r.err, /\u241b|\\x1b/);
});

test("control characters in symbol names are escaped in disasm and run output", async () => {
  const b = pingPongObject();
  // Rename 'ping' to '\x1b]0;' + 'pi' in the string table (same length).
  const s = Buffer.from(b);
  const at = s.indexOf(Buffer.from("\0ping\0"));
  assert.ok(at > 0);
  s.write("\x1b]0;", at + 1, "latin1");
  const p = join(dir, "esc.o");
  writeFileSync(p, s);
  const r = await cli(["disasm", p]);
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(r.out + r.err, /\x1b/);
});

test("10k identical unknown-name errors are collapsed after the limit, with a count", async () => {
  const f = join(dir, "many.bpf.ts");
  const body = Array.from({ length: 10000 }, () => "  nope;").join("\n");
  writeFileSync(f, `export function f(): void {\n${body}\n}\n`);
  const r = await cli(["check", f]);
  assert.equal(r.code, 1);
  const shown = r.err.match(/error E\d+/g)?.length ?? 0;
  assert.ok(shown <= Limits.maxDiagnostics, `${shown} errors printed`);
  assert.match(r.err, /more .* not shown/);
  const j = JSON.parse((await cli(["check", f, "--json"])).out) as {
    diagnostics: unknown[];
    omittedDiagnostics?: number;
    errorCount: number;
  };
  assert.ok(j.diagnostics.length <= Limits.maxDiagnostics + 2);
  assert.ok((j.omittedDiagnostics ?? 0) > 0);
  // The checker stops at its own limit (100); the printed ones are fewer still.
  assert.ok(j.errorCount >= 100, `errorCount ${j.errorCount} counts every error`);
  assert.ok(shown <= Limits.sameDiagnostic + 2, `${shown} printed`);
});

test("stdout closed early (disasm | head -1) exits quietly: no EPIPE stack", async () => {
  // A listing far larger than a pipe's buffer (20,000 instructions), so writes meet the
  // closed pipe: without the handler this printed "Error: write EPIPE" and a stack.
  const big = join(dir, "big.s");
  const lines = Array.from({ length: 20000 }, (_, i) => `\tr0 = ${i}`).join("\n");
  writeFileSync(
    big,
    `\t.section\t"iouring/big","ax",@progbits\n\t.globl\tbig\nbig:\n${lines}\n\texit\n`,
  );
  const bigObj = join(dir, "big.o");
  assert.equal((await cli(["asm", big, "-o", bigObj])).code, 0);
  for (const cmd of [`disasm ${bigObj}`, `disasm -r ${bigObj} --json`, `verify ${bigObj}`]) {
    const r = spawnSync(
      "sh",
      ["-c", `node --import tsx cli/ioubpf.ts ${cmd} | head -1 >/dev/null`],
      {
        cwd: ROOT,
        encoding: "utf8",
      },
    );
    assert.doesNotMatch(r.stderr, /EPIPE|Unhandled 'error' event|\n\s+at /, cmd);
  }
});

// The loop runs past the verifier's 1,000,000-instruction complexity limit (E6056), so the
// rejection's path is some 500,000 decisions long.
test("verify --json caps a rejection's path (a 5-instruction loop walked 1M times)", async () => {
  const s = join(dir, "loop.s");
  writeFileSync(
    s,
    '\t.section\t"iouring/loop","ax",@progbits\n\t.globl\tloop\nloop:\n\tr0 = 0\nLBB0_1:\n' +
      "\tr0 += 1\n\tif r0 < 1000000 goto LBB0_1\n\tr0 = 0\n\texit\n",
  );
  const o = join(dir, "loop.o");
  assert.equal((await cli(["asm", s, "-o", o])).code, 0);
  const r = await cli(["verify", o, "--json"]);
  assert.equal(r.code, 1);
  assert.ok(r.out.length < 20_000, `${r.out.length} bytes of JSON`);
  const j = JSON.parse(r.out) as {
    rejections: { path: unknown[]; pathCut?: number; pathLength?: number }[];
  };
  const x = j.rejections[0]!;
  assert.equal(x.path.length, 64, "the last 64 decisions (docs/limits.md)");
  assert.ok((x.pathCut ?? 0) > 400_000, `says how much was cut: ${x.pathCut}`);
  assert.equal(x.pathLength, x.path.length + x.pathCut!);
});

test("capLog keeps the start and the end of a long kernel log and says how much was cut", () => {
  const log = "head\n" + "x".repeat(1_000_000) + "\nthe error\n";
  const { text, cut } = capLog(log);
  // 64 KiB of the log plus the marker line (docs/limits.md).
  assert.ok(text.length < 64 * 1024 + 100, `${text.length} characters`);
  assert.ok(text.startsWith("head\n") && text.endsWith("the error\n"));
  assert.match(text, new RegExp(`${cut} characters of the log cut`));
});

test("no command: the help on stderr, exit 2; --help and --version exit 0", async () => {
  const r = await cli([]);
  assert.equal(r.code, 2);
  assert.match(r.err, /Usage: ioubpf/);
  assert.equal((await cli(["--help"])).code, 0);
  assert.equal((await cli(["--version"])).code, 0);
  assert.equal((await cli(["compile", "--help"])).code, 0);
});

test("10k unknown scenario keys: 20 shown, the rest counted in one note (also in --json)", async () => {
  const s = join(dir, "keys.yaml");
  writeFileSync(
    s,
    "submit:\n" +
      Array.from({ length: 10000 }, () => "  - { opcode: NOP, bogus: 1 }").join("\n") +
      "\n",
  );
  const r = await cli(["run", obj, "-s", s]);
  assert.equal(r.code, 1);
  assert.equal(r.err.match(/error E8010/g)?.length, Limits.sameDiagnostic);
  assert.match(r.err, /note E8010: 9980 more like "E8010: submit\[20\]\.bogus: unknown key/);
  assert.match(r.err, /10000 errors generated/);
  const j = JSON.parse((await cli(["run", obj, "-s", s, "--json"])).out) as {
    diagnostics: unknown[];
    errorCount: number;
    omittedDiagnostics: number;
  };
  assert.equal(j.errorCount, 10000);
  assert.equal(j.omittedDiagnostics, 9980);
  assert.equal(j.diagnostics.length, Limits.sameDiagnostic + 1);
});
