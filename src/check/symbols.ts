// What the checker hands to code generation: resolved symbols, the type of every
// expression, folded constants, layouts, globals with their sections, maps, functions and
// the call graph. The AST itself is not copied or rewritten; side tables keyed by AST node
// identity ("typed AST by side tables") keep the parser's tree stable.

import type * as ast from "../parser/ast.js";
import type { Mcpu, TargetInfo } from "../targets/targets.js";
import type { SubmitOp } from "../targets/sqe.js";
import type { DataType, IntType, MapKind, MapType, StructType, Type } from "./types.js";

/** The names ioubpf/lang exports; values and types (several are both). */
export const LANG_VALUES = [
  "u8",
  "u16",
  "u32",
  "u64",
  "i8",
  "i16",
  "i32",
  "i64",
  "submit",
  "emit",
  "stop",
  "ktime",
  "random",
  "trace",
  "copyFromUser",
  "copyToUser",
  "ArrayMap",
  "HashMap",
  "PerCpuArrayMap",
  "RingBuf",
] as const;
export const LANG_TYPES = [
  "u8",
  "u16",
  "u32",
  "u64",
  "i8",
  "i16",
  "i32",
  "i64",
  "bool",
  "Cqe",
  "FixedArray",
  "ArrayMap",
  "HashMap",
  "PerCpuArrayMap",
  "RingBuf",
] as const;
/**
 * Names lang/index.d.ts exports only so editors can describe builtins (`ReadOptions`,
 * `EmitCqe`, …): importing them is harmless, using them in a program is not supported.
 */
export const LANG_DOC_ONLY = /^(?:[A-Z][A-Za-z0-9]*Options|SqeCommon|SqeFlags|EmitCqe|Submit)$/;
export type LangName = (typeof LANG_VALUES)[number] | (typeof LANG_TYPES)[number];
export function isLangName(s: string): s is LangName {
  return (
    (LANG_VALUES as readonly string[]).includes(s) || (LANG_TYPES as readonly string[]).includes(s)
  );
}

export type Section = ".rodata" | ".data" | ".bss";

/** A name imported from ioubpf/lang (`local` may differ from `name` with `as`). */
export interface LangSymbol {
  kind: "lang";
  /** The exported name (a LangName, or a doc-only name matching LANG_DOC_ONLY). */
  name: string;
  local: string;
  decl: ast.ImportSpecifier;
}

/** A folded compile-time constant: a top-level `const`, or a local `const` with a constant initializer. */
export interface ConstSymbol {
  kind: "const";
  name: string;
  /** `untyped` when no annotation gave it a width. */
  type: IntType | { kind: "bool" } | { kind: "untyped" };
  value: bigint | boolean;
  decl: ast.VarDeclarator;
}

export interface EnumSymbol {
  kind: "enum";
  name: string;
  members: Map<string, bigint>;
  decl: ast.EnumDecl;
}

export interface StructSymbol {
  kind: "struct";
  name: string;
  type: StructType;
  decl: ast.InterfaceDecl;
}

/** A top-level `let` or `declare const`. */
export interface GlobalSymbol {
  kind: "global";
  name: string;
  type: DataType;
  /** `.rodata` for `declare const` (set by the loader), `.data` when initialised non-zero, else `.bss`. */
  section: Section;
  readonly: boolean;
  /** Initial value of a scalar global (absent: zero, or set by the loader). */
  init?: bigint | boolean;
  /** Initial bytes (little-endian, padding zero) when initialised; absent for `.bss`/`.rodata` without init. */
  initBytes?: Uint8Array;
  decl: ast.VarDeclarator | ast.DeclareConst;
}

export interface MapDef {
  kind: "map";
  name: string;
  mapKind: MapKind | "RingBuf";
  /** Absent for RingBuf. */
  type?: MapType;
  keySize: number;
  valueSize: number;
  /** Entries, or bytes for RingBuf. */
  maxEntries: number;
  decl: ast.VarDeclarator;
}

