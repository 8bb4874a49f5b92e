// Damaged objects never crash `ioubpf disasm`: random byte flips and truncations of a clang
// object with relocations, CO-RE records and line info give exit 0 or 1, never 3.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { arch } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { runCli } from "../../cli/main.js";
import { disassemble } from "../../src/disasm/objdump.js";
import { readElf } from "../../src/elf/reader.js";
import { haveTool, tempDir } from "../isa/tools.js";
import { captureIO } from "./helpers.js";

const CLANG = "clang-19";
const MULTIARCH = `/usr/include/${arch() === "arm64" ? "aarch64" : "x86_64"}-linux-gnu`;

test(
  "mutated objects: disasm -r -S exits 0 or 1",
  { skip: !haveTool(CLANG) && `${CLANG} not installed` },
  async () => {
    const { dir, cleanup } = tempDir();
    try {
      const obj = join(dir, "core.o");
      const src = join(import.meta.dirname, "fixtures", "core_kinds.c");
      const cc = spawnSync(
        CLANG,
        ["-O2", "-g", "-target", "bpf", `-I${MULTIARCH}`, "-c", src, "-o", obj],
        { encoding: "utf8" },
      );
      assert.equal(cc.status, 0, cc.stderr);
      const original = new Uint8Array(readFileSync(obj));

      // Damaged .BTF / .BTF.ext contents behind a valid ELF: the CO-RE and -S readers must cope.
      const read = readElf(original, obj);
      assert.ok(read.object, JSON.stringify(read.diagnostics));
      const base = read.object;
      fc.assert(
        fc.property(
          fc.constantFrom(".BTF", ".BTF.ext"),
          fc.array(fc.tuple(fc.nat(4000), fc.integer({ min: 0, max: 255 })), {
            minLength: 1,
            maxLength: 6,
          }),
          (name, flips) => {
            const sections = base.sections.map((sec) => {
              if (sec.name !== name) return sec;
              const data = sec.data.slice();
              for (const [at, v] of flips) if (data.length) data[at % data.length] = v;
              return { ...sec, data };
            });
            const text = disassemble(
              { ...base, sections },
              { relocs: true, source: true, hexImm: true, fileName: "x.o" },
            );
            assert.ok(text.startsWith("\nx.o:"));
          },
        ),
        { numRuns: 500 },
      );
      const path = join(dir, "m.o");
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(fc.nat(original.length - 1), fc.integer({ min: 0, max: 255 })), {
            minLength: 1,
            maxLength: 8,
          }),
          fc.option(fc.nat(original.length), { nil: undefined }),
          async (flips, cut) => {
            const bytes = original.slice(0, cut ?? original.length);
            for (const [at, v] of flips) if (at < bytes.length) bytes[at] = v;
            writeFileSync(path, bytes);
            const io = captureIO();
            const code = await runCli(["disasm", "-r", "-S", path], io);
            assert.ok(code === 0 || code === 1, `exit ${code}: ${io.err.slice(0, 500)}`);
          },
        ),
        { numRuns: 300 },
      );
    } finally {
      cleanup();
    }
  },
);
