// BTF (`.BTF`) as an object graph. Types refer to each other by object reference; type IDs
// exist only in the encoded form and are assigned when marshalling (the approach of
// cilium/ebpf's btf package). Format facts: docs/elf.md and the kernel's btf.rst.
import type { Diagnostic } from "../diagnostics/index.js";
import { ByteReader, ByteWriter, cString, encodeUtf8 } from "./bytes.js";
import { ElfCodes } from "./codes.js";

export const BTF_MAGIC = 0xeb9f;
export const BTF_HEADER_LEN = 24;

/** BTF kind numbers. */
export const BTF_KIND = {
  int: 1,
  ptr: 2,
  array: 3,
  struct: 4,
  union: 5,
  enum: 6,
  fwd: 7,
  typedef: 8,
  volatile: 9,
  const: 10,
  restrict: 11,
  func: 12,
  func_proto: 13,
  var: 14,
  datasec: 15,
  float: 16,
  decl_tag: 17,
  type_tag: 18,
  enum64: 19,
} as const;

/** INT encoding bits. */
export const BTF_INT = { SIGNED: 1, CHAR: 2, BOOL: 4 } as const;
/** FUNC linkage (stored in vlen) and VAR linkage. */
export const BTF_FUNC_LINKAGE = { static: 0, global: 1, extern: 2 } as const;
export const BTF_VAR_LINKAGE = { static: 0, global: 1, extern: 2 } as const;

/** Type ID 0. */
export interface BtfVoid {
  kind: "void";
}
export const VOID: BtfVoid = Object.freeze({ kind: "void" }) as BtfVoid;

export interface BtfInt {
  kind: "int";
  name: string;
  /** Size in bytes. */
  size: number;
  /** BTF_INT bits. */
  encoding: number;
  bits: number;
  /** Bit offset of the value inside the storage (almost always 0). */
  offset?: number;
}
export interface BtfPtr {
  kind: "ptr";
  target: BtfType;
}
export interface BtfArray {
  kind: "array";
  type: BtfType;
  index: BtfType;
  nelems: number;
}
export interface BtfMember {
  name: string;
  type: BtfType;
  bitOffset: number;
  /** Nonzero for a bitfield; then the composite is written with kind_flag set. */
  bitfieldSize?: number;
}
export interface BtfStruct {
  kind: "struct";
  name: string;
  size: number;
  members: BtfMember[];
}
export interface BtfUnion {
  kind: "union";
  name: string;
  size: number;
  members: BtfMember[];
}
export interface BtfEnum {
  kind: "enum";
  name: string;
  size: number;
  signed: boolean;
  values: { name: string; value: number }[];
}
export interface BtfEnum64 {
  kind: "enum64";
  name: string;
  size: number;
  signed: boolean;
  values: { name: string; value: bigint }[];
}
export interface BtfFwd {
  kind: "fwd";
  name: string;
  union: boolean;
}
export interface BtfTypedef {
  kind: "typedef";
  name: string;
  type: BtfType;
}
export interface BtfVolatile {
  kind: "volatile";
  type: BtfType;
}
export interface BtfConst {
  kind: "const";
  type: BtfType;
}
export interface BtfRestrict {
  kind: "restrict";
  type: BtfType;
}
export interface BtfFunc {
  kind: "func";
  name: string;
  proto: BtfFuncProto;
  /** BTF_FUNC_LINKAGE value. */
  linkage: number;
}
export interface BtfParam {
  name: string;
  type: BtfType;
}
export interface BtfFuncProto {
  kind: "func_proto";
  return: BtfType;
  /** A trailing `{ name: "", type: VOID }` marks a variadic function. */
  params: BtfParam[];
}
export interface BtfVar {
  kind: "var";
  name: string;
  type: BtfType;
  /** BTF_VAR_LINKAGE value. */
  linkage: number;
}
export interface BtfVarSecinfo {
  /** A VAR, or a FUNC for extern functions in `.ksyms`. */
  type: BtfVar | BtfFunc;
  offset: number;
  size: number;
}
export interface BtfDatasec {
  kind: "datasec";
  name: string;
  size: number;
  vars: BtfVarSecinfo[];
}
export interface BtfFloat {
  kind: "float";
  name: string;
  size: number;
}
export interface BtfDeclTag {
  kind: "decl_tag";
  /** The tag string. */
  name: string;
  type: BtfType;
  /** -1 for the type itself, else the member/parameter index. */
  componentIdx: number;
}
export interface BtfTypeTag {
  kind: "type_tag";
  name: string;
  type: BtfType;
}

