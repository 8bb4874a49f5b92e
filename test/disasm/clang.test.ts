// clang-19 objects (test/fixtures/c, with subprograms, maps, globals, static functions,
// relocations): `ioubpf disasm` output must equal llvm-objdump-19's in every mode.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { arch } from "node:os";
import { basename, join } from "node:path";
import { runCli } from "../../cli/main.js";
import { haveTool, LLVM_OBJDUMP, llvmObjdump, tempDir } from "../isa/tools.js";
import { captureIO } from "./helpers.js";

const CLANG = "clang-19";
// The shared C fixtures, plus ours (every CO-RE relocation kind, printed with -r).
const FIXTURE_DIRS = [
  join(import.meta.dirname, "..", "fixtures", "c"),
  join(import.meta.dirname, "fixtures"),
];
const MULTIARCH = `/usr/include/${arch() === "arm64" ? "aarch64" : "x86_64"}-linux-gnu`;

const OBJCOPY = "llvm-objcopy-19";
const tools = haveTool(CLANG) && haveTool(LLVM_OBJDUMP) && haveTool(OBJCOPY);

const MODES: { objdump: string[]; ours: string[] }[] = [
  { objdump: ["-d"], ours: [] },
  { objdump: ["-d", "-r"], ours: ["-r"] },
  { objdump: ["-d", "--no-print-imm-hex"], ours: ["--no-print-imm-hex"] },
  {
    objdump: ["-d", "-r", "--no-print-imm-hex", "--mattr=+alu32"],
    ours: ["-r", "--no-print-imm-hex", "--mattr=+alu32"],
  },
];

test(
  "clang-19 fixtures: ioubpf disasm = llvm-objdump-19 (-d, -r, --no-print-imm-hex, +alu32)",
  { skip: !tools && `${CLANG}, ${LLVM_OBJDUMP} or ${OBJCOPY} not installed` },
  async (t) => {
    const { dir, cleanup } = tempDir();
    try {
      let objects = 0;
      let lines = 0;
      const sources = FIXTURE_DIRS.flatMap((d) =>
        readdirSync(d)
          .filter((f) => f.endsWith(".c"))
          .sort()
          .map((f) => join(d, f)),
      );
      for (const src of sources) {
        const name = basename(src);
        const mcpu = /mcpu:\s*(v\d)/.exec(readFileSync(src, "utf8"))?.[1] ?? "v3";
        // Each fixture at its own cpu and at v1 (no alu32, no jmp32) where it compiles.
        for (const cpu of new Set([mcpu, "v1"])) {
          const obj = join(dir, `${name}.${cpu}.o`);
          const cc = spawnSync(
            CLANG,
            ["-O2", "-g", "-target", "bpf", `-mcpu=${cpu}`, `-I${MULTIARCH}`, "-c", src, "-o", obj],
            { encoding: "utf8" },
          );
          if (cc.status !== 0) {
            assert.notEqual(
              cpu,
              mcpu,
              `${name} does not compile at its own -mcpu=${cpu}:\n${cc.stderr}`,
            );
            continue;
          }
          objects++;
          for (const mode of MODES) {
            const theirs = llvmObjdump(obj, mode.objdump);
            const io = captureIO();
            const code = await runCli(["disasm", obj, ...mode.ours], io);
            assert.equal(code, 0, io.err);
            assert.equal(io.out, theirs, `${name} -mcpu=${cpu} ${mode.objdump.join(" ")}`);
            lines += theirs.split("\n").length;
          }
        }
      }
      assert.ok(objects >= 10, `only ${objects} objects compiled`);
      // -S: llvm-objdump takes source lines from .BTF.ext when there is no DWARF, as we do.
      let sourced = 0;
      for (const src of sources) {
        const obj = join(dir, `${basename(src)}.S.o`);
        const cc = spawnSync(CLANG, [
          "-O2",
          "-g",
          "-target",
          "bpf",
          "-mcpu=v3",
          `-I${MULTIARCH}`,
          "-c",
          src,
          "-o",
          obj,
        ]);
        if (cc.status !== 0) continue;
        const strip = spawnSync(OBJCOPY, ["--strip-debug", obj]);
        assert.equal(strip.status, 0, String(strip.stderr));
        const theirs = llvmObjdump(obj, ["-d", "-S", "-r"]);
        const io = captureIO();
        assert.equal(await runCli(["disasm", "-S", "-r", obj], io), 0, io.err);
        assert.equal(io.out, theirs, `${basename(src)} -S`);
        if (theirs.includes("\n; ")) sourced++;
      }
      assert.ok(sourced >= 10, `only ${sourced} objects had source lines`);
      t.diagnostic(
        `${objects} clang objects × ${MODES.length} modes, ${lines} listing lines identical; ` +
          `-S -r identical on ${sourced} debug-stripped objects`,
      );
    } finally {
      cleanup();
    }
  },
);
