import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type {
  BtfExtSection,
  BtfFunc,
  BtfStruct,
  BtfType,
  BtfUnion,
  BtfVar,
} from "../../src/elf/index.js";
import {
  assignBtfIds,
  BtfStrings,
  btfTypesInIdOrder,
  decodeBtf,
  decodeBtfExt,
  ElfCodes,
  encodeBtf,
  encodeBtfExt,
  encodeBtfWithExt,
  marshalBtf,
  SHT,
  VOID,
  writeElf,
} from "../../src/elf/index.js";
import { buildSample, haveTool, run, withTmp, writeTmp } from "./helpers.js";

/** ELF_FUZZ_SCALE=20 runs the property tests twenty times longer (for hunting, not for CI). */
const runs = (n: number): number => n * Number(process.env.ELF_FUZZ_SCALE ?? 1);

/** The graph with references replaced by type IDs, for comparing two graphs. */
function flatten(types: readonly BtfType[], ids: Map<BtfType, number>): unknown[] {
  const conv = (v: unknown, root: boolean): unknown => {
    if (typeof v === "bigint") return `${v}n`;
    if (Array.isArray(v)) return v.map((x) => conv(x, false));
    if (v && typeof v === "object") {
      if (!root && "kind" in v) return `#${ids.get(v as BtfType)}`;
      return Object.fromEntries(
        Object.entries(v)
          .filter(([, x]) => x !== undefined)
          .map(([k, x]) => [k, conv(x, false)]),
      );
    }
    return v;
  };
  return types.map((t) => conv(t, true));
}

// --- a random BTF graph: every kind, references anywhere (so cycles happen) -------------
const name = fc.string({ maxLength: 12 }).filter((s) => !s.includes("\0"));
type Spec = {
  k: string;
  n: string;
  a: number;
  b: number;
  c: number;
  refs: number[];
  flag: boolean;
  big: bigint[];
};
const spec: fc.Arbitrary<Spec> = fc.record({
  k: fc.constantFrom(
    "int",
    "ptr",
    "array",
    "struct",
    "union",
    "enum",
    "enum64",
    "fwd",
    "typedef",
    "volatile",
    "const",
    "restrict",
    "func",
    "var",
    "datasec",
    "float",
    "decl_tag",
    "type_tag",
  ),
  n: name,
  a: fc.nat(0xffff),
  b: fc.nat(0xffffff),
  c: fc.integer({ min: -1, max: 255 }),
  refs: fc.array(fc.nat(40), { maxLength: 5 }),
  flag: fc.boolean(),
  big: fc.array(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), { maxLength: 4 }),
});

