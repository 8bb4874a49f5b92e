// Shared by the ELF tests: external tool runners and a sample object built by hand.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BtfExtSection, BtfFunc, BtfType, ObjFile } from "../../src/elf/index.js";
import {
  BTF_FUNC_LINKAGE,
  BTF_VAR_LINKAGE,
  btfDatasec,
  btfFunc,
  btfIntType,
  btfMapDef,
  encodeBtfWithExt,
  R_BPF,
  SHF,
  SHT,
  STB,
  STT,
  VOID,
} from "../../src/elf/index.js";

const toolCache = new Map<string, boolean>();
export function haveTool(cmd: string): boolean {
  if (!toolCache.has(cmd)) {
    const r = spawnSync(cmd, ["--version"], { encoding: "utf8" });
    toolCache.set(cmd, r.error === undefined);
  }
  return toolCache.get(cmd)!;
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}
export function run(cmd: string, args: string[], cwd?: string): RunResult {
  const r = spawnSync(cmd, args, { encoding: "utf8", cwd, maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

/** Runs `fn` with a fresh temporary directory, removed afterwards. */
export function withTmp<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "ioubpf-elf-"));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function writeTmp(dir: string, name: string, data: Uint8Array | string): string {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
}

/** stdout+stderr lines that mention a warning or error. */
export function complaints(r: RunResult): string[] {
  return (r.stdout + "\n" + r.stderr).split("\n").filter((l) => /warning|error/i.test(l));
}

/** Hex bytes of 8-byte BPF instructions, written by hand. */
export function insns(...hex: string[]): Uint8Array {
  const bytes = hex
    .join(" ")
    .trim()
    .split(/\s+/)
    .map((h) => parseInt(h, 16));
  if (bytes.length % 8 !== 0) throw new Error("instruction bytes must be a multiple of 8");
  return Uint8Array.from(bytes);
}

export const SAMPLE_PROG = insns(
  "18 01 00 00 00 00 00 00  00 00 00 00 00 00 00 00", // 0: r1 = counts ll
  "18 02 00 00 00 00 00 00  00 00 00 00 00 00 00 00", // 2: r2 = total ll
  "18 03 00 00 00 00 00 00  00 00 00 00 00 00 00 00", // 4: r3 = limit ll
  "b7 01 00 00 02 00 00 00", // 6: r1 = 2
  "85 10 00 00 ff ff ff ff", // 7: call gsub (imm -1, R_BPF_64_32 gsub)
  "85 10 00 00 02 00 00 00", // 8: call ssub (.text + (2 + 1) * 8)
  "b7 00 00 00 02 00 00 00", // 9: r0 = 2
  "95 00 00 00 00 00 00 00", // 10: exit
);
export const SAMPLE_TEXT = insns(
  "bf 10 00 00 00 00 00 00", // gsub: r0 = r1
  "07 00 00 00 01 00 00 00", //       r0 += 1
  "95 00 00 00 00 00 00 00", //       exit
  "18 02 00 00 00 00 00 00  00 00 00 00 00 00 00 00", // ssub: r2 = zeroed ll
  "61 20 00 00 00 00 00 00", //       r0 = *(u32 *)(r2 + 0)
  "95 00 00 00 00 00 00 00", //       exit
);

export interface Sample {
  obj: ObjFile;
  types: BtfType[];
  funcs: { prog: BtfFunc; gsub: BtfFunc; ssub: BtfFunc };
  ext: BtfExtSection[];
}

/** A complete object: program, subprograms, a map, .data/.rodata/.bss, license, BTF and BTF.ext. */
export function buildSample(): Sample {
  const int = btfIntType();
  const u32: BtfType = {
    kind: "typedef",
    name: "__u32",
    type: btfIntType("unsigned int", 4, false),
  };
  const u64: BtfType = {
    kind: "typedef",
    name: "__u64",
    type: btfIntType("unsigned long long", 8, false),
  };
  const map = btfMapDef({
    name: "counts",
    type: 2 /* BPF_MAP_TYPE_ARRAY */,
    maxEntries: 4,
    key: u32,
    value: u64,
    int,
  });
  const total = { kind: "var", name: "total", type: u64, linkage: BTF_VAR_LINKAGE.global } as const;
  const limit = {
    kind: "var",
    name: "limit",
    type: { kind: "const", type: { kind: "volatile", type: u32 } },
    linkage: BTF_VAR_LINKAGE.global,
  } as const;
  const zeroed = {
    kind: "var",
    name: "zeroed",
    type: u32,
    linkage: BTF_VAR_LINKAGE.global,
  } as const;
  const char: BtfType = { kind: "int", name: "char", size: 1, encoding: 1, bits: 8 };
  const license = {
    kind: "var",
    name: "LICENSE",
    type: { kind: "array", type: char, index: arrayIndex(map), nelems: 4 },
    linkage: BTF_VAR_LINKAGE.global,
  } as const;
  const prog = btfFunc("prog", int, [{ name: "ctx", type: { kind: "ptr", target: VOID } }]);
  const gsub = btfFunc("gsub", int, [{ name: "x", type: int }]);
  const ssub = btfFunc("ssub", int, [{ name: "x", type: int }], BTF_FUNC_LINKAGE.static);
  const types: BtfType[] = [
    prog,
    gsub,
    ssub,
    btfDatasec(".maps", [{ var: map.var, offset: 0, size: map.size }]),
    btfDatasec(".data", [{ var: total, offset: 0, size: 8 }]),
    btfDatasec(".rodata", [{ var: limit, offset: 0, size: 4 }]),
    btfDatasec(".bss", [{ var: zeroed, offset: 0, size: 4 }]),
    btfDatasec("license", [{ var: license, offset: 0, size: 4 }]),
  ];
  const file = "sample.bpf.ts";
  const ext: BtfExtSection[] = [
    {
      name: ".text",
      funcInfo: [
        { insnOff: 0, type: gsub },
        { insnOff: 24, type: ssub },
      ],
      lineInfo: [
        { insnOff: 0, fileName: file, lineText: "function gsub(x: i32): i32 {", line: 3, col: 1 },
        { insnOff: 24, fileName: file, lineText: "function ssub(x: i32): i32 {", line: 7, col: 1 },
      ],
    },
    {
      name: "xdp",
      funcInfo: [{ insnOff: 0, type: prog }],
      lineInfo: [
        { insnOff: 0, fileName: file, lineText: "const m = counts;", line: 11, col: 3 },
        { insnOff: 56, fileName: file, lineText: "return gsub(2) + ssub(2);", line: 12, col: 10 },
      ],
    },
  ];
  const { btf, btfExt } = encodeBtfWithExt(types, ext);
  const u8 = (...b: number[]): Uint8Array => Uint8Array.from(b);
  const obj: ObjFile = {
    fileName: file,
    sections: [
      {
        name: ".text",
        type: SHT.PROGBITS,
        flags: SHF.ALLOC | SHF.EXECINSTR,
        data: SAMPLE_TEXT,
        addralign: 8,
      },
      {
        name: "xdp",
        type: SHT.PROGBITS,
        flags: SHF.ALLOC | SHF.EXECINSTR,
        data: SAMPLE_PROG,
        addralign: 8,
      },
      {
        name: ".data",
        type: SHT.PROGBITS,
        flags: SHF.ALLOC | SHF.WRITE,
        data: u8(5, 0, 0, 0, 0, 0, 0, 0),
        addralign: 8,
      },
      { name: ".rodata", type: SHT.PROGBITS, flags: SHF.ALLOC, data: u8(7, 0, 0, 0), addralign: 4 },
      {
        name: ".bss",
        type: SHT.NOBITS,
        flags: SHF.ALLOC | SHF.WRITE,
        data: new Uint8Array(0),
        size: 4,
        addralign: 4,
      },
      {
        name: ".maps",
        type: SHT.PROGBITS,
        flags: SHF.ALLOC | SHF.WRITE,
        data: new Uint8Array(32),
        addralign: 8,
      },
      {
        name: "license",
        type: SHT.PROGBITS,
        flags: SHF.ALLOC | SHF.WRITE,
        data: u8(0x47, 0x50, 0x4c, 0),
        addralign: 1,
      },
      { name: ".BTF", type: SHT.PROGBITS, flags: 0, data: btf, addralign: 4 },
      { name: ".BTF.ext", type: SHT.PROGBITS, flags: 0, data: btfExt!, addralign: 4 },
    ],
    symbols: [
      { name: "ssub", section: ".text", value: 24, size: 32, type: STT.FUNC, bind: STB.LOCAL },
      { name: "gsub", section: ".text", value: 0, size: 24, type: STT.FUNC, bind: STB.GLOBAL },
      { name: "prog", section: "xdp", value: 0, size: 88, type: STT.FUNC, bind: STB.GLOBAL },
      { name: "counts", section: ".maps", value: 0, size: 32, type: STT.OBJECT, bind: STB.GLOBAL },
      { name: "total", section: ".data", value: 0, size: 8, type: STT.OBJECT, bind: STB.GLOBAL },
      { name: "limit", section: ".rodata", value: 0, size: 4, type: STT.OBJECT, bind: STB.GLOBAL },
      { name: "zeroed", section: ".bss", value: 0, size: 4, type: STT.OBJECT, bind: STB.GLOBAL },
      {
        name: "LICENSE",
        section: "license",
        value: 0,
        size: 4,
        type: STT.OBJECT,
        bind: STB.GLOBAL,
      },
    ],
    relocations: new Map([
      [".text", [{ offset: 24, symbol: "zeroed", type: R_BPF.R_BPF_64_64 }]],
      [
        "xdp",
        [
          { offset: 0, symbol: "counts", type: R_BPF.R_BPF_64_64 },
          { offset: 16, symbol: "total", type: R_BPF.R_BPF_64_64 },
          { offset: 32, symbol: "limit", type: R_BPF.R_BPF_64_64 },
          { offset: 56, symbol: "gsub", type: R_BPF.R_BPF_64_32 },
          { offset: 64, symbol: { section: ".text" }, type: R_BPF.R_BPF_64_32 },
        ],
      ],
    ]),
  };
  return { obj, types, funcs: { prog, gsub, ssub }, ext };
}

/** The `__ARRAY_SIZE_TYPE__` a map definition's arrays use, so LICENSE's array shares it. */
function arrayIndex(map: ReturnType<typeof btfMapDef>): BtfType {
  const t = map.struct.members[0]!.type;
  if (t.kind === "ptr" && t.target.kind === "array") return t.target.index;
  throw new Error("unexpected map layout");
}
