// Malformed-input fuzzing, in-process and seeded: mutated and random assembly through
// `ioubpf asm`, mutated and random ELF files through `ioubpf disasm`. Every run must end with
// exit 0 (the mutation happened to be valid) or 1 with diagnostics; never 3 (internal
// error), never a stack trace.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "../../cli/main.js";
import { captureIO } from "./helpers.js";

const SEED = 0x1ab5eed;
const ASM_CASES = Number(process.env.FUZZ_ASM ?? 8000);
const ELF_CASES = Number(process.env.FUZZ_ELF ?? 3000);

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "../fixtures/c");
// Thousands of small writes: use the RAM disk when there is one (tmp is often much slower).
const dir = mkdtempSync(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "ioubpf-fuzz-"));
const haveClang = spawnSync("clang-19", ["--version"], { stdio: "ignore" }).status === 0;
const arch = spawnSync("uname", ["-m"], { encoding: "utf8" }).stdout.trim();

/** Used when clang-19 is missing, so the fuzzer still has realistic seeds. */
const BUILTIN_SEED = `	.text
	.file	"x.c"
	.section	"xdp","ax",@progbits
	.globl	prog
	.p2align	3
	.type	prog,@function
prog:
	r1 = counts ll
	r2 = *(u32 *)(r1 + 4)
	if r2 > 0x10 goto .LBB0_2
	w3 = w2
	r3 s/= r2
	lock *(u64 *)(r1 + 0) += r2
	call helper
	call 5
.LBB0_2:
	r0 = 2
	exit
.Lfunc_end0:
	.size	prog, .Lfunc_end0-prog
	.section	.maps,"aw",@progbits
	.globl	counts
	.p2align	3, 0x0
counts:
	.zero	32
	.size	counts, 32
	.section	license,"aw",@progbits
LICENSE:
	.asciz	"GPL"
	.section	.BTF.ext,"",@progbits
	.long	.Lfunc_end0
	.quad	prog+8
	.uleb128 .Lfunc_end0-prog
	.sleb128 -1234567
	.byte	1, 2, 0x3
	.short	65535
	.ascii	"a\\x41\\n"
	.addrsig
	.addrsig_sym prog
`;

interface Corpus {
  asm: string[];
  elf: Uint8Array[];
}
const corpus: Corpus = { asm: [BUILTIN_SEED], elf: [] };

before(() => {
  if (!haveClang) return;
  // A few fixtures give enough variety; compiling all would cost time without new shapes.
  const picks = readdirSync(FIXTURES)
    .filter((f) => f.endsWith(".c"))
    .sort()
    .filter((_, i) => i % 3 === 0);
  for (const f of picks) {
    const src = join(FIXTURES, f);
    const mcpu = readFileSync(src, "utf8").match(/^\/\/ mcpu: (v\d)/m)?.[1];
    const flags = [
      "-O2",
      "-g",
      "-target",
      "bpf",
      ...(mcpu ? [`-mcpu=${mcpu}`] : []),
      `-I/usr/include/${arch}-linux-gnu`,
    ];
    const s = join(dir, f + ".s");
    const o = join(dir, f + ".o");
    execFileSync("clang-19", [...flags, "-S", src, "-o", s]);
    execFileSync("clang-19", [...flags, "-c", src, "-o", o]);
    corpus.asm.push(readFileSync(s, "utf8"));
    corpus.elf.push(new Uint8Array(readFileSync(o)));
  }
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** mulberry32: small, fast, and the same sequence on every machine. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick };
}
type Rng = ReturnType<typeof rng>;

const NASTY = [
  "99999999999999999999999999",
  "0x1ffffffffffffffff",
  "-0x8000000000000001",
  "4294967296",
  "-32769",
  "65536",
  "0b102",
  "09",
  "0x",
  "'",
  '"',
  '"\\q"',
  "\\",
  "(",
  ")",
  "((((((((((((((((((((((((1",
  ",",
  ":",
  "::",
  ".",
  "ll",
  "goto",
  "gotol",
  "call",
  "exit",
  "lock",
  "r11",
  "w99",
  "r10",
  "*(u64 *)",
  "+",
  "-",
  "s>>=",
  ".section",
  '.section x,"zz",@bogus',
  ".p2align 40",
  ".zero -1",
  ".zero 99999999999",
  ".size",
  ".type",
  "@function",
  ".globl",
  ".Lundefined",
  "undefined_sym",
  ".uleb128 a-b",
  "/*",
  "*/",
  "#",
  "//",
  ";",
  "\u0000",
  "\u00e9",
  "\ud83d\ude00",
  "\r",
  "\t",
  ".set x, x+1",
  ".equ y, 1/0",
  ".comm c, -4, 3",
  ".bss",
  ".byte 1",
  ".quad sym+1",
  ".short sym",
];