function buildGraph(specs: Spec[]): BtfType[] {
  const types: BtfType[] = [];
  const vars: (BtfVar | BtfFunc)[] = [];
  const ref = (i: number): BtfType =>
    i === 0 || types.length === 0 ? VOID : types[(i - 1) % types.length]!;
  // Create shells first so that references may point forwards, then fill them in.
  const fills: (() => void)[] = [];
  for (const s of specs) {
    let t: BtfType;
    switch (s.k) {
      case "int":
        t = { kind: "int", name: s.n, size: s.a & 0xff, encoding: s.b & 7, bits: s.c & 0xff };
        if ((s.b >> 8) & 0xff) t.offset = (s.b >> 8) & 0xff;
        break;
      case "ptr": {
        const p: BtfType = { kind: "ptr", target: VOID };
        fills.push(() => (p.target = ref(s.refs[0] ?? 0)));
        t = p;
        break;
      }
      case "array": {
        const a: BtfType = { kind: "array", type: VOID, index: VOID, nelems: s.b };
        fills.push(() => ((a.type = ref(s.refs[0] ?? 0)), (a.index = ref(s.refs[1] ?? 0))));
        t = a;
        break;
      }
      case "struct":
      case "union": {
        const st: BtfStruct | BtfUnion = { kind: s.k, name: s.n, size: s.a, members: [] };
        fills.push(() => {
          st.members = s.refs.map((r, i) => ({
            name: `m${i}`,
            type: ref(r),
            bitOffset: (s.b + i * 8) & 0xffffff,
            ...(s.flag && i === 0 ? { bitfieldSize: s.c & 0xff || 1 } : {}),
          }));
        });
        t = st;
        break;
      }
      case "enum":
        t = {
          kind: "enum",
          name: s.n,
          size: 4,
          signed: s.flag,
          values: s.big.map((v, i) => ({
            name: `E${i}`,
            value: s.flag ? Number(BigInt.asIntN(32, v)) : Number(BigInt.asUintN(32, v)),
          })),
        };
        break;
      case "enum64":
        t = {
          kind: "enum64",
          name: s.n,
          size: 8,
          signed: s.flag,
          values: s.big.map((v, i) => ({
            name: `F${i}`,
            value: s.flag ? v : BigInt.asUintN(64, v),
          })),
        };
        break;
      case "fwd":
        t = { kind: "fwd", name: s.n, union: s.flag };
        break;
      case "typedef":
      case "type_tag": {
        const x = { kind: s.k, name: s.n, type: VOID } as BtfType & { type: BtfType };
        fills.push(() => (x.type = ref(s.refs[0] ?? 0)));
        t = x;
        break;
      }
      case "volatile":
      case "const":
      case "restrict": {
        const x = { kind: s.k, type: VOID } as BtfType & { type: BtfType };
        fills.push(() => (x.type = ref(s.refs[0] ?? 0)));
        t = x;
        break;
      }
      case "func": {
        const f: BtfFunc = {
          kind: "func",
          name: s.n,
          linkage: s.a % 3,
          proto: { kind: "func_proto", return: VOID, params: [] },
        };
        fills.push(() => {
          f.proto.return = ref(s.refs[0] ?? 0);
          f.proto.params = s.refs
            .slice(1)
            .map((r, i) => ({ name: i === 0 ? "" : `p${i}`, type: ref(r) }));
        });
        vars.push(f);
        t = f;
        break;
      }
      case "var": {
        const v: BtfVar = { kind: "var", name: s.n, type: VOID, linkage: s.a % 3 };
        fills.push(() => (v.type = ref(s.refs[0] ?? 0)));
        vars.push(v);
        t = v;
        break;
      }
      case "datasec": {
        const d: BtfType = { kind: "datasec", name: s.n, size: s.b, vars: [] };
        fills.push(() => {
          d.vars = vars.length
            ? s.refs.map((r, i) => ({ type: vars[r % vars.length]!, offset: i * 8, size: 8 }))
            : [];
        });
        t = d;
        break;
      }
      case "float":
        t = { kind: "float", name: s.n, size: s.a & 0xf };
        break;
      default: {
        const x: BtfType = { kind: "decl_tag", name: s.n, type: VOID, componentIdx: s.c };
        fills.push(() => (x.type = ref(s.refs[0] ?? 0)));
        t = x;
      }
    }
    types.push(t);
  }
  for (const f of fills) f();
  return types;
}

test("property: decodeBtf(encodeBtf(g)) is g, and re-encoding gives the same bytes", () => {
  fc.assert(
    fc.property(fc.array(spec, { minLength: 1, maxLength: 25 }), (specs) => {
      const roots = buildGraph(specs);
      const m = marshalBtf(roots);
      const d = decodeBtf(m.bytes);
      assert.deepEqual(d.diagnostics, []);
      const ordered = btfTypesInIdOrder(m.ids);
      assert.equal(d.types.length, ordered.length + 1);
      const decodedIds = new Map(d.types.map((t, i) => [t, i]));
      assert.deepEqual(flatten(d.types.slice(1), decodedIds), flatten(ordered, m.ids));
      assert.deepEqual(encodeBtf(d.types.slice(1)), m.bytes);
    }),
    { numRuns: runs(400) },
  );
});

