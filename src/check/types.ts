// The checker's types, C struct layout, and constant folding.
//
// Integers are the eight BPF widths plus `bool`. A literal (or an expression made only of
// literals, top-level consts and enum members) is an *untyped constant*: it has no width
// until its context gives it one, as in Go, which is how `len: BLOCK` fits a u32 field while
// `off: BLOCK` fits a u64. Folding is exact BigInt arithmetic, wrapped at the type's width
// once the type is known; untyped arithmetic must stay within 64 bits.

import { CQE_FIELDS } from "../targets/sqe.js";

export type IntName = "u8" | "u16" | "u32" | "u64" | "i8" | "i16" | "i32" | "i64";

export interface IntType {
  readonly kind: "int";
  readonly name: IntName;
  readonly bits: 8 | 16 | 32 | 64;
  readonly signed: boolean;
}
export interface BoolType {
  readonly kind: "bool";
}
export interface VoidType {
  readonly kind: "void";
}
/** A compile-time integer constant that has not been given a width yet. */
export interface UntypedIntType {
  readonly kind: "untyped";
}
/** The type of the `null` literal (only compared with map lookups). */
export interface NullType {
  readonly kind: "null";
}
/** The type of a string literal (only trace formats, `name` and `license`). */
export interface StringType {
  readonly kind: "string";
}

export interface StructField {
  readonly name: string;
  readonly type: DataType;
  readonly offset: number;
  readonly readonly: boolean;
}

/** A struct from an `interface` (or the builtin `Cqe`), with its C layout. */
export interface StructType {
  readonly kind: "struct";
  readonly name: string;
  readonly fields: readonly StructField[];
  readonly size: number;
  readonly align: number;
  /** Every field is read-only (Cqe). */
  readonly readonly: boolean;
}

/** `FixedArray<T, N>`. */
export interface ArrayType {
  readonly kind: "array";
  readonly element: DataType;
  readonly length: number;
}

export type MapKind = "ArrayMap" | "HashMap" | "PerCpuArrayMap";

export interface MapType {
  readonly kind: "map";
  readonly mapKind: MapKind;
  readonly key: DataType;
  readonly value: DataType;
}

export interface RingBufType {
  readonly kind: "ringbuf";
}

/**
 * `V | null`: the result of `m.get(k)`, a reference into the map. Where the checker has
 * proved it non-null, expressions using it have type V (still a reference: codegen loads
 * and stores through the pointer).
 */
export interface NullableType {
  readonly kind: "nullable";
  readonly base: DataType;
}

/** Types that have a memory layout. */
export type DataType = IntType | BoolType | StructType | ArrayType;

export type Type =
  | DataType
  | VoidType
  | UntypedIntType
  | NullType
  | StringType
  | MapType
  | RingBufType
  | NullableType;

function int(name: IntName, bits: 8 | 16 | 32 | 64, signed: boolean): IntType {
  return { kind: "int", name, bits, signed };
}

export const INT_TYPES: Readonly<Record<IntName, IntType>> = {
  u8: int("u8", 8, false),
  u16: int("u16", 16, false),
  u32: int("u32", 32, false),
  u64: int("u64", 64, false),
  i8: int("i8", 8, true),
  i16: int("i16", 16, true),
  i32: int("i32", 32, true),
  i64: int("i64", 64, true),
};
export const INT_NAMES = Object.keys(INT_TYPES) as IntName[];
export const BOOL: BoolType = { kind: "bool" };
export const VOID: VoidType = { kind: "void" };
export const UNTYPED: UntypedIntType = { kind: "untyped" };
export const NULL: NullType = { kind: "null" };
export const STRING: StringType = { kind: "string" };
export const RINGBUF: RingBufType = { kind: "ringbuf" };

export function isIntName(s: string): s is IntName {
  return Object.prototype.hasOwnProperty.call(INT_TYPES, s);
}

export function isInteger(t: Type): t is IntType | UntypedIntType {
  return t.kind === "int" || t.kind === "untyped";
}