/** Any type, including void (ID 0). */
export type BtfType =
  | BtfVoid
  | BtfInt
  | BtfPtr
  | BtfArray
  | BtfStruct
  | BtfUnion
  | BtfEnum
  | BtfEnum64
  | BtfFwd
  | BtfTypedef
  | BtfVolatile
  | BtfConst
  | BtfRestrict
  | BtfFunc
  | BtfFuncProto
  | BtfVar
  | BtfDatasec
  | BtfFloat
  | BtfDeclTag
  | BtfTypeTag;

/** Types directly referenced by `t`, in encoding order. */
export function btfChildren(t: BtfType): BtfType[] {
  switch (t.kind) {
    case "ptr":
      return [t.target];
    case "array":
      return [t.type, t.index];
    case "struct":
    case "union":
      return t.members.map((m) => m.type);
    case "typedef":
    case "volatile":
    case "const":
    case "restrict":
    case "var":
    case "decl_tag":
    case "type_tag":
      return [t.type];
    case "func":
      return [t.proto];
    case "func_proto":
      return [t.return, ...t.params.map((p) => p.type)];
    case "datasec":
      return t.vars.map((v) => v.type);
    default:
      return [];
  }
}

/** The string table shared by `.BTF` and `.BTF.ext`: starts with `\0`, each string once, append-only. */
export class BtfStrings {
  private readonly offsets = new Map<string, number>([["", 0]]);
  private readonly w = new ByteWriter();

  constructor() {
    this.w.u8(0);
  }

  /** The offset of `s`, adding it if new. Offsets never change once given. */
  add(s: string): number {
    const known = this.offsets.get(s);
    if (known !== undefined) return known;
    const off = this.w.length;
    this.w.bytes(encodeUtf8(s));
    this.w.u8(0);
    this.offsets.set(s, off);
    return off;
  }

  get length(): number {
    return this.w.length;
  }

  bytes(): Uint8Array {
    return this.w.finish();
  }
}

/**
 * Type IDs for `roots` and everything they reference: the roots first, in order, then the
 * types they reach that are not roots, in breadth-first order. Void is 0 and never listed.
 */
export function assignBtfIds(roots: readonly BtfType[]): Map<BtfType, number> {
  const ids = new Map<BtfType, number>([[VOID, 0]]);
  const order: BtfType[] = [];
  const visit = (t: BtfType): void => {
    if (t.kind === "void" || ids.has(t)) return;
    ids.set(t, ids.size);
    order.push(t);
  };
  for (const t of roots) visit(t);
  for (let i = 0; i < order.length; i++) for (const c of btfChildren(order[i]!)) visit(c);
  return ids;
}

/** Types in ID order (index i has ID i + 1). */
export function btfTypesInIdOrder(ids: Map<BtfType, number>): BtfType[] {
  const out: BtfType[] = [];
  for (const [t, id] of ids) if (id > 0) out[id - 1] = t;
  return out;
}

export interface MarshalledBtf {
  bytes: Uint8Array;
  ids: Map<BtfType, number>;
  strings: BtfStrings;
}

