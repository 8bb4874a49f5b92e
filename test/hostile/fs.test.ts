// Issue 15/16, the file system: every command that writes goes through src/util/fs.ts.
// Devices, FIFOs and /dev/std* are written through, symlinks are followed (their target
// replaced atomically, the link kept), a non-regular file is never replaced, a failed write
// leaves the previous file intact, and messages name the user's path.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { runCli } from "../../cli/main.js";
import { captureIO, cli, ROOT, tempDir } from "./helpers.js";
import { writeOutputs } from "../../src/util/fs.js";

const dir = tempDir("fs");
const src = join(dir, "echo.bpf.ts");
copyFileSync(join(ROOT, "examples/echo/echo.bpf.ts"), src);
const asmSrc = join(dir, "a.s");
writeFileSync(asmSrc, "r0 = 0\nexit\n");
const isRoot = process.getuid?.() === 0;

async function compileTo(out: string, ...more: string[]) {
  return cli(["compile", src, "-o", out, ...more]);
}
const isElf = (b: Uint8Array) => b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46;

test("-o /dev/null and a symlink to it write through; the device stays a device", async () => {
  const r = await compileTo("/dev/null");
  assert.equal(r.code, 0, r.err);
  assert.ok(lstatSync("/dev/null").isCharacterDevice());
  const link = join(dir, "mynull");
  symlinkSync("/dev/null", link);
  assert.equal((await compileTo(link)).code, 0);
  assert.ok(lstatSync(link).isSymbolicLink(), "the link is not replaced");
  assert.equal(readlinkSync(link), "/dev/null");
  assert.ok(lstatSync("/dev/null").isCharacterDevice());
});

test("-o a FIFO writes into the FIFO", async (t) => {
  const fifo = join(dir, "fifo");
  const mk = spawnSync("mkfifo", [fifo]);
  if (mk.status !== 0) return t.skip("mkfifo is unavailable: " + String(mk.stderr));
  const reader = spawn("cat", [fifo]);
  const chunks: Buffer[] = [];
  reader.stdout.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise((res) => reader.on("close", res));
  // The open blocks until cat has the FIFO open: run the compile in a child for that reason.
  const child = spawnSync(
    process.execPath,
    ["--import", "tsx", join(ROOT, "cli/ioubpf.ts"), "compile", src, "-o", fifo],
    { cwd: ROOT, encoding: "utf8" },
  );
  await done;
  assert.equal(child.status, 0, child.stderr);
  assert.ok(lstatSync(fifo).isFIFO(), "still a FIFO");
  assert.ok(isElf(Buffer.concat(chunks)), "the reader got the object");
});

test("a symlink to a regular file: the target is replaced atomically, the link kept", async () => {
  const target = join(dir, "real.o");
  const link = join(dir, "link.o");
  writeFileSync(target, "old");
  symlinkSync("real.o", link);
  assert.equal((await compileTo(link)).code, 0);
  assert.ok(lstatSync(link).isSymbolicLink());
  assert.ok(isElf(readFileSync(target)));
  // A chain of links and a dangling link (its target is created).
  const chain = join(dir, "chain.o");
  symlinkSync("link.o", chain);
  assert.equal((await compileTo(chain)).code, 0);
  assert.ok(lstatSync(chain).isSymbolicLink());
  const dangling = join(dir, "dangling.o");
  symlinkSync("made-by-compile.o", dangling);
  assert.equal((await compileTo(dangling)).code, 0);
  assert.ok(lstatSync(dangling).isSymbolicLink());
  assert.ok(isElf(readFileSync(join(dir, "made-by-compile.o"))));
});

test("a directory as output is refused and left alone; the message names the user's path", async () => {
  const d = join(dir, "outdir");
  mkdirSync(d);
  const r = await compileTo(d);
  assert.equal(r.code, 1);
  assert.match(
    r.err,
    new RegExp(`E9003: cannot write ${d.replace(/\./g, "\\.")}: it is a directory`),
  );
  assert.ok(lstatSync(d).isDirectory());
});

test("a failed write leaves the previous file intact and never shows a temporary name", async () => {
  if (isRoot) {
    // Root ignores directory permissions; use a path below a regular file instead.
    const out = join(dir, "echo.bpf.ts.not-a-dir", "x.o");
    writeFileSync(join(dir, "echo.bpf.ts.not-a-dir"), "x");
    const r = await compileTo(out);
    assert.equal(r.code, 1);
    assert.match(r.err, /E9003: cannot write .*x\.o: a path component is not a directory/);
    assert.doesNotMatch(r.err, /\.tmp/);
    return;
  }
  const ro = join(dir, "ro");
  mkdirSync(ro);
  const out = join(ro, "x.o");
  writeFileSync(out, "previous");
  chmodSync(ro, 0o555);
  const r = await compileTo(out);
  chmodSync(ro, 0o755);
  assert.equal(r.code, 1);
  assert.match(r.err, /E9003: cannot write .*x\.o: permission denied/);
  assert.doesNotMatch(r.err, /\.tmp/);
  assert.equal(readFileSync(out, "utf8"), "previous");
});