const TOKEN = /[A-Za-z_.$][A-Za-z0-9_.$@]*|0[xX][0-9a-fA-F]+|\d+|"[^"\n]*"|\S/g;

function mutate(text: string, r: Rng): string {
  const steps = 1 + r.int(4);
  for (let s = 0; s < steps; s++) {
    const toks = [...text.matchAll(TOKEN)];
    const tok = toks.length ? r.pick(toks) : undefined;
    const at = tok?.index ?? 0;
    const len = tok?.[0].length ?? 0;
    switch (r.int(10)) {
      case 0: // delete a token
        text = text.slice(0, at) + text.slice(at + len);
        break;
      case 1: // duplicate a token
        text = text.slice(0, at + len) + " " + (tok?.[0] ?? "") + text.slice(at + len);
        break;
      case 2: {
        // swap two tokens
        const b = toks.length ? r.pick(toks) : undefined;
        if (!tok || !b || b.index === tok.index) break;
        const [x, y] = tok.index! < b.index! ? [tok, b] : [b, tok];
        text =
          text.slice(0, x.index!) +
          y[0] +
          text.slice(x.index! + x[0].length, y.index!) +
          x[0] +
          text.slice(y.index! + y[0].length);
        break;
      }
      case 3: // replace a token with something nasty
        text = text.slice(0, at) + r.pick(NASTY) + text.slice(at + len);
        break;
      case 4: {
        // random bytes
        let junk = "";
        for (let i = 1 + r.int(8); i > 0; i--)
          junk += String.fromCharCode(r.int(r.next() < 0.8 ? 128 : 0x3000));
        const p = r.int(text.length + 1);
        text = text.slice(0, p) + junk + text.slice(p);
        break;
      }
      case 5: // truncate
        text = text.slice(0, r.int(text.length + 1));
        break;
      case 6: {
        // swap two lines
        const lines = text.split("\n");
        const i = r.int(lines.length);
        const j = r.int(lines.length);
        [lines[i], lines[j]] = [lines[j]!, lines[i]!];
        text = lines.join("\n");
        break;
      }
      case 7: {
        // duplicate a line (duplicate labels, sections, sizes)
        const lines = text.split("\n");
        const i = r.int(lines.length);
        lines.splice(i, 0, lines[i]!);
        text = lines.join("\n");
        break;
      }
      case 8: // a huge number in place of a token
        text =
          text.slice(0, at) +
          (r.next() < 0.5 ? "-" : "") +
          "1" +
          "0".repeat(1 + r.int(40)) +
          text.slice(at + len);
        break;
      default: {
        // insert a nasty line
        const lines = text.split("\n");
        lines.splice(r.int(lines.length + 1), 0, r.pick(NASTY) + " " + r.pick(NASTY));
        text = lines.join("\n");
      }
    }
  }
  return text;
}

/** A window of lines from a seed, so most cases are small and fast. */
function excerpt(text: string, r: Rng): string {
  const lines = text.split("\n");
  if (r.next() < 0.01) return text;
  const n = 3 + r.int(60);
  const start = r.int(Math.max(1, lines.length - n));
  return lines.slice(start, start + n).join("\n");
}

function randomText(r: Rng): string {
  let s = "";
  for (let i = r.int(300); i > 0; i--) {
    const c = r.next();
    s +=
      c < 0.6
        ? String.fromCharCode(32 + r.int(95))
        : c < 0.8
          ? "\n"
          : c < 0.9
            ? r.pick(NASTY)
            : String.fromCharCode(r.int(0xd800));
  }
  return s;
}