export function isData(t: Type): t is DataType {
  return t.kind === "int" || t.kind === "bool" || t.kind === "struct" || t.kind === "array";
}

export function isScalar(t: Type): t is IntType | BoolType {
  return t.kind === "int" || t.kind === "bool";
}

/** Structural equality; structs are nominal (same declaration ⇒ same object). */
export function sameType(a: Type, b: Type): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case "int":
      return a.name === (b as IntType).name;
    case "struct":
      return a === b;
    case "array":
      return a.length === (b as ArrayType).length && sameType(a.element, (b as ArrayType).element);
    case "map":
      return (
        a.mapKind === (b as MapType).mapKind &&
        sameType(a.key, (b as MapType).key) &&
        sameType(a.value, (b as MapType).value)
      );
    case "nullable":
      return sameType(a.base, (b as NullableType).base);
    default:
      return true;
  }
}

export function typeToString(t: Type): string {
  switch (t.kind) {
    case "int":
      return t.name;
    case "bool":
      return "bool";
    case "void":
      return "void";
    case "untyped":
      return "an integer constant";
    case "null":
      return "null";
    case "string":
      return "string";
    case "struct":
      return t.name;
    case "array":
      return `FixedArray<${typeToString(t.element)}, ${t.length}>`;
    case "map":
      return `${t.mapKind}<${typeToString(t.key)}, ${typeToString(t.value)}>`;
    case "ringbuf":
      return "RingBuf";
    case "nullable":
      return `${typeToString(t.base)} | null`;
  }
}

// ---------------------------------------------------------------------------------------
// Layout (C rules: natural alignment, size rounded up to the alignment)

export function sizeOf(t: DataType): number {
  switch (t.kind) {
    case "int":
      return t.bits / 8;
    case "bool":
      return 1;
    case "struct":
      return t.size;
    case "array":
      return sizeOf(t.element) * t.length;
  }
}

export function alignOf(t: DataType): number {
  switch (t.kind) {
    case "int":
      return t.bits / 8;
    case "bool":
      return 1;
    case "struct":
      return t.align;
    case "array":
      return alignOf(t.element);
  }
}

export function alignUp(n: number, align: number): number {
  return Math.ceil(n / align) * align;
}

/** Lays out fields in order with natural alignment, as a C compiler would. */
export function layoutStruct(
  name: string,
  fields: readonly { name: string; type: DataType; readonly?: boolean }[],
  allReadonly = false,
): StructType {
  let offset = 0;
  let align = 1;
  const out: StructField[] = [];
  for (const f of fields) {
    const a = alignOf(f.type);
    offset = alignUp(offset, a);
    out.push({ name: f.name, type: f.type, offset, readonly: allReadonly || Boolean(f.readonly) });
    offset += sizeOf(f.type);
    align = Math.max(align, a);
  }
  return {
    kind: "struct",
    name,
    fields: out,
    size: alignUp(offset, align),
    align,
    readonly: allReadonly,
  };
}

/** Padding bytes of a struct (holes between fields and at the end), for codegen zeroing. */
export function structPadding(s: StructType): { offset: number; size: number }[] {
  const holes: { offset: number; size: number }[] = [];
  let at = 0;
  for (const f of s.fields) {
    if (f.offset > at) holes.push({ offset: at, size: f.offset - at });
    at = f.offset + sizeOf(f.type);
  }
  if (s.size > at) holes.push({ offset: at, size: s.size - at });
  return holes;
}

/** `struct io_uring_cqe` as the language sees it (read-only), from the ring ABI table. */
export const CQE: StructType = layoutStruct(
  "Cqe",
  CQE_FIELDS.map((f) => ({
    name: f.name,
    type: INT_TYPES[`${f.signed ? "i" : "u"}${f.size * 8}` as IntName],
  })),
  true,
);

// ---------------------------------------------------------------------------------------
// Integer values

export function minOf(t: IntType): bigint {
  return t.signed ? -(1n << BigInt(t.bits - 1)) : 0n;
}

export function maxOf(t: IntType): bigint {
  return t.signed ? (1n << BigInt(t.bits - 1)) - 1n : (1n << BigInt(t.bits)) - 1n;
}