export interface FunctionSymbol {
  kind: "function";
  name: string;
  decl: ast.FunctionDecl;
  info: CheckedFunction;
}

/** A parameter or a local variable. `id` is unique in the program. */
export interface LocalSymbol {
  kind: "local";
  name: string;
  id: number;
  type: Type;
  mutable: boolean;
  param: boolean;
  /** Set for a local `const` whose initializer folded; uses are replaced by the value. */
  constValue?: bigint | boolean;
  decl: ast.Identifier;
}

export type Sym =
  | LangSymbol
  | ConstSymbol
  | EnumSymbol
  | StructSymbol
  | GlobalSymbol
  | MapDef
  | FunctionSymbol
  | LocalSymbol;

export interface SqeFieldValue {
  /** Field name (camelCase, sqe.ts) or IOSQE boolean name. */
  name: string;
  value: ast.Expr;
  /** Folded value when constant. */
  constant?: bigint | boolean;
}

/** What a call expression resolved to. */
export type CallTarget =
  | { kind: "conversion"; to: IntType }
  | { kind: "function"; fn: FunctionSymbol }
  | {
      kind: "submit";
      /** Undefined for `submit.sqe`. */
      op?: SubmitOp;
      /** Constant opcode (from the op, or the `opcode` field of submit.sqe). */
      opcode: number;
      fields: SqeFieldValue[];
      flags: SqeFieldValue[];
    }
  | { kind: "emit"; fields: SqeFieldValue[] }
  | { kind: "builtin"; name: "stop" | "ktime" | "random" | "copyFromUser" | "copyToUser" }
  | { kind: "trace"; format: string; args: ast.Expr[] }
  /** `Math.min(a, b)` / `Math.max(a, b)` on integers of `type`. */
  | { kind: "minmax"; op: "min" | "max"; type: IntType }
  | { kind: "mapMethod"; map: MapDef; method: "get" | "set" | "delete" | "has" | "output" };

export interface CheckedFunction {
  name: string;
  decl: ast.FunctionDecl;
  entry?: "onStart" | "onCompletion";
  params: LocalSymbol[];
  returnType: Type;
  /** Every parameter and local, in declaration order. */
  locals: LocalSymbol[];
  /** Names of program functions this one calls (call graph edges). */
  calls: string[];
}

export interface CheckedProgram {
  file: string;
  /** Program name: `export const name`, else the file's base name without `.bpf.ts`. */
  name: string;
  license: string;
  target: TargetInfo;
  mcpu: Mcpu;
  ast: ast.Program;
  /** Resolved symbol of every identifier that names something (declarations included). */
  symbols: Map<ast.Identifier, Sym>;
  /**
   * Type of every checked expression. An untyped constant that met a typed context has the
   * context's type here; one that never did keeps `untyped` (its value is in `constants`).
   * For a narrowed map lookup the type is the value type V (the value is a reference).
   */
  types: Map<ast.Expr, Type>;
  /** Folded value of every constant expression, wrapped to its recorded type. Codegen uses it and need not descend. */
  constants: Map<ast.Expr, bigint | boolean>;
  calls: Map<ast.CallExpr, CallTarget>;
  /** For a `MemberExpr` that reads an enum member or struct field. */
  members: Map<
    ast.MemberExpr,
    { kind: "enumMember"; value: bigint } | { kind: "field"; struct: StructType; field: string }
  >;
  structs: Map<string, StructType>;
  enums: Map<string, EnumSymbol>;
  consts: Map<string, ConstSymbol>;
  globals: GlobalSymbol[];
  maps: MapDef[];
  functions: CheckedFunction[];
  entryPoints: { onStart?: CheckedFunction; onCompletion?: CheckedFunction };
  /** Caller → callees, by function name. Acyclic when the program checked clean. */
  callGraph: Map<string, string[]>;
  /** The program uses something that needs a sleepable program (submit on iouring-v2, copyFromUser…). */
  needsSleepable: boolean;
}