function checkRun(code: number, err: string, what: string, input: () => string): void {
  if (
    (code !== 0 && code !== 1) ||
    /internal error|\n\s+at \S+ \(/.test(err) ||
    (code === 1 && !/error/.test(err))
  ) {
    assert.fail(
      `${what}: exit ${code}\nstderr:\n${err.slice(0, 2000)}\ninput:\n${input().slice(0, 2000)}`,
    );
  }
}

test(`asm: ${ASM_CASES} mutated and random .s inputs end with exit 0/1 and diagnostics`, async (t) => {
  const r = rng(SEED);
  const file = join(dir, "in.s");
  const out = join(dir, "out.o");
  const counts = { ok: 0, rejected: 0 };
  const t0 = Date.now();
  for (let i = 0; i < ASM_CASES; i++) {
    const text = i % 10 === 9 ? randomText(r) : mutate(excerpt(r.pick(corpus.asm), r), r);
    writeFileSync(file, text);
    const io = captureIO();
    const code = await runCli(["asm", file, "-o", out], io);
    checkRun(code, io.err, `asm case ${i}`, () => text);
    if (code === 0) counts.ok++;
    else counts.rejected++;
  }
  const msg = `asm fuzz: ${ASM_CASES} cases (seed ${SEED}), ${counts.rejected} rejected with diagnostics, ${counts.ok} valid, ${Date.now() - t0} ms`;
  t.diagnostic(msg);
  console.log(msg);
  assert.ok(counts.rejected > ASM_CASES / 2, "most mutations should be rejected");
});

test(`disasm: ${ELF_CASES} truncated, bit-flipped and random ELF inputs end with exit 0/1`, async (t) => {
  const r = rng(SEED ^ 0xe1f);
  const seeds = corpus.elf.length
    ? corpus.elf
    : // Without clang: objects made by our own assembler.
      [await assembleSeed()];
  const file = join(dir, "in.o");
  const counts = { ok: 0, rejected: 0 };
  const t0 = Date.now();
  for (let i = 0; i < ELF_CASES; i++) {
    const base = r.pick(seeds);
    let bytes: Uint8Array;
    const kind = r.int(6);
    if (kind === 0) bytes = base.subarray(0, r.int(base.length + 1));
    else if (kind === 5) {
      bytes = new Uint8Array(r.int(512));
      for (let k = 0; k < bytes.length; k++) bytes[k] = r.int(256);
      if (r.next() < 0.5 && bytes.length >= 20) bytes.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0);
    } else {
      bytes = base.slice();
      const flips = 1 + r.int(kind === 1 ? 1 : 16);
      for (let k = 0; k < flips; k++) {
        // Bias towards the ELF header and the section header table, where the structure is.
        const hot = r.next();
        const shoff = Number(new DataView(base.buffer, base.byteOffset).getBigUint64(0x28, true));
        const p =
          hot < 0.3
            ? r.int(64)
            : hot < 0.7 && shoff < bytes.length
              ? shoff + r.int(bytes.length - shoff)
              : r.int(bytes.length);
        if (kind === 2) bytes[p] = r.pick([0, 0xff, 0x7f, 0x80]);
        else if (kind === 3 && p + 8 <= bytes.length)
          new DataView(bytes.buffer).setBigUint64(
            p,
            BigInt.asUintN(64, BigInt(Math.floor(r.next() * 2 ** 53)) << BigInt(r.int(12))),
            true,
          );
        else bytes[p]! ^= 1 << r.int(8);
      }
    }
    writeFileSync(file, bytes);
    const io = captureIO();
    const code = await runCli(["disasm", "-r", file], io);
    checkRun(code, io.err, `disasm case ${i}`, () =>
      Buffer.from(bytes.subarray(0, 256)).toString("hex"),
    );
    if (code === 0) counts.ok++;
    else counts.rejected++;
  }
  const msg = `disasm fuzz: ${ELF_CASES} cases (seed ${SEED ^ 0xe1f}), ${counts.rejected} rejected with diagnostics, ${counts.ok} accepted, ${Date.now() - t0} ms`;
  t.diagnostic(msg);
  console.log(msg);
  assert.ok(counts.rejected > 0);
});

async function assembleSeed(): Promise<Uint8Array> {
  const s = join(dir, "seed.s");
  const o = join(dir, "seed.o");
  writeFileSync(s, BUILTIN_SEED);
  const io = captureIO();
  assert.equal(await runCli(["asm", s, "-o", o], io), 0, io.err);
  return new Uint8Array(readFileSync(o));
}