test("IDs: roots first in order, then what they reference breadth-first; void is 0", () => {
  const int: BtfType = { kind: "int", name: "int", size: 4, encoding: 1, bits: 32 };
  const ptr: BtfType = { kind: "ptr", target: int };
  const td: BtfType = { kind: "typedef", name: "p_t", type: ptr };
  const self: BtfType = { kind: "struct", name: "node", size: 8, members: [] };
  self.members.push({ name: "next", type: { kind: "ptr", target: self }, bitOffset: 0 });
  const ids = assignBtfIds([td, self, VOID]);
  assert.equal(ids.get(VOID), 0);
  assert.equal(ids.get(td), 1);
  assert.equal(ids.get(self), 2);
  assert.equal(ids.get(ptr), 3);
  assert.equal(ids.get(self.members[0]!.type), 4);
  assert.equal(ids.get(int), 5);
  // The header and string section, by the letter of elf.md.
  const bytes = encodeBtf([td, self]);
  const v = new DataView(bytes.buffer);
  assert.equal(v.getUint16(0, true), 0xeb9f);
  assert.equal(bytes[2], 1);
  assert.equal(bytes[3], 0);
  assert.equal(v.getUint32(4, true), 24);
  assert.equal(v.getUint32(8, true), 0);
  const typeLen = v.getUint32(12, true);
  assert.equal(typeLen % 4, 0);
  assert.equal(v.getUint32(16, true), typeLen);
  const strLen = v.getUint32(20, true);
  assert.equal(24 + typeLen + strLen, bytes.length);
  assert.equal(bytes[24 + typeLen], 0, "strings start with NUL");
  assert.equal(bytes.at(-1), 0, "strings end with NUL");
  const strs = Buffer.from(bytes.subarray(24 + typeLen)).toString("latin1");
  assert.equal(strs.split("\0").filter((s) => s === "next").length, 1, "strings are deduplicated");
});

test("decodeBtf reports bad input instead of throwing", () => {
  const good = encodeBtf([
    { kind: "ptr", target: { kind: "int", name: "int", size: 4, encoding: 1, bits: 32 } },
  ]);
  const v = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
  const mut = (f: (b: Uint8Array) => void): Uint8Array => {
    const b = new Uint8Array(good);
    f(b);
    return b;
  };
  const cases: [Uint8Array, string][] = [
    [good.subarray(0, 10), ElfCodes.btfTruncated],
    [mut((b) => (b[0] = 0)), ElfCodes.btfBadHeader],
    [mut((b) => v(b).setUint32(12, 4000, true)), ElfCodes.btfTruncated],
    [mut((b) => v(b).setUint32(24 + 8, 77, true)), ElfCodes.btfBadTypeId], // PTR → type 77
    [mut((b) => v(b).setUint32(24 + 4, 0x1f << 24, true)), ElfCodes.btfBadKind],
    [mut((b) => v(b).setUint32(24 + 12, 9999, true)), ElfCodes.btfBadString], // INT name offset
  ];
  for (const [bytes, code] of cases) {
    const d = decodeBtf(bytes);
    assert.ok(
      d.diagnostics.some((x) => x.code === code),
      `expected ${code}: ${JSON.stringify(d.diagnostics)}`,
    );
  }
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(200), (junk, typeLen) => {
      const b = new Uint8Array(24 + junk.length);
      b.set(good.subarray(0, 24));
      b.set(junk, 24);
      const dv = v(b);
      dv.setUint32(12, typeLen & ~3, true);
      dv.setUint32(16, typeLen & ~3, true);
      dv.setUint32(20, Math.max(0, junk.length - (typeLen & ~3)), true);
      const d = decodeBtf(b);
      assert.ok(Array.isArray(d.types) && d.types[0] === VOID);
      // Whatever decodes, encodes again.
      encodeBtf(d.types.slice(1));
      decodeBtfExt(junk, d.stringAt);
    }),
    { numRuns: runs(1500) },
  );
});