/** Encodes `types` (and everything they reference) as `.BTF` section contents. */
export function marshalBtf(
  types: readonly BtfType[],
  strings: BtfStrings = new BtfStrings(),
): MarshalledBtf {
  const ids = assignBtfIds(types);
  const id = (t: BtfType): number => {
    const n = ids.get(t);
    if (n === undefined) throw new Error(`BTF type not assigned an ID: ${t.kind}`);
    return n;
  };
  const w = new ByteWriter();
  const rec = (
    name: string,
    kind: number,
    vlen: number,
    kindFlag: boolean,
    sizeOrType: number,
  ): void => {
    w.u32(strings.add(name));
    w.u32(((kindFlag ? 1 : 0) << 31) | ((kind & 0x1f) << 24) | (vlen & 0xffff));
    w.u32(sizeOrType);
  };
  for (const t of btfTypesInIdOrder(ids)) {
    switch (t.kind) {
      case "void":
        break;
      case "int":
        rec(t.name, BTF_KIND.int, 0, false, t.size);
        w.u32(((t.encoding & 0xf) << 24) | (((t.offset ?? 0) & 0xff) << 16) | (t.bits & 0xff));
        break;
      case "ptr":
        rec("", BTF_KIND.ptr, 0, false, id(t.target));
        break;
      case "array":
        rec("", BTF_KIND.array, 0, false, 0);
        w.u32(id(t.type));
        w.u32(id(t.index));
        w.u32(t.nelems);
        break;
      case "struct":
      case "union": {
        const bitfields = t.members.some((m) => (m.bitfieldSize ?? 0) !== 0);
        rec(t.name, BTF_KIND[t.kind], t.members.length, bitfields, t.size);
        for (const m of t.members) {
          w.u32(strings.add(m.name));
          w.u32(id(m.type));
          w.u32(
            bitfields
              ? (((m.bitfieldSize ?? 0) & 0xff) << 24) | (m.bitOffset & 0xffffff)
              : m.bitOffset,
          );
        }
        break;
      }
      case "enum":
        rec(t.name, BTF_KIND.enum, t.values.length, t.signed, t.size);
        for (const v of t.values) {
          w.u32(strings.add(v.name));
          w.i32(v.value | 0);
        }
        break;
      case "enum64":
        rec(t.name, BTF_KIND.enum64, t.values.length, t.signed, t.size);
        for (const v of t.values) {
          const u = BigInt.asUintN(64, v.value);
          w.u32(strings.add(v.name));
          w.u32(Number(u & 0xffffffffn));
          w.u32(Number(u >> 32n));
        }
        break;
      case "fwd":
        rec(t.name, BTF_KIND.fwd, 0, t.union, 0);
        break;
      case "typedef":
        rec(t.name, BTF_KIND.typedef, 0, false, id(t.type));
        break;
      case "volatile":
      case "const":
      case "restrict":
        rec("", BTF_KIND[t.kind], 0, false, id(t.type));
        break;
      case "type_tag":
        rec(t.name, BTF_KIND.type_tag, 0, false, id(t.type));
        break;
      case "func":
        rec(t.name, BTF_KIND.func, t.linkage, false, id(t.proto));
        break;
      case "func_proto":
        rec("", BTF_KIND.func_proto, t.params.length, false, id(t.return));
        for (const p of t.params) {
          w.u32(strings.add(p.name));
          w.u32(id(p.type));
        }
        break;
      case "var":
        rec(t.name, BTF_KIND.var, 0, false, id(t.type));
        w.u32(t.linkage);
        break;
      case "datasec":
        rec(t.name, BTF_KIND.datasec, t.vars.length, false, t.size);
        for (const v of t.vars) {
          w.u32(id(v.type));
          w.u32(v.offset);
          w.u32(v.size);
        }
        break;
      case "float":
        rec(t.name, BTF_KIND.float, 0, false, t.size);
        break;
      case "decl_tag":
        rec(t.name, BTF_KIND.decl_tag, 0, false, id(t.type));
        w.i32(t.componentIdx);
        break;
    }
  }
  const typeBytes = w.finish();
  // Strings are complete only now; the header and string section are written last.
  const strBytes = strings.bytes();
  const out = new ByteWriter();
  out.u16(BTF_MAGIC);
  out.u8(1);
  out.u8(0);
  out.u32(BTF_HEADER_LEN);
  out.u32(0);
  out.u32(typeBytes.length);
  out.u32(typeBytes.length);
  out.u32(strBytes.length);
  out.bytes(typeBytes);
  out.bytes(strBytes);
  return { bytes: out.finish(), ids, strings };
}

