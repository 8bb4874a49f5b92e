// CO-RE notes for records clang never writes (bad access strings, unknown kinds and type
// ids, modifiers, void): an object built with our ELF writer and BTF encoder, dumped by
// llvm-objdump-19 -d -r and by us.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../../cli/main.js";
import {
  type BtfEnum,
  type BtfInt,
  type BtfStruct,
  BtfStrings,
  type BtfType,
  marshalBtf,
} from "../../src/elf/btf.js";
import { writeElf } from "../../src/elf/writer.js";
import { type ObjFile, SHF, SHT, STB, STT } from "../../src/elf/types.js";
import { encodeProgram } from "../../src/isa/encode.js";
import { haveTool, LLVM_OBJDUMP, llvmObjdump, tempDir } from "../isa/tools.js";
import { captureIO } from "./helpers.js";

const int: BtfInt = { kind: "int", name: "int", size: 4, encoding: 1, bits: 32 };
const arr: BtfType = { kind: "array", type: int, index: int, nelems: 3 };
const foo: BtfStruct = {
  kind: "struct",
  name: "foo",
  size: 16,
  members: [
    { name: "a", type: int, bitOffset: 0 },
    { name: "b", type: arr, bitOffset: 32 },
  ],
};
const anon: BtfStruct = {
  kind: "struct",
  name: "",
  size: 4,
  members: [{ name: "", type: int, bitOffset: 0 }],
};
const cfoo: BtfType = { kind: "const", type: { kind: "volatile", type: foo } };
const en: BtfEnum = {
  kind: "enum",
  name: "e",
  size: 4,
  signed: false,
  values: [{ name: "A", value: 1 }],
};

test(
  "CO-RE notes for odd records equal llvm-objdump-19's",
  { skip: !haveTool(LLVM_OBJDUMP) && `${LLVM_OBJDUMP} not installed` },
  async () => {
    const strings = new BtfStrings();
    const sec = strings.add(".text");
    const m = marshalBtf([int, foo, anon, cfoo, en], strings);
    const id = (t: BtfType) => m.ids.get(t)!;
    // [kind, type id, access string]
    const records: [number, number, string][] = [
      [0, id(foo), "0:1:2"],
      [1, id(foo), "2:0"],
      [0, id(foo), "0:5"],
      [0, id(foo), ""],
      [0, id(foo), "0:x"],
      [0, id(foo), "0;1"],
      [0, id(foo), "0\n1"], // a newline delimiter (found by the fuzz test)
      [8, id(foo), "1"],
      [8, 999, "0"],
      [11, id(en), "5"],
      [11, id(foo), "0"],
      [99, id(foo), "0"],
      [0, id(cfoo), "0:0"],
      [0, id(foo), "0:0:1"],
      [9, 0, "0"],
      [2, id(anon), "0:0"],
      [10, id(en), "0"],
    ];
    const relo: number[] = [16];
    relo.push(sec, records.length + 1);
    records.forEach(([kind, typeId, access], i) =>
      relo.push(i * 8, typeId, strings.add(access), kind),
    );
    relo.push(0, id(foo), strings.add("0:1"), 0); // a second record at offset 0: llvm shows the first
    // Strings added after marshalling still land in the string table it returns.
    const btf = marshalBtf([int, foo, anon, cfoo, en], strings).bytes;
    const ext = new Uint8Array(32 + relo.length * 4);
    const v = new DataView(ext.buffer);
    v.setUint16(0, 0xeb9f, true);
    v.setUint8(2, 1);
    v.setUint32(4, 32, true);
    v.setUint32(24, 0, true);
    v.setUint32(28, relo.length * 4, true);
    relo.forEach((x, i) => v.setUint32(32 + i * 4, x, true));

    const code = encodeProgram(
      records.map(() => ({ opcode: 0xb7, dst: 0, src: 0, off: 0, imm: 0 })),
    );
    const obj: ObjFile = {
      sections: [
        {
          name: ".text",
          type: SHT.PROGBITS,
          flags: SHF.ALLOC | SHF.EXECINSTR,
          data: code,
          addralign: 8,
        },
        { name: ".BTF", type: SHT.PROGBITS, flags: 0, data: btf, addralign: 4 },
        { name: ".BTF.ext", type: SHT.PROGBITS, flags: 0, data: ext, addralign: 4 },
      ],
      symbols: [
        {
          name: "f",
          section: ".text",
          value: 0,
          size: code.length,
          type: STT.FUNC,
          bind: STB.GLOBAL,
        },
      ],
      relocations: new Map(),
    };
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, "core.o");
      writeFileSync(path, writeElf(obj));
      const theirs = llvmObjdump(path, ["-d", "-r"]);
      if (process.env.SHOW) console.log(theirs);
      assert.match(theirs, /CO-RE <byte_off> \[\d+\] struct foo::b\[2\] \(0:1:2\)/);
      const io = captureIO();
      assert.equal(await runCli(["disasm", "-r", path], io), 0, io.err);
      assert.equal(io.out, theirs);
      // Without -r there are no notes, as in objdump.
      const io2 = captureIO();
      await runCli(["disasm", path], io2);
      assert.equal(io2.out, llvmObjdump(path, ["-d"]));
      assert.doesNotMatch(io2.out, /CO-RE/);
    } finally {
      cleanup();
    }
  },
);
