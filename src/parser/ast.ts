/**
 * The AST of the program language (language.md), produced by `parse()` in ./index.ts.
 *
 * STABLE: src/check and later phases may rely on this file. Changes are additive only
 * (new optional fields or new node kinds), announced in docs/language-parser.md.
 *
 * Conventions:
 * - Every node has `kind` (the discriminant) and `range` (the source text it covers).
 * - Names are `Identifier` nodes so each carries its own range.
 * - `parse()` returns a Program only when the parser reported no errors, so the tree never
 *   holds holes or placeholder nodes: every required field is present and well-formed.
 * - Constructs outside the language (classes, closures, `as`, floats, `**`, `??`, …) are
 *   rejected by the parser and have no node kind. Constructs that are syntactically in the
 *   language but semantically restricted (string literals outside `trace`/`license`/`name`,
 *   `new` of a non-map class, unknown type names, `T | null` outside map lookups, `number`)
 *   are represented here and left to the checker.
 */
import type { SourceRange } from "../diagnostics/index.js";

interface NodeBase {
  range: SourceRange;
}

// ---------------------------------------------------------------------------------------
// Root and module items

export interface Program extends NodeBase {
  kind: "Program";
  /** The source file's path, as given to `parse()`. */
  file: string;
  items: ModuleItem[];
}

export type ModuleItem =
  ImportDecl | VarDecl | DeclareConst | EnumDecl | InterfaceDecl | FunctionDecl;

/** `import { a, b as c } from "ioubpf/lang";` — the parser rejects any other module. */
export interface ImportDecl extends NodeBase {
  kind: "ImportDecl";
  specifiers: ImportSpecifier[];
  /** The module name without quotes (always "ioubpf/lang" in a valid program). */
  source: string;
  sourceRange: SourceRange;
  /** `import type { … }`. */
  typeOnly: boolean;
}

export interface ImportSpecifier extends NodeBase {
  kind: "ImportSpecifier";
  /** The exported name in ioubpf/lang. */
  imported: Identifier;
  /** The local name (same node as `imported` when there is no `as`). */
  local: Identifier;
}

/**
 * `const`/`let` declaration, at top level or as a statement (then `exported` is false).
 * `export const name = "…"` and `export const license = "…"` are ordinary exported consts.
 */
export interface VarDecl extends NodeBase {
  kind: "VarDecl";
  declKind: "const" | "let";
  exported: boolean;
  /** One or more, in source order (`let a = 1, b = 2;`). */
  declarators: VarDeclarator[];
}

export interface VarDeclarator extends NodeBase {
  kind: "VarDeclarator";
  name: Identifier;
  /** `let x!: T` — TypeScript's definite-assignment mark (a zero-initialised global). */
  definite?: boolean;
  type?: TypeExpr;
  init?: Expr;
}

/** `declare const X: T;` — a read-only global set by the loader (.rodata). */
export interface DeclareConst extends NodeBase {
  kind: "DeclareConst";
  exported: boolean;
  name: Identifier;
  type: TypeExpr;
}

/** `const enum E { A = 1, B }` (plain `enum` is rejected by the parser). */
export interface EnumDecl extends NodeBase {
  kind: "EnumDecl";
  exported: boolean;
  name: Identifier;
  members: EnumMember[];
}

export interface EnumMember extends NodeBase {
  kind: "EnumMember";
  name: Identifier;
  init?: Expr;
}

/** `interface S { a: u32; readonly b: FixedArray<u8, 16>; }` — a C-layout struct. */
export interface InterfaceDecl extends NodeBase {
  kind: "InterfaceDecl";
  exported: boolean;
  name: Identifier;
  fields: InterfaceField[];
}

export interface InterfaceField extends NodeBase {
  kind: "InterfaceField";
  readonly: boolean;
  name: Identifier;
  type: TypeExpr;
}

export interface FunctionDecl extends NodeBase {
  kind: "FunctionDecl";
  exported: boolean;
  name: Identifier;
  params: Param[];
  /** Absent when the source omits it (the checker decides whether that is allowed). */
  returnType?: TypeExpr;
  body: Block;
}