/** `.BTF` section contents for `types` and everything they reference. */
export function encodeBtf(types: readonly BtfType[], strings?: BtfStrings): Uint8Array {
  return marshalBtf(types, strings).bytes;
}

export interface DecodedBtf {
  /** Types by ID: `types[0]` is VOID, `types[id]` the type with that ID. */
  types: BtfType[];
  /** The string at an offset of the BTF string section (undefined when out of range). */
  stringAt(off: number): string | undefined;
  diagnostics: Diagnostic[];
}

const KIND_NAMES = Object.fromEntries(Object.entries(BTF_KIND).map(([k, v]) => [v, k])) as Record<
  number,
  string
>;

/** Largest `.BTF` accepted: the kernel refuses more (16 MiB), and decoding work grows with it. */
export const BTF_MAX_SIZE = 16 * 1024 * 1024;

/**
 * Decodes `.BTF` section contents into the object graph. Never throws: problems are
 * diagnostics, and an unusable input gives `types` = [VOID].
 */
export function decodeBtf(bytes: Uint8Array, file?: string): DecodedBtf {
  const diagnostics: Diagnostic[] = [];
  const err = (code: string, message: string): void => {
    if (diagnostics.length < 50)
      diagnostics.push({ code, severity: "error", message, ...(file ? { file } : {}) });
  };
  let strs: Uint8Array = new Uint8Array(0);
  const stringAt = (off: number): string | undefined => cString(strs, off);
  const fail = (): DecodedBtf => ({ types: [VOID], stringAt, diagnostics });
  const r = new ByteReader(bytes);
  if (bytes.length < BTF_HEADER_LEN) {
    err(ElfCodes.btfTruncated, `BTF is ${bytes.length} bytes, shorter than its header`);
    return fail();
  }
  if (bytes.length > BTF_MAX_SIZE) {
    err(
      ElfCodes.btfBadHeader,
      `BTF is ${bytes.length} bytes; the limit is ${BTF_MAX_SIZE} (the kernel's, docs/limits.md)`,
    );
    return fail();
  }
  if (r.u16(0) !== BTF_MAGIC) {
    err(ElfCodes.btfBadHeader, `BTF magic is 0x${r.u16(0).toString(16)}, expected 0xeb9f`);
    return fail();
  }
  if (r.u8(2) !== 1) {
    err(ElfCodes.btfBadHeader, `BTF version ${r.u8(2)} is not 1`);
    return fail();
  }
  const hdrLen = r.u32(4);
  const typeOff = r.u32(8);
  const typeLen = r.u32(12);
  const strOff = r.u32(16);
  const strLen = r.u32(20);
  if (hdrLen < BTF_HEADER_LEN || !r.has(hdrLen, 0)) {
    err(ElfCodes.btfBadHeader, `BTF header length ${hdrLen} is invalid`);
    return fail();
  }
  if (!r.has(hdrLen + typeOff, typeLen) || !r.has(hdrLen + strOff, strLen)) {
    err(ElfCodes.btfTruncated, "BTF type or string section extends past the end of the data");
    return fail();
  }
  if (typeOff % 4 !== 0 || typeLen % 4 !== 0)
    err(ElfCodes.btfBadHeader, "BTF type section is not 4-byte aligned");
  strs = bytes.subarray(hdrLen + strOff, hdrLen + strOff + strLen);
  if (strLen === 0 || strs[0] !== 0 || strs[strLen - 1] !== 0)
    err(ElfCodes.btfBadString, "BTF string section must start and end with a NUL byte");
  const name = (off: number, what: string): string => {
    const s = cString(strs, off);
    if (s === undefined) {
      err(ElfCodes.btfBadString, `${what}: string offset ${off} is outside the string section`);
      return "";
    }
    return s;
  };

  // Pass 1: records with raw type IDs; pass 2: resolve IDs to objects.
  type Pending = { t: BtfType; refs: { set: (v: BtfType) => void; id: number }[] };
  const pending: Pending[] = [];
  const tr = new ByteReader(bytes.subarray(hdrLen + typeOff, hdrLen + typeOff + typeLen));
  let at = 0;
  while (at < tr.length) {
    if (!tr.has(at, 12)) {
      err(ElfCodes.btfTruncated, `BTF type record at offset ${at} is truncated`);
      break;
    }
    const id = pending.length + 1;
    const nameOff = tr.u32(at);
    const info = tr.u32(at + 4);
    const sizeType = tr.u32(at + 8);
    at += 12;
    const kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    const kindFlag = info >>> 31 === 1;
    const what = `BTF type [${id}] ${KIND_NAMES[kind] ?? `kind ${kind}`}`;
    const nm = (): string => name(nameOff, what);
    const refs: Pending["refs"] = [];
    const ref = (rawId: number, set: (v: BtfType) => void): void => {
      refs.push({ id: rawId, set });
    };
    const need = (n: number): boolean => {
      if (tr.has(at, n)) return true;
      err(ElfCodes.btfTruncated, `${what}: record extends past the type section`);
      at = tr.length;
      return false;
    };
    let t: BtfType;
    switch (kind) {
      case BTF_KIND.int: {
        if (!need(4)) continue;
        const v = tr.u32(at);
        at += 4;
        const it: BtfInt = {
          kind: "int",
          name: nm(),
          size: sizeType,
          encoding: (v >>> 24) & 0xf,
          bits: v & 0xff,
        };
        if (((v >>> 16) & 0xff) !== 0) it.offset = (v >>> 16) & 0xff;
        t = it;
        break;
      }
      case BTF_KIND.ptr: {
        const p: BtfPtr = { kind: "ptr", target: VOID };
        ref(sizeType, (v) => (p.target = v));
        t = p;
        break;
      }
      case BTF_KIND.array: {
        if (!need(12)) continue;
        const a: BtfArray = { kind: "array", type: VOID, index: VOID, nelems: tr.u32(at + 8) };
        ref(tr.u32(at), (v) => (a.type = v));
        ref(tr.u32(at + 4), (v) => (a.index = v));
        at += 12;
        t = a;
        break;
      }
      case BTF_KIND.struct:
      case BTF_KIND.union: {
        if (!need(vlen * 12)) continue;
        const members: BtfMember[] = [];
        for (let i = 0; i < vlen; i++, at += 12) {
          const off = tr.u32(at + 8);
          const m: BtfMember = {
            name: name(tr.u32(at), what),
            type: VOID,
            bitOffset: kindFlag ? off & 0xffffff : off,
          };
          if (kindFlag && off >>> 24 !== 0) m.bitfieldSize = off >>> 24;
          ref(tr.u32(at + 4), (v) => (m.type = v));
          members.push(m);
        }
        t = {
          kind: kind === BTF_KIND.struct ? "struct" : "union",
          name: nm(),
          size: sizeType,
          members,
        };
        break;
      }
      case BTF_KIND.enum: {
        if (!need(vlen * 8)) continue;
        const values: BtfEnum["values"] = [];
        for (let i = 0; i < vlen; i++, at += 8)
          values.push({
            name: name(tr.u32(at), what),
            value: kindFlag ? tr.i32(at + 4) : tr.u32(at + 4),
          });
        t = { kind: "enum", name: nm(), size: sizeType, signed: kindFlag, values };
        break;
      }
      case BTF_KIND.enum64: {
        if (!need(vlen * 12)) continue;
        const values: BtfEnum64["values"] = [];
        for (let i = 0; i < vlen; i++, at += 12) {
          const u = (BigInt(tr.u32(at + 8)) << 32n) | BigInt(tr.u32(at + 4));
          values.push({ name: name(tr.u32(at), what), value: kindFlag ? BigInt.asIntN(64, u) : u });
        }
        t = { kind: "enum64", name: nm(), size: sizeType, signed: kindFlag, values };
        break;
      }
      case BTF_KIND.fwd:
        t = { kind: "fwd", name: nm(), union: kindFlag };
        break;
      case BTF_KIND.typedef:
      case BTF_KIND.type_tag: {
        const x = {
          kind: kind === BTF_KIND.typedef ? "typedef" : "type_tag",
          name: nm(),
          type: VOID,
        } as BtfTypedef | BtfTypeTag;
        ref(sizeType, (v) => (x.type = v));
        t = x;
        break;
      }
      case BTF_KIND.volatile:
      case BTF_KIND.const:
      case BTF_KIND.restrict: {
        const k = KIND_NAMES[kind] as "volatile" | "const" | "restrict";
        const x = { kind: k, type: VOID } as BtfVolatile | BtfConst | BtfRestrict;
        ref(sizeType, (v) => (x.type = v));
        t = x;
        break;
      }
      case BTF_KIND.func: {
        const f: BtfFunc = {
          kind: "func",
          name: nm(),
          proto: undefined as unknown as BtfFuncProto,
          linkage: vlen,
        };
        ref(sizeType, (v) => {
          if (v.kind === "func_proto") f.proto = v;
          else err(ElfCodes.btfBadTypeId, `${what}: type ${sizeType} is not a FUNC_PROTO`);
        });
        t = f;
        break;
      }
      case BTF_KIND.func_proto: {
        if (!need(vlen * 8)) continue;
        const params: BtfParam[] = [];
        for (let i = 0; i < vlen; i++, at += 8) {
          const p: BtfParam = { name: name(tr.u32(at), what), type: VOID };
          ref(tr.u32(at + 4), (v) => (p.type = v));
          params.push(p);
        }
        const fp: BtfFuncProto = { kind: "func_proto", return: VOID, params };
        ref(sizeType, (v) => (fp.return = v));
        t = fp;
        break;
      }
      case BTF_KIND.var: {
        if (!need(4)) continue;
        const x: BtfVar = { kind: "var", name: nm(), type: VOID, linkage: tr.u32(at) };
        at += 4;
        ref(sizeType, (v) => (x.type = v));
        t = x;
        break;
      }
      case BTF_KIND.datasec: {
        if (!need(vlen * 12)) continue;
        const vars: BtfVarSecinfo[] = [];
        for (let i = 0; i < vlen; i++, at += 12) {
          const vi = {
            type: undefined as unknown as BtfVar | BtfFunc,
            offset: tr.u32(at + 4),
            size: tr.u32(at + 8),
          };
          const rawId = tr.u32(at);
          ref(rawId, (v) => {
            if (v.kind === "var" || v.kind === "func") vi.type = v;
            else
              err(
                ElfCodes.btfBadTypeId,
                `${what}: entry ${i} (type ${rawId}) is not a VAR or FUNC`,
              );
          });
          vars.push(vi);
        }
        t = { kind: "datasec", name: nm(), size: sizeType, vars };
        break;
      }
      case BTF_KIND.float:
        t = { kind: "float", name: nm(), size: sizeType };
        break;
      case BTF_KIND.decl_tag: {
        if (!need(4)) continue;
        const x: BtfDeclTag = {
          kind: "decl_tag",
          name: nm(),
          type: VOID,
          componentIdx: tr.i32(at),
        };
        at += 4;
        ref(sizeType, (v) => (x.type = v));
        t = x;
        break;
      }
      default:
        err(ElfCodes.btfBadKind, `BTF type [${id}] has unknown kind ${kind}; cannot continue`);
        at = tr.length;
        continue;
    }
    pending.push({ t, refs });
  }
  const types: BtfType[] = [VOID, ...pending.map((p) => p.t)];
  for (const [i, p] of pending.entries())
    for (const rf of p.refs) {
      const target = types[rf.id];
      if (target === undefined)
        err(
          ElfCodes.btfBadTypeId,
          `BTF type [${i + 1}] refers to type ID ${rf.id}, which does not exist`,
        );
      else rf.set(target);
    }
  // Drop what could not be resolved so that consumers never meet an undefined reference.
  for (const t of types) {
    if (t.kind === "func" && !t.proto) t.proto = { kind: "func_proto", return: VOID, params: [] };
    if (t.kind === "datasec") t.vars = t.vars.filter((v) => v.type !== undefined);
  }
  return { types, stringAt, diagnostics };
}