test("object + depfile are one unit: a depfile failure leaves the old object, names the depfile", async () => {
  const out = join(dir, "unit.o");
  writeFileSync(out, "previous object");
  mkdirSync(join(dir, "unit.d")); // the depfile path is a directory: its write fails
  const r = await compileTo(out, "-MD");
  assert.equal(r.code, 1);
  assert.match(r.err, /E9003: cannot write .*unit\.d: it is a directory/);
  assert.equal(readFileSync(out, "utf8"), "previous object");
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.endsWith(".tmp")),
    [],
    "no temporary file left behind",
  );
  // And both are written when both can be.
  const ok = join(dir, "unit2.o");
  assert.equal((await compileTo(ok, "-MD")).code, 0);
  assert.ok(isElf(readFileSync(ok)));
  assert.match(readFileSync(join(dir, "unit2.d"), "utf8"), /unit2\.o: .*echo\.bpf\.ts/);
});

test("-o naming an input and -o x.d -MD are refused (exit 2) and nothing is touched", async () => {
  const before = readFileSync(src, "utf8");
  const r = await compileTo(src);
  assert.equal(r.code, 2);
  assert.match(r.err, /E9004: -o .* names the input/);
  assert.equal(readFileSync(src, "utf8"), before);
  // Through a symlink too.
  const alias = join(dir, "alias.bpf.ts");
  symlinkSync(src, alias);
  assert.equal((await compileTo(alias)).code, 2);
  assert.equal(readFileSync(src, "utf8"), before);
  const d = join(dir, "x.d");
  const r2 = await compileTo(d, "-MD");
  assert.equal(r2.code, 2);
  assert.match(r2.err, /depfile would be the output itself/);
  assert.ok(!existsSync(d));
  const r3 = await cli(["asm", asmSrc, "-o", asmSrc]);
  assert.equal(r3.code, 2);
  assert.equal(readFileSync(asmSrc, "utf8"), "r0 = 0\nexit\n");
});

test("-o - writes the object to stdout; refused on a terminal; -o - --json is a usage error", async () => {
  const io = captureIO();
  const chunks: Uint8Array[] = [];
  io.stdoutBytes = (b) => void chunks.push(b);
  assert.equal(await runCli(["compile", src, "-o", "-"], io), 0, io.err);
  assert.ok(isElf(Buffer.concat(chunks)));
  assert.ok(!existsSync(join(ROOT, "-")) && !existsSync("-"));
  const tty = captureIO();
  tty.stdoutIsTTY = true;
  tty.stdoutBytes = () => assert.fail("wrote binary to a terminal");
  assert.equal(await runCli(["compile", src, "-o", "-"], tty), 1);
  assert.match(tty.err, /E9007: refusing to write a binary object to a terminal/);
  const j = await cli(["compile", src, "-o", "-", "--json"]);
  assert.equal(j.code, 2);
  assert.equal(JSON.parse(j.out).diagnostics[0].code, "E9004");
});

test("asm -o - and disasm -o - write to stdout, not a file named '-'", async () => {
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const io = captureIO();
    const chunks: Uint8Array[] = [];
    io.stdoutBytes = (b) => void chunks.push(b);
    assert.equal(await runCli(["asm", "a.s", "-o", "-"], io), 0, io.err);
    const obj = Buffer.concat(chunks);
    assert.ok(isElf(obj));
    writeFileSync("a.o", obj);
    const d = await cli(["disasm", "a.o", "-o", "-"]);
    assert.equal(d.code, 0, d.err);
    assert.match(d.out, /file format elf64-bpf/);
    assert.ok(!existsSync(join(dir, "-")), "no file named '-'");
  } finally {
    process.chdir(cwd);
  }
});

test("parallel compiles to one output each leave a complete object", async () => {
  const out = join(dir, "par.o");
  const runs = Array.from(
    { length: 4 },
    () =>
      new Promise<number>((res) => {
        const c = spawn(
          process.execPath,
          ["--import", "tsx", join(ROOT, "cli/ioubpf.ts"), "compile", src, "-o", out],
          { cwd: ROOT, stdio: "ignore" },
        );
        c.on("close", (code) => res(code ?? -1));
      }),
  );
  const codes = await Promise.all(runs);
  assert.deepEqual(codes, [0, 0, 0, 0]);
  const one = await cli(["compile", src, "-o", join(dir, "single.o")]);
  assert.equal(one.code, 0);
  assert.deepEqual(readFileSync(out), readFileSync(join(dir, "single.o")));
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.endsWith(".tmp")),
    [],
  );
});

test("writeOutputs keeps a replaced file's mode", () => {
  const p = join(dir, "mode.txt");
  writeFileSync(p, "a");
  chmodSync(p, 0o640);
  writeOutputs([{ path: p, data: "b" }]);
  assert.equal(lstatSync(p).mode & 0o777, 0o640);
  assert.equal(readFileSync(p, "utf8"), "b");
});

test("-o /dev/stdout (a pipe) writes through to the pipe", () => {
  const child = spawnSync(
    process.execPath,
    ["--import", "tsx", join(ROOT, "cli/ioubpf.ts"), "compile", src, "-o", "/dev/stdout"],
    { cwd: ROOT },
  );
  assert.equal(child.status, 0, String(child.stderr));
  assert.ok(isElf(child.stdout), "the object arrived on stdout");
  assert.ok(lstatSync("/dev/stdout").isSymbolicLink());
});