test("BTF.ext: round trip, record sizes, line_col packing, strings shared with .BTF", () => {
  const int: BtfType = { kind: "int", name: "int", size: 4, encoding: 1, bits: 32 };
  const f1: BtfFunc = {
    kind: "func",
    name: "main",
    linkage: 1,
    proto: { kind: "func_proto", return: int, params: [] },
  };
  const f2: BtfFunc = { kind: "func", name: "helper", linkage: 0, proto: f1.proto };
  const ext: BtfExtSection[] = [
    {
      name: "uring/cqe",
      funcInfo: [{ insnOff: 0, type: f1 }],
      lineInfo: [
        { insnOff: 8, fileName: "a.bpf.ts", lineText: "  x += 1;", line: 4, col: 5 },
        { insnOff: 0, fileName: "a.bpf.ts", lineText: "export function main() {", line: 3, col: 1 },
      ],
    },
    { name: ".text", funcInfo: [{ insnOff: 0, type: f2 }], lineInfo: [] },
    { name: "empty" },
  ];
  const { btf, btfExt, ids } = encodeBtfWithExt([f1, f2], ext);
  const d = decodeBtf(btf);
  assert.deepEqual(d.diagnostics, []);
  const e = decodeBtfExt(btfExt!, d.stringAt);
  assert.deepEqual(e.diagnostics, []);
  assert.deepEqual(e.funcInfo, [
    {
      section: "uring/cqe",
      sectionNameOff: e.funcInfo[0]!.sectionNameOff,
      records: [{ insnOff: 0, typeId: ids.get(f1)! }],
    },
    {
      section: ".text",
      sectionNameOff: e.funcInfo[1]!.sectionNameOff,
      records: [{ insnOff: 0, typeId: ids.get(f2)! }],
    },
  ]);
  // Only sections with line records get a line_info block; records are sorted by offset.
  assert.equal(e.lineInfo.length, 1);
  assert.deepEqual(
    e.lineInfo[0]!.records.map((r) => [r.insnOff, r.fileName, r.lineText, r.line, r.col]),
    [
      [0, "a.bpf.ts", "export function main() {", 3, 1],
      [8, "a.bpf.ts", "  x += 1;", 4, 5],
    ],
  );
  const v = new DataView(btfExt!.buffer);
  assert.equal(v.getUint32(4, true), 32, "hdr_len");
  const funcLen = v.getUint32(12, true);
  assert.equal(v.getUint32(32, true), 8, "func_info rec size");
  assert.equal(v.getUint32(32 + v.getUint32(16, true), true), 16, "line_info rec size");
  const lc = v.getUint32(32 + funcLen + 4 + 8 + 12, true);
  assert.equal(lc, (3 << 10) | 1);
  assert.equal(e.coreReloCount, 0);
});

test("BTF.ext never has an empty subsection", () => {
  const strings = new BtfStrings();
  const bytes = encodeBtfExt(
    [{ name: "s", lineInfo: [{ insnOff: 0, fileName: "f", lineText: "l", line: 1, col: 0 }] }],
    strings,
    new Map(),
  );
  const v = new DataView(bytes.buffer);
  assert.equal(v.getUint32(12, true), 0, "func_info_len is 0 when there are no func records");
  assert.ok(v.getUint32(20, true) > 0);
  // A subsection with a record size and nothing else is what libbpf rejects; the decoder flags it.
  const empty = new Uint8Array(36);
  const ev = new DataView(empty.buffer);
  ev.setUint16(0, 0xeb9f, true);
  empty[2] = 1;
  ev.setUint32(4, 32, true);
  ev.setUint32(12, 4, true);
  ev.setUint32(16, 4, true);
  ev.setUint32(32, 8, true);
  assert.ok(decodeBtfExt(empty).diagnostics.some((d) => d.code === ElfCodes.btfExtEmpty));
  const badRec = new Uint8Array(empty);
  new DataView(badRec.buffer).setUint32(32, 3, true);
  assert.ok(decodeBtfExt(badRec).diagnostics.some((d) => d.code === ElfCodes.btfExtBadRecordSize));
  assert.ok(
    decodeBtfExt(empty.subarray(0, 5)).diagnostics.some((d) => d.code === ElfCodes.btfExtTruncated),
  );
});