export interface Param extends NodeBase {
  kind: "Param";
  name: Identifier;
  /** Always present: the parser rejects untyped parameters (they would be `any`). */
  type: TypeExpr;
}

// ---------------------------------------------------------------------------------------
// Type expressions

export type TypeExpr = TypeRef | NullableType | VoidType | LiteralType;

/** `u32`, `Cqe`, `FixedArray<u8, 16>`, `ArrayMap<u32, Stats>`. */
export interface TypeRef extends NodeBase {
  kind: "TypeRef";
  name: Identifier;
  /** Empty when there is no `<…>`. */
  args: TypeExpr[];
}

/** `T | null` (or `null | T`); any other union is rejected by the parser. */
export interface NullableType extends NodeBase {
  kind: "NullableType";
  base: TypeExpr;
}

export interface VoidType extends NodeBase {
  kind: "VoidType";
}

/** An integer literal used as a type argument, as in `FixedArray<u8, 16>`. */
export interface LiteralType extends NodeBase {
  kind: "LiteralType";
  raw: string;
  value: bigint;
}

// ---------------------------------------------------------------------------------------
// Statements

export type Stmt =
  | Block
  | VarDecl
  | ExprStmt
  | IfStmt
  | SwitchStmt
  | ForStmt
  | WhileStmt
  | DoWhileStmt
  | BreakStmt
  | ContinueStmt
  | ReturnStmt
  | EmptyStmt;

export interface Block extends NodeBase {
  kind: "Block";
  body: Stmt[];
}

export interface ExprStmt extends NodeBase {
  kind: "ExprStmt";
  expr: Expr;
}

export interface IfStmt extends NodeBase {
  kind: "IfStmt";
  test: Expr;
  consequent: Stmt;
  alternate?: Stmt;
}

export interface SwitchStmt extends NodeBase {
  kind: "SwitchStmt";
  discriminant: Expr;
  cases: SwitchCase[];
}

export interface SwitchCase extends NodeBase {
  kind: "SwitchCase";
  /** Absent for `default:`. */
  test?: Expr;
  body: Stmt[];
}

export interface ForStmt extends NodeBase {
  kind: "ForStmt";
  init?: VarDecl | Expr;
  test?: Expr;
  update?: Expr;
  body: Stmt;
}

export interface WhileStmt extends NodeBase {
  kind: "WhileStmt";
  test: Expr;
  body: Stmt;
}

export interface DoWhileStmt extends NodeBase {
  kind: "DoWhileStmt";
  body: Stmt;
  test: Expr;
}

export interface BreakStmt extends NodeBase {
  kind: "BreakStmt";
}

export interface ContinueStmt extends NodeBase {
  kind: "ContinueStmt";
}

export interface ReturnStmt extends NodeBase {
  kind: "ReturnStmt";
  value?: Expr;
}

/** A lone `;`. */
export interface EmptyStmt extends NodeBase {
  kind: "EmptyStmt";
}

// ---------------------------------------------------------------------------------------
// Expressions

export type Expr =
  | IntLiteral
  | BoolLiteral
  | StringLiteral
  | NullLiteral
  | Identifier
  | MemberExpr
  | IndexExpr
  | CallExpr
  | NewExpr
  | ObjectLiteral
  | UnaryExpr
  | BinaryExpr
  | LogicalExpr
  | ConditionalExpr
  | AssignExpr
  | UpdateExpr
  | ParenExpr
  | NullishExpr
  | SequenceExpr;

/** Decimal, `0x`, `0o`, `0b`, with `_` separators. Never negative (`-1` is a UnaryExpr). */
export interface IntLiteral extends NodeBase {
  kind: "IntLiteral";
  raw: string;
  value: bigint;
}

export interface BoolLiteral extends NodeBase {
  kind: "BoolLiteral";
  value: boolean;
}

/** Allowed by the parser anywhere an expression is; the checker restricts where. */
export interface StringLiteral extends NodeBase {
  kind: "StringLiteral";
  /** Source text including quotes. */
  raw: string;
  /** Value after escape processing. */
  value: string;
}

