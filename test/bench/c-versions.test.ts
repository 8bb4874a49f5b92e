// The C versions of the examples that bench/compile.ts compares against (bench/c/*.bpf.c) must
// keep compiling with clang-19, each into the program section our compiler gives its example,
// and behave as the example does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readElf, SHF, SHT } from "../../src/elf/index.js";
import { compile } from "../../src/codegen/index.js";
import { kernelOracleAvailable } from "../../src/kernel/index.js";
import { sameBehaviour } from "../../bench/_same.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const cDir = join(root, "bench", "c");
const arch = spawnSync("uname", ["-m"], { encoding: "utf8" }).stdout?.trim() || "x86_64";
const haveClang = spawnSync("clang-19", ["--version"]).status === 0;
const skip = haveClang ? false : "clang-19 is not installed";

/** Program section per C version: sleepable (`iouring.s/`) exactly where the example submits SQEs. */
const EXPECTED: Record<string, string> = {
  copy: "iouring.s/copy",
  echo: "iouring.s/echo",
  "nop-pump": "iouring.s/nop_pump",
  orc: "iouring.s/orc",
  ping: "iouring/ping",
  pong: "iouring/pong",
  ticker: "iouring.s/ticker",
};

const cFiles = readdirSync(cDir)
  .filter((f) => f.endsWith(".bpf.c"))
  .sort();

test("every example has a C version and every C version an expected section", () => {
  const examples = readdirSync(join(root, "examples"), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      readdirSync(join(root, "examples", d.name)).filter((f) => f.endsWith(".bpf.ts")),
    )
    .map((f) => basename(f, ".bpf.ts"))
    .sort();
  assert.deepEqual(
    cFiles.map((f) => basename(f, ".bpf.c")),
    examples,
  );
  for (const f of cFiles)
    assert.ok(EXPECTED[basename(f, ".bpf.c")], `${f} has no expected section`);
});

for (const f of cFiles) {
  test(`bench/c/${f} compiles with clang-19 into its program section`, { skip }, () => {
    const dir = mkdtempSync(join(tmpdir(), "ioubpf-cver-"));
    try {
      const obj = join(dir, "out.o");
      const r = spawnSync(
        "clang-19",
        [
          "-O2",
          "-g",
          "-target",
          "bpf",
          "-mcpu=v3",
          `-I/usr/include/${arch}-linux-gnu`,
          "-Wall",
          "-Werror",
          "-c",
          join(cDir, f),
          "-o",
          obj,
        ],
        { encoding: "utf8" },
      );
      assert.equal(r.status, 0, r.stderr);
      const { object, diagnostics } = readElf(new Uint8Array(readFileSync(obj)), obj);
      assert.ok(object, JSON.stringify(diagnostics));
      const code = object.sections.filter(
        (s) => s.type === SHT.PROGBITS && s.flags & SHF.EXECINSTR && s.data.length > 0,
      );
      assert.deepEqual(
        code.map((s) => s.name),
        [EXPECTED[basename(f, ".bpf.c")]],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

// The C versions are honest equivalents: our object and clang's, run on the kernel oracle
// (lenient mode) with the same scripted completions and loader-set constants, queue the same
// SQEs, emit the same CQEs, reap the same CQEs and leave the same context and r0
// (bench/_same.ts; bench/compile.ts prints the same check).
const oracle = kernelOracleAvailable();
const kskip = skip || (oracle.ok ? false : `kernel oracle unavailable: ${oracle.reason}`);
for (const f of cFiles) {
  const base = basename(f, ".bpf.c");
  test(
    `bench/c/${f} behaves as examples' ${base}.bpf.ts on the kernel oracle`,
    { skip: kskip, timeout: 120_000 },
    async () => {
      const src = readdirSync(join(root, "examples"), { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => join(root, "examples", d.name, "v2", `${base}.bpf.ts`))
        .find((p) => existsSync(p));
      assert.ok(src, `no example ${base}.bpf.ts`);
      const ours = compile(
        { path: src, text: readFileSync(src, "utf8") },
        { target: "iouring-v2", mcpu: "v3", opt: 2 },
      );
      assert.ok(ours.object, JSON.stringify(ours.diagnostics));
      const dir = mkdtempSync(join(tmpdir(), "ioubpf-csame-"));
      try {
        const obj = join(dir, "out.o");
        const r = spawnSync(
          "clang-19",
          [
            "-O2",
            "-g",
            "-target",
            "bpf",
            "-mcpu=v3",
            `-I/usr/include/${arch}-linux-gnu`,
            "-c",
            join(cDir, f),
            "-o",
            obj,
          ],
          { encoding: "utf8" },
        );
        assert.equal(r.status, 0, r.stderr);
        const clang = readElf(new Uint8Array(readFileSync(obj)), obj).object;
        assert.ok(clang);
        const verdict = await sameBehaviour(ours.object, clang);
        assert.match(verdict, /^same \(/, verdict);
        // Not vacuous: the scripts make the SQE-queuing examples queue SQEs.
        if (!EXPECTED[base]!.startsWith("iouring/")) assert.doesNotMatch(verdict, / 0 SQEs/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
}