/** bpftool's `btf dump` text for a graph, written from the graph: the two must agree. */
function bpftoolText(types: BtfType[], ids: Map<BtfType, number>): string {
  const q = (s: string) => `'${s === "" ? "(anon)" : s}'`;
  const id = (t: BtfType) => ids.get(t)!;
  const enc = (e: number) => (e === 1 ? "SIGNED" : e === 2 ? "CHAR" : e === 4 ? "BOOL" : "(none)");
  const link = ["static", "global", "extern"];
  return types
    .map((t) => {
      const h = `[${id(t)}] `;
      switch (t.kind) {
        case "int":
          return `${h}INT ${q(t.name)} size=${t.size} bits_offset=${t.offset ?? 0} nr_bits=${t.bits} encoding=${enc(t.encoding)}`;
        case "ptr":
          return `${h}PTR '(anon)' type_id=${id(t.target)}`;
        case "array":
          return `${h}ARRAY '(anon)' type_id=${id(t.type)} index_type_id=${id(t.index)} nr_elems=${t.nelems}`;
        case "struct":
        case "union":
          return [
            `${h}${t.kind.toUpperCase()} ${q(t.name)} size=${t.size} vlen=${t.members.length}`,
            ...t.members.map(
              (m) =>
                `\t${q(m.name)} type_id=${id(m.type)} bits_offset=${m.bitOffset}` +
                (m.bitfieldSize ? ` bitfield_size=${m.bitfieldSize}` : ""),
            ),
          ].join("\n");
        case "enum":
          return [
            `${h}ENUM ${q(t.name)} encoding=${t.signed ? "SIGNED" : "UNSIGNED"} size=${t.size} vlen=${t.values.length}`,
            ...t.values.map((v) => `\t${q(v.name)} val=${v.value}`),
          ].join("\n");
        case "fwd":
          return `${h}FWD ${q(t.name)} fwd_kind=${t.union ? "union" : "struct"}`;
        case "typedef":
          return `${h}TYPEDEF ${q(t.name)} type_id=${id(t.type)}`;
        case "volatile":
        case "const":
        case "restrict":
          return `${h}${t.kind.toUpperCase()} '(anon)' type_id=${id(t.type)}`;
        case "func":
          return `${h}FUNC ${q(t.name)} type_id=${id(t.proto)} linkage=${link[t.linkage]}`;
        case "func_proto":
          return [
            `${h}FUNC_PROTO '(anon)' ret_type_id=${id(t.return)} vlen=${t.params.length}`,
            ...t.params.map((p) => `\t${q(p.name)} type_id=${id(p.type)}`),
          ].join("\n");
        case "var":
          return `${h}VAR ${q(t.name)} type_id=${id(t.type)}, linkage=${link[t.linkage]}`;
        case "datasec":
          return [
            `${h}DATASEC ${q(t.name)} size=${t.size} vlen=${t.vars.length}`,
            ...t.vars.map(
              (v) =>
                `\ttype_id=${id(v.type)} offset=${v.offset} size=${v.size} (${v.type.kind.toUpperCase()} ${q(v.type.name)})`,
            ),
          ].join("\n");
        case "float":
          return `${h}FLOAT ${q(t.name)} size=${t.size}`;
        case "decl_tag":
          return `${h}DECL_TAG ${q(t.name)} type_id=${id(t.type)} component_idx=${t.componentIdx}`;
        case "type_tag":
          return `${h}TYPE_TAG ${q(t.name)} type_id=${id(t.type)}`;
        default:
          return `${h}?`;
      }
    })
    .join("\n");
}

