// `ioubpf disasm` as a command: exit codes, diagnostics for bad input, options.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../../cli/main.js";
import { writeElf } from "../../src/elf/writer.js";
import { encodeProgram } from "../../src/isa/encode.js";
import { parseInstruction } from "../../src/isa/text.js";
import { type ObjFile, R_BPF, SHF, SHT, STB, STT } from "../../src/elf/types.js";
import { tempDir } from "../isa/tools.js";
import { captureIO } from "./helpers.js";

function program(lines: string[]): Uint8Array {
  return encodeProgram(
    lines.map((l) => {
      const p = parseInstruction(l);
      if ("error" in p) throw new Error(`${l}: ${p.error}`);
      return p.insn;
    }),
  );
}

/** A small object built with our own writer: two functions, a label, a map relocation. */
function sample(): ObjFile {
  const text = program([
    "r1 = 0x0 ll",
    "call 0x1",
    "if r0 == 0x0 goto +0x1",
    "r0 = 0x1",
    "exit",
    "w0 = 0x2",
    "exit",
  ]);
  return {
    sections: [
      {
        name: ".text",
        type: SHT.PROGBITS,
        flags: SHF.ALLOC | SHF.EXECINSTR,
        data: text,
        addralign: 8,
      },
      {
        name: ".maps",
        type: SHT.PROGBITS,
        flags: SHF.ALLOC | SHF.WRITE,
        data: new Uint8Array(8),
        addralign: 8,
      },
    ],
    symbols: [
      { name: "prog", section: ".text", value: 0, size: 48, type: STT.FUNC, bind: STB.GLOBAL },
      { name: "LBB0_2", section: ".text", value: 40, size: 0, type: STT.NOTYPE, bind: STB.LOCAL },
      { name: "other", section: ".text", value: 48, size: 16, type: STT.FUNC, bind: STB.GLOBAL },
      { name: "m", section: ".maps", value: 0, size: 8, type: STT.OBJECT, bind: STB.GLOBAL },
    ],
    relocations: new Map([[".text", [{ offset: 0, symbol: "m", type: R_BPF.R_BPF_64_64 }]]]),
  };
}

test("disasm prints an object written by our ELF writer", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, "s.o");
    writeFileSync(path, writeElf(sample()));
    const io = captureIO();
    assert.equal(await runCli(["disasm", path, "-r"], io), 0, io.err);
    const expected = [
      "",
      `${path}:\tfile format elf64-bpf`,
      "",
      "Disassembly of section .text:",
      "",
      "0000000000000000 <prog>:",
      "       0:\t18 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00\tr1 = 0x0 ll",
      "\t\t0000000000000000:  R_BPF_64_64\tm",
      "       2:\t85 00 00 00 01 00 00 00\tcall 0x1",
      "       3:\t15 00 01 00 00 00 00 00\tif r0 == 0x0 goto +0x1 <LBB0_2>",
      "       4:\tb7 00 00 00 01 00 00 00\tr0 = 0x1",
      "",
      "0000000000000028 <LBB0_2>:",
      "       5:\t95 00 00 00 00 00 00 00\texit",
      "",
      "0000000000000030 <other>:",
      "       6:\tb4 00 00 00 02 00 00 00\tw0 = 0x2",
      "       7:\t95 00 00 00 00 00 00 00\texit",
      "",
    ].join("\n");
    assert.equal(io.out, expected);
    // -o writes the same text to a file; --no-print-imm-hex switches to decimal.
    const out = join(dir, "s.txt");
    const io2 = captureIO();
    assert.equal(await runCli(["disasm", path, "--no-print-imm-hex", "-o", out], io2), 0, io2.err);
    assert.equal(io2.out, "");
    assert.match(readFileSync(out, "utf8"), /w0 = 2\n/);
  } finally {
    cleanup();
  }
});

test("disasm: malformed ELF and missing files exit 1 with diagnostics; bad --mattr is a usage error", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const bad = join(dir, "bad.o");
    writeFileSync(bad, "not an elf file at all");
    const io = captureIO();
    assert.equal(await runCli(["disasm", bad], io), 1);
    assert.match(io.err, /error E5\d{3}/);
    assert.equal(io.out, "");

    const truncated = join(dir, "trunc.o");
    writeFileSync(truncated, writeElf(sample()).subarray(0, 100));
    const io2 = captureIO();
    assert.equal(await runCli(["disasm", truncated, "--json"], io2), 1);
    const json = JSON.parse(io2.out) as { ok: boolean; diagnostics: { code: string }[] };
    assert.equal(json.ok, false);
    assert.ok(json.diagnostics.every((d) => /^E5\d{3}$/.test(d.code)));

    const io3 = captureIO();
    assert.equal(await runCli(["disasm", join(dir, "missing.o")], io3), 1);
    assert.match(io3.err, /E9001/);

    const io4 = captureIO();
    assert.equal(await runCli(["disasm", bad, "--mattr=+v4"], io4), 2);
    assert.match(io4.err, /unknown --mattr feature/);

    const io5 = captureIO();
    assert.equal(await runCli(["disasm"], io5), 2);
  } finally {
    cleanup();
  }
});

test("disasm: undecodable bytes print as <unknown>, truncated tails byte by byte", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const data = new Uint8Array([
      0xff, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0, 0x18, 1, 0, 0, 5, 0, 0, 0, 0x95, 0,
    ]);
    const obj: ObjFile = {
      sections: [
        { name: "xdp", type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.EXECINSTR, data, addralign: 8 },
      ],
      symbols: [],
      relocations: new Map(),
    };
    const path = join(dir, "u.o");
    writeFileSync(path, writeElf(obj));
    const io = captureIO();
    assert.equal(await runCli(["disasm", path], io), 0, io.err);
    const body = io.out.split("\n").slice(5).join("\n");
    assert.equal(
      body,
      [
        "0000000000000000 <xdp>:",
        "       0:\tff 00 00 00 00 00 00 00\t<unknown>",
        "       1:\t95 00 00 00 00 00 00 00\texit",
        // A truncated ld_imm64 costs one byte; decoding resumes at the next byte (as llvm-objdump-19).
        "       2:\t18\t<unknown>",
        "       2:\t01 00 00 05 00 00 00 95\t<unknown>",
        "       3:\t00\t<unknown>",
        "",
      ].join("\n"),
    );
  } finally {
    cleanup();
  }
});