// --- helpers to build what libbpf and clang expect ------------------------------------

/** The unsigned 4-byte INT clang uses as every array's index type. */
export function arraySizeType(): BtfInt {
  return { kind: "int", name: "__ARRAY_SIZE_TYPE__", size: 4, encoding: 0, bits: 32 };
}

/** The `int` that `__uint()` arrays have as element type. */
export function btfIntType(name = "int", size = 4, signed = true): BtfInt {
  return { kind: "int", name, size, encoding: signed ? BTF_INT.SIGNED : 0, bits: size * 8 };
}

export interface MapDefOptions {
  name: string;
  /** BPF_MAP_TYPE_* value. */
  type: number;
  maxEntries?: number;
  key?: BtfType;
  value?: BtfType;
  keySize?: number;
  valueSize?: number;
  mapFlags?: number;
  pinning?: number;
  numaNode?: number;
  mapExtra?: number;
  /** Shared `int` and `__ARRAY_SIZE_TYPE__`, so that several maps reuse one INT each. */
  int?: BtfInt;
  indexType?: BtfInt;
}

/**
 * A BTF-defined map the way libbpf's `__uint(name, v)` (`int (*name)[v]`: PTR → ARRAY with
 * nelems = v) and `__type(name, T)` (`T *name`: PTR → T) macros lay it out: an anonymous
 * struct of 8-byte pointer members, and a global VAR of that struct named after the map.
 */