test("bpftool btf dump shows exactly the graph we built", (t) => {
  if (!haveTool("bpftool")) return t.skip("bpftool not installed");
  const int: BtfType = { kind: "int", name: "int", size: 4, encoding: 1, bits: 32 };
  const uchar: BtfType = { kind: "int", name: "unsigned char", size: 1, encoding: 0, bits: 8 };
  const bool: BtfType = { kind: "int", name: "_Bool", size: 1, encoding: 4, bits: 8 };
  const node: BtfType = { kind: "struct", name: "node", size: 16, members: [] };
  node.members.push(
    { name: "next", type: { kind: "ptr", target: node }, bitOffset: 0 },
    { name: "lo", type: uchar, bitOffset: 64, bitfieldSize: 4 },
    { name: "hi", type: uchar, bitOffset: 68, bitfieldSize: 4 },
    { name: "ok", type: bool, bitOffset: 72 },
  );
  const u: BtfType = {
    kind: "union",
    name: "",
    size: 4,
    members: [
      { name: "i", type: int, bitOffset: 0 },
      { name: "f", type: { kind: "float", name: "float", size: 4 }, bitOffset: 0 },
    ],
  };
  const color: BtfType = {
    kind: "enum",
    name: "color",
    size: 4,
    signed: true,
    values: [
      { name: "RED", value: 0 },
      { name: "BLUE", value: -1 },
    ],
  };
  const cp: BtfType = {
    kind: "ptr",
    target: {
      kind: "const",
      type: { kind: "volatile", type: { kind: "restrict", type: { kind: "ptr", target: int } } },
    },
  };
  const fn: BtfFunc = {
    kind: "func",
    name: "handler",
    linkage: 1,
    proto: {
      kind: "func_proto",
      return: int,
      params: [
        { name: "n", type: { kind: "ptr", target: node } },
        { name: "c", type: color },
      ],
    },
  };
  const kf: BtfFunc = {
    kind: "func",
    name: "bpf_kfunc",
    linkage: 2,
    proto: { kind: "func_proto", return: VOID, params: [] },
  };
  const gv: BtfVar = { kind: "var", name: "g", type: u, linkage: 1 };
  const tagged: BtfType = {
    kind: "typedef",
    name: "tagged_t",
    type: { kind: "type_tag", name: "user", type: int },
  };
  const fwd: BtfType = { kind: "fwd", name: "opaque", union: true };
  const roots: BtfType[] = [
    fn,
    kf,
    { kind: "datasec", name: ".data", size: 4, vars: [{ type: gv, offset: 0, size: 4 }] },
    { kind: "datasec", name: ".ksyms", size: 0, vars: [{ type: kf, offset: 0, size: 0 }] },
    { kind: "decl_tag", name: "hot", type: fn, componentIdx: -1 },
    { kind: "decl_tag", name: "nonnull", type: fn, componentIdx: 0 },
    cp,
    tagged,
    fwd,
    { kind: "array", type: node, index: int, nelems: 3 },
  ];
  const m = marshalBtf(roots);
  withTmp((dir) => {
    const o = writeTmp(
      dir,
      "btf.o",
      writeElf({
        sections: [{ name: ".BTF", type: SHT.PROGBITS, flags: 0, data: m.bytes, addralign: 4 }],
        symbols: [],
        relocations: new Map(),
      }),
    );
    const r = run("bpftool", ["btf", "dump", "file", o]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trimEnd(), bpftoolText(btfTypesInIdOrder(m.ids), m.ids));
  });
});

test("fuzz: byte mutations of real BTF and BTF.ext decode without throwing and re-encode", () => {
  const { obj } = buildSample();
  const btf = obj.sections.find((s) => s.name === ".BTF")!.data;
  const ext = obj.sections.find((s) => s.name === ".BTF.ext")!.data;
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(btf.length - 1), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 6,
      }),
      fc.array(fc.tuple(fc.nat(ext.length - 1), fc.integer({ min: 0, max: 255 })), {
        maxLength: 4,
      }),
      (edits, extEdits) => {
        const b = new Uint8Array(btf);
        for (const [at, v] of edits) b[at] = v;
        const e = new Uint8Array(ext);
        for (const [at, v] of extEdits) e[at] = v;
        const d = decodeBtf(b);
        for (const x of d.diagnostics) assert.match(x.code, /^E52\d\d$/);
        // What decodes (bad references replaced) encodes again into clean BTF.
        assert.deepEqual(decodeBtf(encodeBtf(d.types.slice(1))).diagnostics, []);
        const de = decodeBtfExt(e, d.stringAt);
        for (const x of de.diagnostics) assert.match(x.code, /^E53\d\d$/);
      },
    ),
    { numRuns: runs(1500) },
  );
});