export interface NullLiteral extends NodeBase {
  kind: "NullLiteral";
}

export interface Identifier extends NodeBase {
  kind: "Identifier";
  name: string;
}

/** `a.b` */
export interface MemberExpr extends NodeBase {
  kind: "MemberExpr";
  object: Expr;
  property: Identifier;
  /** `a?.b`: only as the left operand of `??` (a map lookup's field, or the default). */
  optional?: boolean;
}

/** `a[i]` */
export interface IndexExpr extends NodeBase {
  kind: "IndexExpr";
  object: Expr;
  index: Expr;
}

export interface CallExpr extends NodeBase {
  kind: "CallExpr";
  callee: Expr;
  args: Expr[];
}

/** `new ArrayMap<u32, Stats>(16)`; the checker restricts `callee` to the map classes. */
export interface NewExpr extends NodeBase {
  kind: "NewExpr";
  callee: Identifier;
  typeArgs: TypeExpr[];
  args: Expr[];
}

export interface ObjectLiteral extends NodeBase {
  kind: "ObjectLiteral";
  properties: ObjectProperty[];
}

export interface ObjectProperty extends NodeBase {
  kind: "ObjectProperty";
  key: Identifier;
  /** For shorthand `{ b }`, an Identifier equal in name and range to `key`. */
  value: Expr;
  shorthand: boolean;
}

export type UnaryOp = "-" | "~" | "!";

export interface UnaryExpr extends NodeBase {
  kind: "UnaryExpr";
  op: UnaryOp;
  operand: Expr;
}

/** `**` is not in the language (BPF has no power instruction); `in`/`instanceof` neither. */
export type BinaryOp =
  | "*"
  | "/"
  | "%"
  | "+"
  | "-"
  | "<<"
  | ">>"
  | ">>>"
  | "<"
  | "<="
  | ">"
  | ">="
  | "=="
  | "!="
  | "==="
  | "!=="
  | "&"
  | "^"
  | "|";

export interface BinaryExpr extends NodeBase {
  kind: "BinaryExpr";
  op: BinaryOp;
  left: Expr;
  right: Expr;
}

export type LogicalOp = "&&" | "||";

export interface LogicalExpr extends NodeBase {
  kind: "LogicalExpr";
  op: LogicalOp;
  left: Expr;
  right: Expr;
}

export interface ConditionalExpr extends NodeBase {
  kind: "ConditionalExpr";
  test: Expr;
  consequent: Expr;
  alternate: Expr;
}

/** Logical assignments (`&&=`, `||=`, `??=`) and `**=` are not in the language. */
export type AssignOp =
  "=" | "+=" | "-=" | "*=" | "/=" | "%=" | "<<=" | ">>=" | ">>>=" | "&=" | "|=" | "^=";

/** `target` is whatever expression the source has; the checker checks it is assignable. */
export interface AssignExpr extends NodeBase {
  kind: "AssignExpr";
  op: AssignOp;
  target: Expr;
  value: Expr;
}

export interface UpdateExpr extends NodeBase {
  kind: "UpdateExpr";
  op: "++" | "--";
  prefix: boolean;
  target: Expr;
}

/** Kept so ranges and `(a = b)`-style diagnostics can point at the parentheses. */
/** `a ?? b`: `a` is a map lookup (`m.get(k)` or `m.get(k)?.field`); `b` its default. */
export interface NullishExpr extends NodeBase {
  kind: "NullishExpr";
  left: Expr;
  right: Expr;
}

/** `i++, j++`: only as the update of a `for`. */
export interface SequenceExpr extends NodeBase {
  kind: "SequenceExpr";
  exprs: Expr[];
}

export interface ParenExpr extends NodeBase {
  kind: "ParenExpr";
  expr: Expr;
}

export type Node =
  | Program
  | ModuleItem
  | ImportSpecifier
  | VarDeclarator
  | EnumMember
  | InterfaceField
  | Param
  | TypeExpr
  | Stmt
  | SwitchCase
  | Expr
  | ObjectProperty;

export type NodeKind = Node["kind"];