export function btfMapDef(o: MapDefOptions): { struct: BtfStruct; var: BtfVar; size: number } {
  const int = o.int ?? btfIntType();
  const index = o.indexType ?? arraySizeType();
  const members: BtfMember[] = [];
  const uint = (name: string, v: number | undefined): void => {
    if (v === undefined) return;
    const arr: BtfArray = { kind: "array", type: int, index, nelems: v };
    members.push({ name, type: { kind: "ptr", target: arr }, bitOffset: members.length * 64 });
  };
  const typ = (name: string, t: BtfType | undefined): void => {
    if (t === undefined) return;
    members.push({ name, type: { kind: "ptr", target: t }, bitOffset: members.length * 64 });
  };
  uint("type", o.type);
  uint("max_entries", o.maxEntries);
  uint("map_flags", o.mapFlags);
  uint("numa_node", o.numaNode);
  uint("key_size", o.keySize);
  typ("key", o.key);
  uint("value_size", o.valueSize);
  typ("value", o.value);
  uint("pinning", o.pinning);
  uint("map_extra", o.mapExtra);
  const size = members.length * 8;
  const struct: BtfStruct = { kind: "struct", name: "", size, members };
  return {
    struct,
    var: { kind: "var", name: o.name, type: struct, linkage: BTF_VAR_LINKAGE.global },
    size,
  };
}