export function fits(value: bigint, t: IntType): boolean {
  return value >= minOf(t) && value <= maxOf(t);
}

/** Truncate to the type's width and reinterpret with its signedness (wrap-around). */
export function wrap(value: bigint, t: IntType): bigint {
  return t.signed ? BigInt.asIntN(t.bits, value) : BigInt.asUintN(t.bits, value);
}

/** Untyped constants must be representable in 64 bits (as i64 or u64). */
export const UNTYPED_MIN = -(1n << 63n);
export const UNTYPED_MAX = (1n << 64n) - 1n;
export function untypedInRange(v: bigint): boolean {
  return v >= UNTYPED_MIN && v <= UNTYPED_MAX;
}

export type FoldOp =
  | "+"
  | "-"
  | "*"
  | "/"
  | "%"
  | "<<"
  | ">>"
  | ">>>"
  | "&"
  | "|"
  | "^"
  | "<"
  | "<="
  | ">"
  | ">="
  | "=="
  | "!=";

export type FoldResult =
  | { ok: true; value: bigint | boolean }
  | { ok: false; reason: "shift" | "overflow"; message: string };

/**
 * Folds a binary operator on two integer constants of type `t` (undefined = untyped).
 * BPF semantics: x / 0 == 0, x % 0 == x; signed `/` truncates toward zero and `%` takes
 * the dividend's sign; `>>` is arithmetic on signed types, logical on unsigned; `>>>` is
 * always logical. Shift counts must be below the width (the kernel rejects larger
 * constant shifts).
 */
export function foldBinary(op: FoldOp, a: bigint, b: bigint, t: IntType | undefined): FoldResult {
  const bits = t?.bits ?? 64;
  const done = (v: bigint): FoldResult => {
    if (t) return { ok: true, value: wrap(v, t) };
    if (!untypedInRange(v))
      return { ok: false, reason: "overflow", message: `constant ${v} does not fit in 64 bits` };
    return { ok: true, value: v };
  };
  switch (op) {
    case "+":
      return done(a + b);
    case "-":
      return done(a - b);
    case "*":
      return done(a * b);
    case "/":
      return done(b === 0n ? 0n : a / b);
    case "%":
      return done(b === 0n ? a : a % b);
    case "&":
      return done(a & b);
    case "|":
      return done(a | b);
    case "^":
      return done(a ^ b);
    case "<<":
    case ">>":
    case ">>>": {
      if (b < 0n || b >= BigInt(bits))
        return { ok: false, reason: "shift", message: `shift count ${b} is not in 0..${bits - 1}` };
      if (op === "<<") return done(a << b);
      if (op === ">>") {
        // Untyped constants shift as their value; typed ones by their signedness.
        if (!t || t.signed) return done(a >> b);
        return done(BigInt.asUintN(bits, a) >> b);
      }
      return done(BigInt.asUintN(bits, a) >> b);
    }
    case "<":
      return { ok: true, value: a < b };
    case "<=":
      return { ok: true, value: a <= b };
    case ">":
      return { ok: true, value: a > b };
    case ">=":
      return { ok: true, value: a >= b };
    case "==":
      return { ok: true, value: a === b };
    case "!=":
      return { ok: true, value: a !== b };
  }
}

export function foldUnary(op: "-" | "~", a: bigint, t: IntType | undefined): FoldResult {
  if (t) return { ok: true, value: wrap(op === "-" ? -a : ~a, t) };
  const v = op === "-" ? -a : ~a;
  if (!untypedInRange(v))
    return { ok: false, reason: "overflow", message: `constant ${v} does not fit in 64 bits` };
  return { ok: true, value: v };
}

/** The conversion the error message suggests for turning `from` into `to`. */
export function conversionHint(expr: string, to: Type): string | undefined {
  if (to.kind === "int") return `convert explicitly: ${to.name}(${expr})`;
  if (to.kind === "bool") return `compare explicitly: ${expr} != 0`;
  return undefined;
}
