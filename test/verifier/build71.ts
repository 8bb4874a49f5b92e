// Turns a linux-7.1 verifier case (test/verifier/cases/linux71.yaml) into a complete object
// that libbpf can load, as our compiler makes them (src/codegen/object.ts): the program's
// FUNC `int prog(unsigned long long *ctx)` with func_info, `struct io_uring_bpf_ops` and a
// 24-byte `prog_ops` object in `.struct_ops.link` (R_BPF_64_ABS64 at 0 against `prog`), an
// extern FUNC in the `.ksyms` DATASEC for every kfunc the body calls, a `.rodata` DATASEC
// with a VAR per global (so the loader can fill the ring geometry), and BTF-defined maps.
import { structOpsBtf } from "../../src/codegen/object.js";
import type { DataType } from "../../src/check/types.js";
import {
  BTF_FUNC_LINKAGE,
  BTF_VAR_LINKAGE,
  type BtfFunc,
  type BtfInt,
  type BtfType,
  type BtfVar,
  arraySizeType,
  btfDatasec,
  btfFunc,
  btfIntType,
  btfMapDef,
} from "../../src/elf/btf.js";
import { encodeBtfWithExt } from "../../src/elf/btf-ext.js";
import { R_BPF, SHF, SHT, STB, STT, type ObjFile } from "../../src/elf/types.js";
import { STRUCT_OPS_SIZE, opsMapSymbol } from "../../src/targets/linux-7.1/plumbing.js";
import { buildObject, type BuildOptions } from "./build.js";

const MAP_TYPE = { hash: 1, array: 2, ringbuf: 27 } as const;

/** The loadable object for a linux-7.1 case body, or the assembler's first error message. */
export function buildObject71(body: string, o: BuildOptions = {}): ObjFile | string {
  // The assembled program; build.ts's maps-only .BTF is replaced below by ours.
  const obj = buildObject(body, { ...o, section: o.section ?? "struct_ops.s/prog" });
  if (typeof obj === "string") return obj;
  const section = o.section ?? "struct_ops.s/prog";

  const ints = new Map<string, BtfInt>();
  const btfOf = (t: DataType): BtfType => {
    if (t.kind !== "int") throw new Error(`build71: unexpected type ${t.kind}`);
    let b = ints.get(t.name);
    if (!b) ints.set(t.name, (b = btfIntType(t.name, t.bits / 8, t.signed)));
    return b;
  };
  const int = btfIntType();
  const indexType = arraySizeType();
  const so = structOpsBtf(int, btfOf);
  const types: BtfType[] = [];

  // The program.
  const fn: BtfFunc = btfFunc("prog", int, so.params(), BTF_FUNC_LINKAGE.global);
  types.push(fn);

  // .rodata (and any other data section the case declares): a VAR per global object.
  const u32 = btfOf({ kind: "int", name: "u32", bits: 32, signed: false } as DataType);
  for (const sec of [".rodata", ".data", ".bss"]) {
    const s = obj.sections.find((x) => x.name === sec);
    if (!s) continue;
    const vars = obj.symbols
      .filter((y) => y.section === sec && y.type === STT.OBJECT && y.size > 0)
      .sort((a, b) => a.value - b.value)
      .map((y) => ({
        var: {
          kind: "var",
          name: y.name,
          type:
            y.size === 4
              ? u32
              : btfOf({
                  kind: "int",
                  name: `u${y.size * 8}`,
                  bits: y.size * 8,
                  signed: false,
                } as DataType),
          linkage: y.bind === STB.LOCAL ? BTF_VAR_LINKAGE.static : BTF_VAR_LINKAGE.global,
        } as BtfVar,
        offset: y.value,
        size: y.size,
      }));
    types.push(btfDatasec(sec, vars, s.size ?? s.data.length));
  }

  // Maps.
  if (o.maps?.length) {
    const mapVars = o.maps.map((m, i) => {
      const def = btfMapDef({
        name: m.name,
        type: MAP_TYPE[m.type],
        maxEntries: m.entries ?? (m.type === "ringbuf" ? 4096 : 4),
        ...(m.type !== "ringbuf" ? { keySize: m.key ?? 4, valueSize: m.value ?? 8 } : {}),
        ...(m.flags ? { mapFlags: m.flags } : {}),
        int,
        indexType,
      });
      // libbpf finds a map's ELF symbol as a global STT_OBJECT.
      const sym = obj.symbols.find((y) => y.name === m.name && y.section === ".maps");
      if (sym) Object.assign(sym, { type: STT.OBJECT, size: def.size });
      return { var: def.var, offset: i * 48, size: def.size };
    });
    types.push(btfDatasec(".maps", mapVars, o.maps.length * 48));
  }

  // The struct_ops object.
  const opsName = opsMapSymbol("prog");
  obj.symbols.push({
    name: opsName,
    section: ".struct_ops.link",
    value: 0,
    size: STRUCT_OPS_SIZE,
    type: STT.OBJECT,
    bind: STB.GLOBAL,
  });
  obj.sections.push({
    name: ".struct_ops.link",
    type: SHT.PROGBITS,
    flags: SHF.ALLOC | SHF.WRITE,
    data: new Uint8Array(STRUCT_OPS_SIZE),
    addralign: 8,
  });
  obj.relocations.set(".struct_ops.link", [
    { offset: 0, symbol: "prog", type: R_BPF.R_BPF_64_ABS64 },
  ]);
  types.push(
    btfDatasec(".struct_ops.link", [
      {
        var: { kind: "var", name: opsName, type: so.opsType, linkage: BTF_VAR_LINKAGE.global },
        offset: 0,
        size: STRUCT_OPS_SIZE,
      },
    ]),
  );

  // Kfuncs: the undefined symbols the program calls.
  const calls = (obj.relocations.get(section) ?? []).filter(
    (r) => r.type === R_BPF.R_BPF_64_32 && typeof r.symbol === "string",
  );
  const kfuncs = [...new Set(calls.map((r) => r.symbol as string))]
    .filter((n) =>
      obj.symbols.some((y) => y.name === n && y.section === undefined && y.shndx === undefined),
    )
    .sort();
  if (kfuncs.length > 0) {
    const fns = kfuncs.map((k) => {
      try {
        return so.kfunc(k);
      } catch {
        // A kfunc the kernel does not have (a rejection case): `int k(void)`.
        return btfFunc(k, int, [], BTF_FUNC_LINKAGE.extern);
      }
    });
    types.push(...fns);
    types.push({
      kind: "datasec",
      name: ".ksyms",
      size: 0,
      vars: fns.map((f) => ({ type: f, offset: 0, size: 0 })),
    });
  }

  const enc = encodeBtfWithExt(types, [
    { name: section, funcInfo: [{ insnOff: 0, type: fn }], lineInfo: [] },
  ]);
  obj.sections = obj.sections.filter((s) => s.name !== ".BTF" && s.name !== ".BTF.ext");
  obj.sections.push({ name: ".BTF", type: SHT.PROGBITS, flags: 0, data: enc.btf, addralign: 4 });
  if (enc.btfExt)
    obj.sections.push({
      name: ".BTF.ext",
      type: SHT.PROGBITS,
      flags: 0,
      data: enc.btfExt,
      addralign: 4,
    });
  return obj;
}