/** A DATASEC (`.maps`, `.data`, `.rodata`, `.bss`, `.ksyms`, …) over variables at their offsets. */
export function btfDatasec(
  name: string,
  vars: { var: BtfVar | BtfFunc; offset: number; size: number }[],
  size?: number,
): BtfDatasec {
  const sorted = [...vars].sort((a, b) => a.offset - b.offset);
  const end = sorted.reduce((m, v) => Math.max(m, v.offset + v.size), 0);
  return {
    kind: "datasec",
    name,
    size: size ?? end,
    vars: sorted.map((v) => ({ type: v.var, offset: v.offset, size: v.size })),
  };
}

/** A FUNC with its FUNC_PROTO, as every program and subprogram needs for func_info. */
export function btfFunc(
  name: string,
  ret: BtfType,
  params: BtfParam[],
  linkage: number = BTF_FUNC_LINKAGE.global,
): BtfFunc {
  return { kind: "func", name, linkage, proto: { kind: "func_proto", return: ret, params } };
}

/** Follows typedefs and qualifiers (const, volatile, restrict, type_tag) to the type they name. */
export function skipModsAndTypedefs(t: BtfType): BtfType {
  let x = t;
  for (let n = 0; n < 64; n++) {
    if (
      x.kind === "typedef" ||
      x.kind === "const" ||
      x.kind === "volatile" ||
      x.kind === "restrict" ||
      x.kind === "type_tag"
    )
      x = x.type;
    else break;
  }
  return x;
}
