// The checker: names and scopes, types, constant folding, layouts, null checks of map
// lookups, loop bounds, recursion, and the target's context rules. It never throws on bad
// input: every problem becomes a Diagnostic, and checking goes on so one run reports all.
// Output tables are described in ./symbols.ts.

import type * as ast from "../parser/ast.js";
import { isGplCompatible } from "../targets/bpf-abi.js";
import type { DiagnosticBag, RelatedInfo, SourceRange } from "../diagnostics/index.js";
import {
  type Mcpu,
  type TargetBuiltin,
  type TargetInfo,
  hasSignedDivision,
  mcpuLevel,
  opcodeAllowed,
  getTarget,
} from "../targets/targets.js";
import {
  type SqeField,
  type SubmitOp,
  fieldRange,
  fieldsOverlap,
  iosqeFlag,
  opField,
  opFields,
  opcodeName,
  sqeField,
  submitOp,
} from "../targets/sqe.js";
import { CheckCodes as C } from "./codes.js";
import {
  type CheckedFunction,
  type CheckedProgram,
  type ConstSymbol,
  type EnumSymbol,
  type FunctionSymbol,
  type GlobalSymbol,
  type LangSymbol,
  type LocalSymbol,
  type MapDef,
  type SqeFieldValue,
  type StructSymbol,
  type Sym,
  LANG_DOC_ONLY,
  LANG_TYPES,
  LANG_VALUES,
  isLangName,
} from "./symbols.js";
import {
  type DataType,
  type FoldOp,
  type IntName,
  type IntType,
  type MapKind,
  type StructType,
  type Type,
  BOOL,
  CQE,
  INT_TYPES,
  NULL,
  RINGBUF,
  STRING,
  UNTYPED,
  VOID,
  fits,
  foldBinary,
  foldUnary,
  isData,
  isIntName,
  isInteger,
  layoutStruct,
  maxOf,
  minOf,
  sameType,
  sizeOf,
  typeToString,
  wrap,
} from "./types.js";

export interface CheckerOptions {
  target: TargetInfo;
  mcpu: Mcpu;
  /** Source text, to quote expressions in hints. */
  text?: string;
}

/** Value of an expression as the checker sees it. */
interface Val {
  type: Type;
  value?: bigint | boolean;
}

/** Flow facts: locals proved non-null at this point. */
interface Flow {
  nonNull: Set<LocalSymbol>;
  /** Integer locals proved non-zero (divisor checks). */
  nonZero: Set<LocalSymbol>;
}

/** What a condition proves about a local when it holds (or fails). */
interface Fact {
  sym: LocalSymbol;
  kind: "nonNull" | "nonZero";
}

const MAP_CLASSES = ["ArrayMap", "HashMap", "PerCpuArrayMap", "RingBuf"] as const;
const MAX_PARAMS = 5;
const RINGBUF_PAGE = 4096;

function span(a: SourceRange, b: SourceRange): SourceRange {
  return { file: a.file, start: a.start, end: b.end };
}

function headerRange(stmt: { range: SourceRange }, body: { range: SourceRange }): SourceRange {
  return { file: stmt.range.file, start: stmt.range.start, end: body.range.start };
}

function unparen(e: ast.Expr): ast.Expr {
  while (e.kind === "ParenExpr") e = e.expr;
  return e;
}

function plural(n: number, w: string): string {
  return `${n} ${w}${n === 1 ? "" : "s"}`;
}

export class Checker {
  private readonly target: TargetInfo;
  private readonly mcpu: Mcpu;
  private readonly text: string | undefined;

  private readonly module = new Map<string, Sym>();
  /** Top-level value names not processed yet (to say "used before its declaration"). */
  private readonly pendingTop = new Map<string, ast.Identifier>();
  private readonly scopes: Map<string, Sym>[] = [];
  private flow: Flow = { nonNull: new Set(), nonZero: new Set() };
  private fn: CheckedFunction | undefined;
  private loopDepth = 0;
  private breakDepth = 0;
  private nextLocalId = 0;
  /** Call sites per caller → callee, for the recursion diagnostic. */
  private readonly callSites = new Map<string, Map<string, SourceRange>>();
  private readonly structDecls = new Map<string, ast.InterfaceDecl>();
  private readonly structResolving = new Set<string>();
  private readonly structFailed = new Set<string>();
  private readonly exportedStrings = new Map<string, ast.Identifier>();
  private traceUsed: ast.CallExpr | undefined;
  /** Every top-level value name (declared or not yet). */
  private readonly topNames = new Set<string>();
  /** Functions whose return type was reported bad: their returns are not checked again. */
  private readonly badReturn = new Set<CheckedFunction>();
  private licenseRange: SourceRange | undefined;
  /** `a?.b` operands that are the left side of `??` (the only place `?.` is allowed). */
  private readonly nullishLeft = new Set<ast.MemberExpr>();
  /**
   * The statements after the one being checked, in its block (for `inferLetType`): the block's
   * list and where the rest starts, so moving through a block copies nothing (a copy per
   * statement made long blocks quadratic, issue 16).
   */
  private rest: { nodes: readonly ast.Node[]; from: number } = { nodes: [], from: 0 };
  /** Helpers without a return type that return a value: their type is inferred. */
  private readonly inferReturn = new Set<CheckedFunction>();
  private untypedReturns: { e: ast.Expr; v: Val }[] = [];

  readonly out: CheckedProgram;

  constructor(
    private readonly program: ast.Program,
    private readonly bag: DiagnosticBag,
    options: CheckerOptions,
  ) {
    this.target = options.target;
    this.mcpu = options.mcpu;
    this.text = options.text;
    this.out = {
      file: program.file,
      name: programNameFromFile(program.file),
      license: "GPL",
      target: options.target,
      mcpu: options.mcpu,
      ast: program,
      symbols: new Map(),
      types: new Map(),
      constants: new Map(),
      calls: new Map(),
      members: new Map(),
      structs: new Map(),
      enums: new Map(),
      consts: new Map(),
      globals: [],
      maps: [],
      functions: [],
      entryPoints: {},
      callGraph: new Map(),
      needsSleepable: false,
    };
  }

  // -------------------------------------------------------------------------------------
  // Diagnostics helpers

  private error(
    code: string,
    message: string,
    range: SourceRange,
    hint?: string,
    related?: RelatedInfo[],
  ): void {
    this.bag.error(code, message, range, {
      ...(hint ? { hint } : {}),
      ...(related && related.length ? { related } : {}),
    });
  }

  private warn(code: string, message: string, range: SourceRange, hint?: string): void {
    this.bag.warning(code, message, range, hint ? { hint } : {});
  }

  /** Source text of a node, shortened, for hints. */
  private src(n: { range: SourceRange }): string {
    if (!this.text) return "x";
    const s = this.text.slice(n.range.start.offset, n.range.end.offset);
    return s.length > 40 || s.includes("\n") ? "x" : s;
  }

  // -------------------------------------------------------------------------------------
  // Driver

  run(): CheckedProgram {
    const items = this.program.items;
    for (const it of items) if (it.kind === "ImportDecl") this.declareImport(it);
    // Hoisted names: interfaces and functions may be used before their declaration.
    for (const it of items) {
      if (it.kind === "InterfaceDecl") {
        if (this.declareModule(it.name, undefined)) this.structDecls.set(it.name.name, it);
      } else if (it.kind === "FunctionDecl") {
        this.declareFunctionName(it);
      } else if (it.kind === "EnumDecl" || it.kind === "DeclareConst") {
        this.pendingTop.set(it.name.name, it.name);
      } else if (it.kind === "VarDecl") {
        for (const d of it.declarators) this.pendingTop.set(d.name.name, d.name);
      }
    }
    for (const n of this.pendingTop.keys()) this.topNames.add(n);
    for (const it of items) if (it.kind === "InterfaceDecl") this.resolveStruct(it.name.name);
    for (const it of items) {
      switch (it.kind) {
        case "EnumDecl":
          this.checkEnum(it);
          break;
        case "DeclareConst":
          this.checkDeclareConst(it);
          break;
        case "VarDecl":
          this.checkTopVarDecl(it);
          break;
        default:
          break;
      }
    }

    for (const it of items) if (it.kind === "FunctionDecl") this.checkSignature(it);
    // Helpers whose return type is inferred first, callees before callers, so that every
    // call sees its type; then the others in file order.
    const fns = items.filter((it): it is ast.FunctionDecl => it.kind === "FunctionDecl");
    const inferred = new Map(
      fns
        .filter((d) => {
          const s = this.module.get(d.name.name);
          return s?.kind === "function" && s.decl === d && this.inferReturn.has(s.info);
        })
        .map((d) => [d.name.name, d]),
    );
    const order: ast.FunctionDecl[] = [];
    const seen = new Set<ast.FunctionDecl>();
    const visit = (d: ast.FunctionDecl): void => {
      if (seen.has(d)) return;
      seen.add(d);
      walk(d.body, (n) => {
        if (n.kind === "CallExpr" && n.callee.kind === "Identifier") {
          const callee = inferred.get(n.callee.name);
          if (callee) visit(callee);
        }
      });
      order.push(d);
    };
    for (const d of inferred.values()) visit(d);
    for (const d of fns) if (!seen.has(d)) order.push(d);
    for (const d of order) this.checkBody(d);
    this.checkEntryPoints();
    this.checkEmitsToReapedCq();
    this.checkRecursion();
    this.checkLicenseRules();
    return this.out;
  }

  // -------------------------------------------------------------------------------------
  // Module scope

  private declareModule(id: ast.Identifier, sym: Sym | undefined): boolean {
    const prev = this.module.get(id.name);
    if (prev || (sym === undefined && this.structDecls.has(id.name))) {
      const prevDecl = prev ? declIdent(prev) : this.structDecls.get(id.name)?.name;
      this.error(
        C.duplicateName,
        `'${id.name}' is already declared`,
        id.range,
        undefined,
        prevDecl
          ? [{ message: `'${id.name}' was declared here`, range: prevDecl.range }]
          : undefined,
      );
      return false;
    }
    if (sym) {
      this.module.set(id.name, sym);
      this.out.symbols.set(id, sym);
    }
    return true;
  }

  private declareImport(d: ast.ImportDecl): void {
    for (const s of d.specifiers) {
      const name = s.imported.name;
      if (!isLangName(name) && !LANG_DOC_ONLY.test(name)) {
        this.error(
          C.unknownImport,
          `'${name}' is not exported by ioubpf/lang`,
          s.imported.range,
          langNamesHint(name),
        );
        continue;
      }
      this.declareModule(s.local, { kind: "lang", name, local: s.local.name, decl: s });
    }
  }

  private lookup(name: string): Sym | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const s = this.scopes[i]!.get(name);
      if (s) return s;
    }
    return this.module.get(name);
  }

  private unknownName(id: ast.Identifier, asType: boolean): void {
    const name = id.name;
    // A top-level declaration that failed was reported; its uses are not reported again.
    if (
      this.topNames.has(name) &&
      !this.pendingTop.has(name) &&
      !this.module.has(name) &&
      name !== "name" &&
      name !== "license"
    )
      return;
    if (this.pendingTop.has(name) && !this.module.has(name)) {
      this.error(
        C.unknownName,
        `'${name}' is used before its declaration`,
        id.range,
        "move the declaration above its first use",
        [{ message: `'${name}' is declared here`, range: this.pendingTop.get(name)!.range }],
      );
      return;
    }
    if (isLangName(name)) {
      this.error(
        C.notImported,
        `'${name}' comes from ioubpf/lang but is not imported`,
        id.range,
        `add it to the import: import { ${name} } from "ioubpf/lang";`,
      );
      return;
    }
    if (asType) {
      if (name === "number" || name === "bigint") {
        this.error(
          C.numberType,
          `'${name}' is not a BPF type: integers have a fixed width`,
          id.range,
          "use u8, u16, u32, u64, i8, i16, i32 or i64",
        );
      } else if (name === "boolean") {
        this.error(
          C.numberType,
          `'boolean' is written 'bool' in BPF programs`,
          id.range,
          `import { bool } from "ioubpf/lang" and write bool`,
        );
      } else if (name === "string") {
        this.error(
          C.numberType,
          `'string' is not a BPF type: strings exist only as trace formats, name and license`,
          id.range,
        );
      } else {
        this.error(C.unknownType, `cannot find type '${name}'`, id.range);
      }
      return;
    }
    const js = jsGlobalHint(name);
    if (js) {
      this.error(C.unknownName, `'${name}' does not exist in BPF programs`, id.range, js);
      return;
    }
    this.error(C.unknownName, `cannot find name '${name}'`, id.range);
  }

  /** `new X(…)` where X is not a map class: what to use instead. */
  private newOfNonMap(ne: ast.NewExpr): boolean {
    const sym = this.lookup(ne.callee.name);
    if (sym?.kind === "lang") return false;
    if (sym) {
      this.error(
        C.notCallable,
        `'${ne.callee.name}' cannot be created with new`,
        ne.range,
        "only maps are created with new, by a top-level const: const m = new HashMap<K, V>(n);",
      );
    } else this.unknownName(ne.callee, false);
    return true;
  }

  // -------------------------------------------------------------------------------------
  // Types

  /** Resolves a type annotation. `where` selects what is allowed. */
  resolveType(
    t: ast.TypeExpr,
    where: "data" | "field" | "return" | "local" | "mapArg",
  ): Type | undefined {
    switch (t.kind) {
      case "VoidType":
        if (where === "return") return VOID;
        if (where === "field") {
          this.error(
            C.badFieldType,
            "struct fields must be integers, bool, structs or FixedArray, not void",
            t.range,
          );
          return undefined;
        }
        this.error(C.badLocalType, "'void' is only a return type", t.range);
        return undefined;
      case "LiteralType":
        this.error(
          C.unknownType,
          "a number is not a type here",
          t.range,
          "FixedArray<T, N> is the only type that takes a number",
        );
        return undefined;
      case "NullableType": {
        const base = this.resolveType(t.base, "data");
        if (!base) return undefined;
        if (where !== "local" || !isData(base)) {
          this.error(
            C.badNullable,
            "'T | null' is only the type of a map lookup result",
            t.range,
            "declare the variable as const v = m.get(k) and check it for null",
          );
          return undefined;
        }
        return { kind: "nullable", base };
      }
      case "TypeRef":
        return this.resolveTypeRef(t, where);
    }
  }

  private resolveTypeRef(
    t: ast.TypeRef,
    where: "data" | "field" | "return" | "local" | "mapArg",
  ): Type | undefined {
    const id = t.name;
    const sym = this.lookup(id.name);
    const noArgs = (): boolean => {
      if (t.args.length) {
        this.error(C.typeArgs, `'${id.name}' takes no type arguments`, t.range);
        return false;
      }
      return true;
    };
    if (!sym) {
      if (this.structDecls.has(id.name)) {
        const st = this.resolveStruct(id.name);
        return st && noArgs() ? st : undefined;
      }
      // TypeScript's own name for bool (the declaration module says bool = boolean).
      if (id.name === "boolean") return noArgs() ? BOOL : undefined;
      this.unknownName(id, true);
      return undefined;
    }
    this.out.symbols.set(id, sym);
    if (sym.kind === "lang") {
      const name = sym.name;
      if (!(LANG_TYPES as readonly string[]).includes(name)) {
        this.error(
          C.notAType,
          `'${sym.local}' is ${LANG_DOC_ONLY.test(name) ? "only for editor documentation" : "a function"}, not a type`,
          id.range,
        );
        return undefined;
      }
      if (isIntName(name)) return noArgs() ? INT_TYPES[name] : undefined;
      if (name === "bool") return noArgs() ? BOOL : undefined;
      if (name === "Cqe") return noArgs() ? CQE : undefined;
      if (name === "FixedArray") return this.resolveFixedArray(t);
      // Map classes as types are only meaningful as annotations of the map declaration.
      if (where === "mapArg") return undefined;
      if (where === "field") {
        this.error(
          C.badFieldType,
          `struct fields cannot be maps: '${sym.local}' exists only as a top-level const`,
          t.range,
        );
        return undefined;
      }
      this.error(
        C.badLocalType,
        `'${sym.local}' is a map class: maps exist only as top-level consts`,
        t.range,
        `declare it at top level: const m = new ${name}<…>(n);`,
      );
      return undefined;
    }
    if (sym.kind === "struct") return noArgs() ? sym.type : undefined;
    if (sym.kind === "enum") {
      // A const enum names the integer type that holds all its members (docs/lang.md).
      if (where === "field" || where === "data" || where === "local" || where === "return")
        return noArgs() ? enumType(sym.members) : undefined;
      this.error(
        C.notAType,
        `const enum '${id.name}' is not a type here`,
        id.range,
        "use an integer type such as u32; enum members are integer constants",
      );
      return undefined;
    }
    this.error(C.notAType, `'${id.name}' is a value, not a type`, id.range);
    return undefined;
  }

  private resolveFixedArray(t: ast.TypeRef): Type | undefined {
    if (t.args.length !== 2) {
      this.error(C.badFixedArray, "FixedArray needs two type arguments: FixedArray<T, N>", t.range);
      return undefined;
    }
    const elem = this.resolveType(t.args[0]!, "data");
    const n = t.args[1]!;
    let len: number | undefined;
    if (n.kind === "LiteralType") {
      if (n.value <= 0n || n.value > 1n << 20n) {
        this.error(
          C.badFixedArray,
          `FixedArray length must be between 1 and ${1 << 20}, not ${n.value}`,
          n.range,
        );
      } else len = Number(n.value);
    } else {
      this.error(C.badFixedArray, "FixedArray length must be an integer literal", n.range);
    }
    if (!elem || len === undefined) return undefined;
    if (!isData(elem)) {
      this.error(
        C.badFieldType,
        `FixedArray elements must be integers, bool, structs or arrays, not ${typeToString(elem)}`,
        t.args[0]!.range,
      );
      return undefined;
    }
    return { kind: "array", element: elem, length: len };
  }

  private resolveStruct(name: string): StructType | undefined {
    const existing = this.module.get(name);
    if (existing?.kind === "struct") return existing.type;
    const decl = this.structDecls.get(name);
    if (!decl) return undefined;
    if (this.structResolving.has(name) || this.structFailed.has(name)) return undefined; // reported already
    this.structResolving.add(name);
    const fields: { name: string; type: DataType; readonly: boolean }[] = [];
    const seen = new Map<string, ast.InterfaceField>();
    let ok = true;
    for (const f of decl.fields) {
      const prev = seen.get(f.name.name);
      if (prev) {
        this.error(
          C.duplicateField,
          `field '${f.name.name}' is already declared in ${name}`,
          f.name.range,
          undefined,
          [{ message: "first declared here", range: prev.name.range }],
        );
        ok = false;
        continue;
      }
      seen.set(f.name.name, f);
      // A field naming a struct under resolution is a cycle: it would have infinite size.
      const cyc = findStructRef(f.type, this.structResolving);
      if (cyc) {
        this.error(
          C.recursiveStruct,
          `struct ${name} contains itself through field '${f.name.name}': it would have infinite size`,
          f.type.range,
        );
        ok = false;
        continue;
      }
      const ft = this.resolveType(f.type, "field");
      if (!ft) {
        ok = false;
        continue;
      }
      if (!isData(ft)) {
        this.error(
          C.badFieldType,
          `struct fields must be integers, bool, structs or FixedArray, not ${typeToString(ft)}`,
          f.type.range,
        );
        ok = false;
        continue;
      }
      fields.push({ name: f.name.name, type: ft, readonly: f.readonly });
    }
    this.structResolving.delete(name);
    if (ok && fields.length === 0) {
      this.error(
        C.emptyStruct,
        `struct ${name} has no fields`,
        decl.name.range,
        "a BPF struct needs at least one field",
      );
      ok = false;
    }
    if (!ok) {
      this.structFailed.add(name);
      return undefined;
    }
    const st = layoutStruct(name, fields);
    const sym: StructSymbol = { kind: "struct", name, type: st, decl };
    this.module.set(name, sym);
    this.out.symbols.set(decl.name, sym);
    this.out.structs.set(name, st);
    return st;
  }

  // -------------------------------------------------------------------------------------
  // Top-level declarations

  private checkEnum(d: ast.EnumDecl): void {
    const members = new Map<string, bigint>();
    const sym: EnumSymbol = { kind: "enum", name: d.name.name, members, decl: d };
    let next = 0n;
    this.scopes.push(new Map());
    for (const m of d.members) {
      let v = next;
      if (m.init) {
        const val = this.checkExpr(m.init);
        if (
          val.type.kind === "untyped" ||
          (val.type.kind === "int" && typeof val.value === "bigint")
        ) {
          v = val.value as bigint;
        } else {
          this.error(
            C.badEnumMember,
            `const enum member '${m.name.name}' must be a constant integer`,
            m.init.range,
          );
        }
      }
      if (members.has(m.name.name)) {
        this.error(
          C.duplicateName,
          `'${m.name.name}' is already a member of ${d.name.name}`,
          m.name.range,
        );
      }
      members.set(m.name.name, v);
      // Later members may refer to earlier ones by bare name, as in TypeScript.
      const cs: ConstSymbol = {
        kind: "const",
        name: m.name.name,
        type: UNTYPED,
        value: v,
        decl: m as unknown as ast.VarDeclarator,
      };
      this.scopes[this.scopes.length - 1]!.set(m.name.name, cs);
      next = v + 1n;
    }
    this.scopes.pop();
    this.pendingTop.delete(d.name.name);
    if (this.declareModule(d.name, sym)) this.out.enums.set(d.name.name, sym);
  }

  private checkDeclareConst(d: ast.DeclareConst): void {
    this.pendingTop.delete(d.name.name);
    const t = this.resolveType(d.type, "data");
    if (t && !isData(t)) {
      this.error(
        C.badGlobalType,
        `declare const must have an integer, bool or struct type, not ${typeToString(t)}`,
        d.type.range,
      );
      return;
    }
    if (!t) return;
    const sym: GlobalSymbol = {
      kind: "global",
      name: d.name.name,
      type: t,
      section: ".rodata",
      readonly: true,
      decl: d,
    };
    if (this.declareModule(d.name, sym)) this.out.globals.push(sym);
  }

  private checkTopVarDecl(d: ast.VarDecl): void {
    for (const decl of d.declarators) {
      this.pendingTop.delete(decl.name.name);
      const name = decl.name.name;
      const init = decl.init ? unparen(decl.init) : undefined;
      if (d.exported && d.declKind === "const" && (name === "name" || name === "license")) {
        this.checkNameOrLicense(decl, name);
        continue;
      }
      if (init?.kind === "NewExpr") {
        this.checkMapDecl(d, decl, init);
        continue;
      }
      if (init?.kind === "StringLiteral") {
        this.error(
          C.stringNotAllowed,
          "strings are only allowed as trace formats and as `export const name` / `export const license`",
          init.range,
        );
        continue;
      }
      if (d.declKind === "const") this.checkTopConst(decl);
      else this.checkTopLet(decl);
    }
  }

  private checkNameOrLicense(decl: ast.VarDeclarator, which: "name" | "license"): void {
    const prev = this.exportedStrings.get(which);
    if (prev) {
      this.error(C.duplicateName, `'${which}' is already declared`, decl.name.range, undefined, [
        { message: "first declared here", range: prev.range },
      ]);
      return;
    }
    this.exportedStrings.set(which, decl.name);
    const init = decl.init ? unparen(decl.init) : undefined;
    if (!init || init.kind !== "StringLiteral") {
      this.error(
        C.badExport,
        `export const ${which} must be a string literal`,
        (init ?? decl).range,
      );
      return;
    }
    if (which === "name") {
      if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(init.value)) {
        this.error(
          C.badExport,
          `program name "${init.value}" must be an identifier of at most 64 characters`,
          init.range,
          "it names the ELF section and symbol: use letters, digits and '_'",
        );
        return;
      }
      this.out.name = init.value;
    } else {
      this.out.license = init.value;
      this.licenseRange = init.range;
    }
  }

  private checkTopConst(decl: ast.VarDeclarator): void {
    if (!decl.init) {
      this.error(C.missingInit, `const '${decl.name.name}' needs an initializer`, decl.name.range);
      return;
    }
    const annotated = decl.type ? this.resolveType(decl.type, "data") : undefined;
    if (decl.type && !annotated) return;
    if (annotated && annotated.kind !== "int" && annotated.kind !== "bool") {
      this.error(
        C.badGlobalType,
        `top-level const must be an integer or bool constant, not ${typeToString(annotated)}`,
        decl.type!.range,
        "use a declare const (set by the loader) or a top-level let",
      );
      return;
    }
    const val = this.checkExpr(decl.init, annotated);
    if (val.type.kind === "void") return; // already reported
    if (val.value === undefined) {
      this.error(
        C.notConstant,
        `top-level const '${decl.name.name}' must be a compile-time constant`,
        decl.init.range,
        "use a top-level let for program state, or a declare const for values the loader sets",
      );
      return;
    }
    let type: ConstSymbol["type"];
    if (annotated && (annotated.kind === "int" || annotated.kind === "bool")) {
      if (!this.coerce(decl.init, val, annotated, `const '${decl.name.name}'`)) return;
      type = annotated;
    } else {
      type = val.type.kind === "bool" ? BOOL : val.type.kind === "int" ? val.type : UNTYPED;
    }
    const value =
      type.kind === "int" && typeof val.value === "bigint" ? wrap(val.value, type) : val.value;
    const sym: ConstSymbol = { kind: "const", name: decl.name.name, type, value, decl };
    if (this.declareModule(decl.name, sym)) this.out.consts.set(sym.name, sym);
  }

  private checkTopLet(decl: ast.VarDeclarator): void {
    const name = decl.name.name;
    // tsc --strict rejects reads of a module `let` that is never given a value (TS2454), so a
    // valid program says how its global starts: an initializer, or `!` for "zero-initialised".
    if (!decl.init && !decl.definite && decl.type) {
      this.error(
        C.globalNeedsInit,
        `top-level let '${name}' needs an initializer`,
        decl.name.range,
        `write \`let ${name}: ${this.src(decl.type)} = 0;\`, or \`let ${name}!: ${this.src(decl.type)};\` to start it zeroed`,
      );
    } else if (decl.init && decl.definite) {
      this.error(
        C.globalNeedsInit,
        `top-level let '${name}' has both '!' and an initializer`,
        decl.name.range,
        "drop the '!': the initializer gives the starting value",
      );
    }
    let type: Type | undefined;
    if (decl.type) {
      type = this.resolveType(decl.type, "data");
      if (!type) return;
    }
    let init: bigint | boolean | undefined;
    let initBytes: Uint8Array | undefined;
    if (decl.init && type?.kind === "struct" && unparen(decl.init).kind === "ObjectLiteral") {
      // A struct initialised field by field with constants: laid out into .data bytes.
      const lit = unparen(decl.init) as ast.ObjectLiteral;
      this.checkExpr(decl.init, type);
      const bytes = new Uint8Array(sizeOf(type));
      const ok = this.fillConstBytes(lit, type, bytes, 0);
      if (!ok) {
        this.error(
          C.badGlobalInit,
          `top-level let '${name}' can only be initialised with constants`,
          decl.init.range,
          "initialise it in onStart() instead",
        );
      } else initBytes = bytes;
      this.declareGlobalLet(decl, type, undefined, initBytes);
      return;
    }
    if (decl.init) {
      const val = this.checkExpr(decl.init, type);
      if (val.type.kind === "void") {
        if (type && isData(type)) this.declareGlobalLet(decl, type, undefined, undefined);
        return;
      }
      if (val.value === undefined) {
        this.error(
          C.badGlobalInit,
          `top-level let '${name}' can only be initialised with a constant`,
          decl.init.range,
          "initialise it in onStart() instead",
        );
        if (type && isData(type)) this.declareGlobalLet(decl, type, undefined, undefined);
        return;
      }
      if (!type) {
        if (val.type.kind === "untyped") {
          // `let count = 0;` at top level: typed by its first typed use (docs/lang.md).
          type = this.inferGlobalType(name, val.value as bigint);
          if (!this.coerce(decl.init, val, type, `'${name}'`)) return;
        } else type = val.type;
      } else if (!this.coerce(decl.init, val, type, `'${name}'`)) return;
      init =
        type.kind === "int" && typeof val.value === "bigint" ? wrap(val.value, type) : val.value;
    }
    if (!type) {
      this.error(
        C.cannotInfer,
        `top-level let '${name}' needs a type annotation`,
        decl.name.range,
        `for example: let ${name}: u64 = 0;`,
      );
      return;
    }
    if (!isData(type)) {
      this.error(
        C.badGlobalType,
        `top-level let must have an integer, bool or struct type, not ${typeToString(type)}`,
        decl.type?.range ?? decl.name.range,
      );
      return;
    }
    if (init !== undefined) {
      initBytes = new Uint8Array(sizeOf(type));
      writeScalar(initBytes, 0, type, init);
    }
    this.declareGlobalLet(decl, type, init, initBytes);
  }

  private declareGlobalLet(
    decl: ast.VarDeclarator,
    type: DataType,
    init: bigint | boolean | undefined,
    initBytes: Uint8Array | undefined,
  ): void {
    const nonZero = initBytes !== undefined && initBytes.some((b) => b !== 0);
    const sym: GlobalSymbol = {
      kind: "global",
      name: decl.name.name,
      type,
      section: nonZero ? ".data" : ".bss",
      readonly: false,
      ...(init !== undefined ? { init } : {}),
      ...(initBytes !== undefined ? { initBytes } : {}),
      decl,
    };
    if (this.declareModule(decl.name, sym)) this.out.globals.push(sym);
  }

  /** Writes a constant object literal (already checked against `st`) into `bytes`; false if a value is not constant. */
  private fillConstBytes(
    lit: ast.ObjectLiteral,
    st: StructType,
    bytes: Uint8Array,
    base: number,
  ): boolean {
    let ok = true;
    for (const p of lit.properties) {
      const f = st.fields.find((x) => x.name === p.key.name);
      if (!f) continue;
      const v = unparen(p.value);
      if (f.type.kind === "struct" && v.kind === "ObjectLiteral") {
        ok = this.fillConstBytes(v, f.type, bytes, base + f.offset) && ok;
        continue;
      }
      const c = this.out.constants.get(p.value);
      if (c === undefined || (f.type.kind !== "int" && f.type.kind !== "bool")) {
        ok = false;
        continue;
      }
      writeScalar(bytes, base + f.offset, f.type, c);
    }
    return ok;
  }

  private checkMapDecl(d: ast.VarDecl, decl: ast.VarDeclarator, ne: ast.NewExpr): void {
    const cls = this.lookup(ne.callee.name);
    if (!cls || cls.kind !== "lang" || !(MAP_CLASSES as readonly string[]).includes(cls.name)) {
      if (!cls && !isLangName(ne.callee.name)) {
        this.error(
          C.newNotMap,
          `'new' only creates maps (ArrayMap, HashMap, PerCpuArrayMap, RingBuf), not '${ne.callee.name}'`,
          ne.callee.range,
        );
      } else if (!cls) this.unknownName(ne.callee, false);
      else
        this.error(
          C.newNotMap,
          `'new' only creates maps (ArrayMap, HashMap, PerCpuArrayMap, RingBuf), not '${ne.callee.name}'`,
          ne.callee.range,
        );
      return;
    }
    this.out.symbols.set(ne.callee, cls);
    if (d.declKind !== "const") {
      this.error(
        C.mapNotConst,
        "maps must be declared with const",
        decl.name.range,
        `write: const ${decl.name.name} = new ${cls.name}<…>(…);`,
      );
      return;
    }
    const clsName = cls.name as MapKind | "RingBuf";
    if (decl.type) {
      // An annotation, if any, must name the same class; its arguments are checked with new's.
      const a = decl.type;
      if (a.kind !== "TypeRef" || this.lookup(a.name.name) !== cls) {
        this.error(
          C.mapTypeArgs,
          `the annotation of '${decl.name.name}' does not match new ${clsName}`,
          a.range,
          "leave the annotation out",
        );
        return;
      }
    }
    const wantArgs = clsName === "RingBuf" ? 0 : 2;
    if (ne.typeArgs.length !== wantArgs) {
      this.error(
        C.mapTypeArgs,
        clsName === "RingBuf"
          ? "RingBuf takes no type arguments"
          : `${clsName} needs two type arguments: ${clsName}<K, V>`,
        ne.range,
      );
      return;
    }
    if (ne.args.length !== 1) {
      this.error(
        C.mapSize,
        `new ${clsName} takes one argument: the ${clsName === "RingBuf" ? "size in bytes" : "maximum number of entries"}`,
        ne.range,
      );
      return;
    }
    const sizeVal = this.checkExpr(ne.args[0]!);
    if (typeof sizeVal.value !== "bigint") {
      this.error(
        C.mapSize,
        `the ${clsName === "RingBuf" ? "size" : "maximum number of entries"} must be a compile-time constant`,
        ne.args[0]!.range,
      );
      return;
    }
    const n = sizeVal.value;
    if (n <= 0n || n > 0xffffffffn) {
      this.error(
        C.mapSize,
        `the ${clsName === "RingBuf" ? "size" : "maximum number of entries"} must be between 1 and 4294967295, not ${n}`,
        ne.args[0]!.range,
      );
      return;
    }
    this.out.constants.set(ne.args[0]!, n);
    let def: MapDef;
    if (clsName === "RingBuf") {
      const bytes = Number(n);
      if (bytes % RINGBUF_PAGE !== 0 || (bytes & (bytes - 1)) !== 0) {
        this.error(
          C.mapSize,
          `a RingBuf size must be a power of two and a multiple of ${RINGBUF_PAGE}, not ${bytes}`,
          ne.args[0]!.range,
          "for example 4096, 65536 or 1 << 20",
        );
        return;
      }
      def = {
        kind: "map",
        name: decl.name.name,
        mapKind: "RingBuf",
        keySize: 0,
        valueSize: 0,
        maxEntries: bytes,
        decl,
      };
    } else {
      const k = this.resolveType(ne.typeArgs[0]!, "data");
      const v = this.resolveType(ne.typeArgs[1]!, "data");
      if (!k || !v) return;
      if (!isData(k) || !isData(v)) return;
      if ((clsName === "ArrayMap" || clsName === "PerCpuArrayMap") && !sameType(k, INT_TYPES.u32)) {
        this.error(
          C.mapKeyType,
          `${clsName} keys must be u32, not ${typeToString(k)}`,
          ne.typeArgs[0]!.range,
          `write ${clsName}<u32, …>`,
        );
        return;
      }
      if (k.kind === "bool") {
        this.error(
          C.mapKeyType,
          "map keys must be integers or structs, not bool",
          ne.typeArgs[0]!.range,
        );
        return;
      }
      def = {
        kind: "map",
        name: decl.name.name,
        mapKind: clsName,
        type: { kind: "map", mapKind: clsName, key: k, value: v },
        keySize: sizeOf(k),
        valueSize: sizeOf(v),
        maxEntries: Number(n),
        decl,
      };
    }
    this.out.types.set(ne, def.type ?? RINGBUF);
    if (this.declareModule(decl.name, def)) this.out.maps.push(def);
  }

  // -------------------------------------------------------------------------------------
  // Functions

  private declareFunctionName(d: ast.FunctionDecl): void {
    const info: CheckedFunction = {
      name: d.name.name,
      decl: d,
      params: [],
      returnType: VOID,
      locals: [],
      calls: [],
    };
    const sym: FunctionSymbol = { kind: "function", name: d.name.name, decl: d, info };
    if (this.declareModule(d.name, sym)) this.out.functions.push(info);
  }

  private checkSignature(d: ast.FunctionDecl): void {
    const sym = this.module.get(d.name.name);
    if (sym?.kind !== "function" || sym.decl !== d) return;
    const info = sym.info;
    const name = d.name.name;
    const isEntry = name === "onStart" || name === "onCompletion";
    if (isEntry && d.exported) info.entry = name;
    if (d.exported && !isEntry) {
      this.error(
        C.exportedHelper,
        `only the entry points onStart and onCompletion can be exported, not '${name}'`,
        d.name.range,
        "remove 'export': other functions are helpers",
      );
    }
    if (isEntry && !d.exported) {
      this.error(
        C.entrySignature,
        `entry point '${name}' must be exported`,
        d.name.range,
        `write: export function ${name}(…)`,
      );
    }
    if (d.params.length > MAX_PARAMS) {
      this.error(
        C.tooManyParams,
        `'${name}' has ${d.params.length} parameters; BPF functions take at most ${MAX_PARAMS}`,
        d.params[MAX_PARAMS]!.range,
        "group parameters into a struct, or use globals",
      );
    }
    info.returnType = VOID;
    if (!d.returnType && !isEntry && returnsValue(d.body)) this.inferReturn.add(info);
    if (d.returnType) {
      const rt = this.resolveType(d.returnType, "return");
      if (rt) {
        if (rt.kind !== "void" && rt.kind !== "int" && rt.kind !== "bool") {
          this.error(
            C.badReturnType,
            `functions return an integer, bool or void, not ${typeToString(rt)}`,
            d.returnType.range,
          );
          this.badReturn.add(info);
        } else info.returnType = rt;
      } else this.badReturn.add(info);
    }
    for (const p of d.params) {
      const pt = this.resolveType(p.type, "data");
      let t: Type = pt ?? VOID;
      if (pt && !(pt.kind === "int" || pt.kind === "bool" || pt.kind === "struct")) {
        this.error(
          C.badParamType,
          `parameters are integers, bool or structs, not ${typeToString(pt)}`,
          p.type.range,
        );
        t = VOID;
      }
      info.params.push(this.newLocal(p.name, t, true, true));
    }
    if (info.entry === "onStart") {
      if (d.params.length !== 0) {
        this.error(
          C.entrySignature,
          "onStart takes no parameters",
          span(d.params[0]!.range, d.params[d.params.length - 1]!.range),
          "write: export function onStart(): void",
        );
      }
    } else if (info.entry === "onCompletion") {
      if (d.params.length !== 1 || info.params[0]!.type !== CQE) {
        this.error(
          C.entrySignature,
          "onCompletion takes exactly one parameter of type Cqe",
          d.name.range,
          "write: export function onCompletion(cqe: Cqe): void",
        );
      }
    }
    if (info.entry && info.returnType.kind !== "void") {
      this.error(
        C.entrySignature,
        `entry point '${name}' must return void`,
        d.returnType!.range,
        "end it with 'return;' and call stop() to end the chain",
      );
    }
    if (info.entry) {
      const avail = this.target.entryPoints[info.entry];
      if (!avail.available) {
        this.error(
          C.entryUnavailable,
          `${avail.reason}: '${name}' is not available on ${this.target.name}`,
          d.name.range,
          avail.alternative,
        );
      }
      this.out.entryPoints[info.entry] = info;
    }
  }

  private newLocal(id: ast.Identifier, type: Type, mutable: boolean, param: boolean): LocalSymbol {
    const sym: LocalSymbol = {
      kind: "local",
      name: id.name,
      id: this.nextLocalId++,
      type,
      mutable,
      param,
      decl: id,
    };
    this.out.symbols.set(id, sym);
    return sym;
  }

  private declareLocal(sym: LocalSymbol): void {
    const scope = this.scopes[this.scopes.length - 1]!;
    const prev = scope.get(sym.name);
    if (prev) {
      this.error(
        C.duplicateName,
        `'${sym.name}' is already declared in this scope`,
        sym.decl.range,
        undefined,
        [{ message: "first declared here", range: declIdent(prev)!.range }],
      );
      return;
    }
    scope.set(sym.name, sym);
    this.fn?.locals.push(sym);
  }

  private checkBody(d: ast.FunctionDecl): void {
    const sym = this.module.get(d.name.name);
    if (sym?.kind !== "function" || sym.decl !== d) return;
    this.fn = sym.info;
    this.flow = { nonNull: new Set(), nonZero: new Set() };
    this.loopDepth = 0;
    this.breakDepth = 0;
    this.scopes.push(new Map());
    for (const p of sym.info.params) this.declareLocal(p);
    this.untypedReturns = [];
    const reachesEnd = this.checkBlockBody(d.body.body);
    this.scopes.pop();
    if (this.inferReturn.has(sym.info)) {
      // Constants returned before (or without) a typed value: u32 unless they need more.
      if (sym.info.returnType.kind === "void" && this.untypedReturns.length > 0) {
        const vs = this.untypedReturns.map((r) => r.v.value as bigint);
        sym.info.returnType =
          [INT_TYPES.u32, INT_TYPES.i32, INT_TYPES.u64, INT_TYPES.i64].find((t) =>
            vs.every((v) => fits(v, t)),
          ) ?? INT_TYPES.i64;
      }
      for (const r of this.untypedReturns)
        this.coerce(r.e, r.v, sym.info.returnType, "the return value");
    }
    if (reachesEnd && sym.info.returnType.kind !== "void" && !this.badReturn.has(sym.info)) {
      this.error(
        C.missingReturn,
        `'${d.name.name}' must return a ${typeToString(sym.info.returnType)} on every path`,
        d.name.range,
        "add a return statement at the end",
      );
    }
    this.out.callGraph.set(d.name.name, sym.info.calls);
    this.fn = undefined;
  }

  /**
   * iouring-v2: emit() and the reap both use CQ 0 by default (the reap waits on wait_idx,
   * 0 unless the loader sets it), so a program with onCompletion that emits to CQ 0 reaps its
   * own emitted CQEs as completions. Warned once, at the first such emit(). Not for a final
   * report: an emit() followed in its block by stop() (after other emits only), since the
   * chain ends there and nothing reaps again.
   */
  private checkEmitsToReapedCq(): void {
    if (!this.emitsToCq0.length || !this.out.entryPoints.onCompletion || !this.target.sqeCqField)
      return;
    const final = new Set<ast.CallExpr>();
    const callOf = (st: unknown): ast.CallExpr | undefined => {
      const x = st as ast.Stmt;
      if (x?.kind !== "ExprStmt") return undefined;
      const c = unparen(x.expr);
      return c.kind === "CallExpr" ? c : undefined;
    };
    const isCall = (c: ast.CallExpr | undefined, name: string): boolean =>
      c?.callee.kind === "Identifier" && c.callee.name === name;
    const walk = (n: unknown): void => {
      if (!n || typeof n !== "object") return;
      if (Array.isArray(n)) {
        for (let i = 0; i < n.length; i++) {
          const c = callOf(n[i]);
          if (!isCall(c, "emit")) continue;
          let j = i + 1;
          while (j < n.length && isCall(callOf(n[j]), "emit")) j++;
          if (isCall(callOf(n[j]), "stop")) for (let k = i; k < j; k++) final.add(callOf(n[k])!);
        }
        for (const x of n) walk(x);
        return;
      }
      for (const [k, v] of Object.entries(n)) if (k !== "range") walk(v);
    };
    walk(this.program.items);
    const first = this.emitsToCq0.find((x) => !final.has(x.call));
    if (!first) return;
    this.warn(
      C.emitToReapedCq,
      `emit() posts to CQ ${first.explicit ? "0" : "0 (its default)"}, the CQ onCompletion reaps (wait_idx 0 by default): the program reaps its own emitted CQEs as completions`,
      first.call.range,
      "post to another CQ, which user space reads: emit({ …, cq: 1 })",
    );
  }

  private checkEntryPoints(): void {
    if (!this.out.entryPoints.onStart && !this.out.entryPoints.onCompletion) {
      const p = this.program.range;
      this.error(
        C.noEntryPoint,
        "a program needs an entry point: export function onStart(): void or export function onCompletion(cqe: Cqe): void",
        {
          file: p.file,
          start: p.start,
          end: p.start,
        },
      );
    }
  }

  private checkRecursion(): void {
    // Iterative depth-first search (a long helper chain must not overflow the JS stack).
    const graph = this.out.callGraph;
    const state = new Map<string, 1 | 2>();
    const reported = new Set<string>();
    for (const root of graph.keys()) {
      if (state.has(root)) continue;
      const stack: { node: string; next: number }[] = [{ node: root, next: 0 }];
      const path: string[] = [root];
      state.set(root, 1);
      while (stack.length) {
        const top = stack[stack.length - 1]!;
        const succ = graph.get(top.node) ?? [];
        if (top.next >= succ.length) {
          state.set(top.node, 2);
          stack.pop();
          path.pop();
          continue;
        }
        const m = succ[top.next++]!;
        const s = state.get(m);
        if (s === undefined) {
          state.set(m, 1);
          stack.push({ node: m, next: 0 });
          path.push(m);
        } else if (s === 1) {
          const cycle = path.slice(path.indexOf(m));
          const key = [...cycle].sort().join(",");
          if (!reported.has(key)) {
            reported.add(key);
            this.reportCycle(cycle);
          }
        }
      }
    }
  }

  private reportCycle(cycle: string[]): void {
    const path = [...cycle, cycle[0]!].join(" → ");
    const related: RelatedInfo[] = [];
    for (let i = 0; i < cycle.length; i++) {
      const from = cycle[i]!;
      const to = cycle[(i + 1) % cycle.length]!;
      const r = this.callSites.get(from)?.get(to);
      if (r) related.push({ message: `'${from}' calls '${to}' here`, range: r });
    }
    const first = this.callSites.get(cycle[cycle.length - 1]!)?.get(cycle[0]!) ?? related[0]?.range;
    if (!first) return;
    this.error(
      C.recursion,
      cycle.length === 1
        ? `'${cycle[0]}' calls itself: recursion is not available in BPF programs (${path})`
        : `recursion is not available in BPF programs: ${path}`,
      first,
      "rewrite it as a bounded loop",
      related,
    );
  }

  private checkLicenseRules(): void {
    const gpl = isGplCompatible(this.out.license);
    if (gpl) return;
    const where = this.licenseRange;
    if (!where) return;
    if (this.target.requiresGplLicense) {
      this.error(
        C.gplRequired,
        `${this.target.name} programs need a GPL-compatible license, not "${this.out.license}"`,
        where,
        `use "GPL" or "Dual MIT/GPL", or use --target iouring-v2`,
      );
    } else if (this.traceUsed) {
      this.error(
        C.gplRequired,
        `trace() uses bpf_trace_printk, which is GPL-only, but the license is "${this.out.license}"`,
        this.traceUsed.callee.range,
        `use a GPL-compatible license such as "Dual MIT/GPL", or remove trace()`,
        [{ message: "license set here", range: where }],
      );
    }
  }

  // -------------------------------------------------------------------------------------
  // Statements. Each returns whether control can reach the statement's end.

  private checkBlockBody(stmts: ast.Stmt[]): boolean {
    let reach = true;
    const outer = this.rest;
    const rest = { nodes: stmts, from: 0 };
    stmts.forEach((s, i) => {
      if (!reach) {
        // Unreachable code is harmless to BPF (it is dropped) but usually a mistake.
        this.warn(C.unreachable, "unreachable code", s.range);
        reach = true;
      }
      // nested blocks restore `this.rest` to this same object when they end
      rest.from = i + 1;
      this.rest = rest;
      reach = this.checkStmt(s);
    });
    this.rest = outer;
    return reach;
  }

  /**
   * The type of an untyped `let x = <constant>`: the type of the first typed value `x` meets
   * in the rest of its scope (in an assignment, a compound assignment, arithmetic or a
   * comparison, as an argument, a submit/emit field or a returned value); u32 when none does
   * (i32 for a negative constant; u64/i64 when 32 bits are too few).
   */
  private inferLetType(name: string, value: bigint): IntType {
    return this.useType(name) ?? defaultIntType(value);
  }

  /**
   * A top-level `let n = 0`: the first typed use in the functions, read with each
   * function's integer and Cqe parameters in scope; else as for a local.
   */
  private inferGlobalType(name: string, value: bigint): IntType {
    const outer = this.rest;
    let found: IntType | undefined;
    for (const it of this.program.items) {
      if (it.kind !== "FunctionDecl" || found) continue;
      const scope = new Map<string, Sym>();
      for (const p of it.params) {
        const tn = p.type.kind === "TypeRef" ? p.type.name.name : "";
        const pt = isIntName(tn) ? INT_TYPES[tn as IntName] : tn === "Cqe" ? CQE : undefined;
        if (pt) scope.set(p.name.name, { kind: "local", name: p.name.name, type: pt } as Sym);
      }
      this.scopes.push(scope);
      this.rest = { nodes: [it.body], from: 0 };
      found = this.useType(name);
      this.scopes.pop();
    }
    this.rest = outer;
    return found ?? defaultIntType(value);
  }

  private useType(name: string): IntType | undefined {
    const isX = (e: ast.Expr | undefined): boolean => {
      const u = e && unparen(e);
      return u?.kind === "Identifier" && u.name === name;
    };
    const intOf = (t: Type | undefined): IntType | undefined =>
      t?.kind === "int" ? t : t?.kind === "nullable" && t.base.kind === "int" ? t.base : undefined;
    // The first typed use in source order (a pre-order walk of the rest), stopping there: a
    // block of untyped lets each used soon after costs linear time, not quadratic.
    const useOf = (n: ast.Node): IntType | undefined => {
      let t: IntType | undefined;
      if (n.kind === "BinaryExpr" && !["<<", ">>", ">>>"].includes(n.op)) {
        if (isX(n.left)) t = this.peekType(n.right);
        else if (isX(n.right)) t = this.peekType(n.left);
      } else if (n.kind === "AssignExpr" && !["<<=", ">>=", ">>>="].includes(n.op)) {
        if (isX(n.target)) t = this.peekType(n.value);
        else if (isX(n.value)) t = this.peekType(n.target);
      } else if (n.kind === "CallExpr") {
        const c = unparen(n.callee);
        const i = n.args.findIndex((a) => isX(a));
        if (i >= 0 && c.kind === "Identifier") {
          const f = this.lookup(c.name);
          if (f?.kind === "function") t = intOf(f.info?.params[i]?.type);
        } else if (i >= 0 && c.kind === "MemberExpr" && isX(n.args[1 - i]) === false) {
          if (
            unparen(c.object).kind === "Identifier" &&
            (unparen(c.object) as ast.Identifier).name === "Math"
          )
            t = n.args[1 - i] ? this.peekType(n.args[1 - i]!) : undefined;
        }
        // Fields of submit.<op>({ … }) and emit({ … }).
        const lit = n.args[0] && unparen(n.args[0]);
        if (!t && lit?.kind === "ObjectLiteral") {
          const p = lit.properties.find((q) => isX(q.value));
          const isEmit =
            c.kind === "Identifier" && this.lookup(c.name)?.kind === "lang" && c.name === "emit";
          const isSubmit =
            c.kind === "MemberExpr" &&
            unparen(c.object).kind === "Identifier" &&
            (unparen(c.object) as ast.Identifier).name === "submit";
          if (p && isEmit) t = intOf(CQE.fields.find((f) => f.name === p.key.name)?.type);
          else if (p && isSubmit) {
            const f = sqeField(p.key.name);
            if (f) t = fieldType(f);
          }
        }
      } else if (n.kind === "ReturnStmt" && isX(n.value) && this.fn) t = intOf(this.fn.returnType);
      return t;
    };
    let found: IntType | undefined;
    const visit = (n: ast.Node): boolean => {
      if (found) return false;
      found = useOf(n);
      return found === undefined;
    };
    const { nodes: rest, from } = this.rest;
    for (let i = from; i < rest.length && !found; i++) walk(rest[i]!, visit);
    return found;
  }

  /** The integer type of a simple expression, without checking it (for `inferLetType`). */
  private peekType(e: ast.Expr): IntType | undefined {
    const x = unparen(e);
    const intOf = (t: Type | undefined): IntType | undefined =>
      t?.kind === "int" ? t : t?.kind === "nullable" && t.base.kind === "int" ? t.base : undefined;
    switch (x.kind) {
      case "Identifier": {
        const s = this.lookup(x.name);
        if (s?.kind === "local" || s?.kind === "global") return intOf(s.type);
        if (s?.kind === "const") return intOf(s.type);
        return undefined;
      }
      case "MemberExpr": {
        const o = unparen(x.object);
        if (o.kind !== "Identifier") return undefined;
        const s = this.lookup(o.name);
        if (s?.kind !== "local" && s?.kind !== "global") return undefined;
        const st = s.type.kind === "nullable" ? s.type.base : s.type;
        if (st.kind !== "struct") return undefined;
        return intOf(st.fields.find((f) => f.name === x.property.name)?.type);
      }
      case "CallExpr": {
        const c = unparen(x.callee);
        if (c.kind !== "Identifier") return undefined;
        const s = this.lookup(c.name);
        if (s?.kind === "lang" && isIntName(s.name)) return INT_TYPES[s.name as IntName];
        if (s?.kind === "function") return intOf(s.info?.returnType);
        return undefined;
      }
      case "BinaryExpr":
        if (isCompare(x.op)) return undefined;
        return this.peekType(x.left) ?? this.peekType(x.right);
      case "UnaryExpr":
        return x.op === "!" ? undefined : this.peekType(x.operand);
      default:
        return undefined;
    }
  }

  private checkStmt(s: ast.Stmt): boolean {
    switch (s.kind) {
      case "Block": {
        this.scopes.push(new Map());
        const r = this.checkBlockBody(s.body);
        this.scopes.pop();
        return r;
      }
      case "EmptyStmt":
        return true;
      case "VarDecl":
        this.checkLocalVarDecl(s);
        return true;
      case "ExprStmt":
        this.checkExpr(s.expr);
        return true;
      case "IfStmt":
        return this.checkIf(s);
      case "SwitchStmt":
        return this.checkSwitch(s);
      case "ForStmt":
        return this.checkFor(s);
      case "WhileStmt":
      case "DoWhileStmt":
        return this.checkWhile(s);
      case "BreakStmt":
        if (this.breakDepth === 0)
          this.error(C.breakOutside, "'break' outside a loop or switch", s.range);
        return false;
      case "ContinueStmt":
        if (this.loopDepth === 0)
          this.error(C.continueOutside, "'continue' outside a loop", s.range);
        return false;
      case "ReturnStmt":
        this.checkReturn(s);
        return false;
    }
  }

  private checkReturn(s: ast.ReturnStmt): void {
    const rt = this.fn?.returnType ?? VOID;
    if (this.fn && this.badReturn.has(this.fn)) {
      if (s.value) this.checkExpr(s.value);
      return;
    }
    if (s.value && this.fn && this.inferReturn.has(this.fn) && rt.kind === "void") {
      // The first typed returned value gives a helper without an annotation its type;
      // constants wait for one (checkBody).
      const v = this.checkExpr(s.value);
      if (v.type.kind === "untyped") this.untypedReturns.push({ e: s.value, v });
      else if (v.type.kind === "int" || v.type.kind === "bool") this.fn.returnType = v.type;
      else if (v.type.kind !== "void")
        this.error(
          C.badReturnType,
          `functions return an integer, bool or void, not ${typeToString(v.type)}`,
          s.value.range,
        );
      return;
    }
    if (s.value) {
      if (rt.kind === "void") {
        const v = this.checkExpr(s.value);
        // `return f();` where f returns void: TypeScript allows it, and so do we.
        const x = unparen(s.value);
        if (v.type.kind === "void" && x.kind === "CallExpr") return;
        this.error(
          C.returnValueInVoid,
          `'${this.fn?.name}' returns void; it cannot return a value`,
          s.value.range,
          this.fn?.entry
            ? "entry points return nothing: write 'return;'"
            : "declare the return type, e.g. ): u32 {",
        );
        return;
      }
      const v = this.checkExpr(s.value, rt);
      this.coerce(s.value, v, rt, "the return value");
    } else if (rt.kind !== "void") {
      this.error(C.missingReturn, `'${this.fn?.name}' must return a ${typeToString(rt)}`, s.range);
    }
  }

  private checkLocalVarDecl(d: ast.VarDecl): void {
    for (const decl of d.declarators) {
      const name = decl.name.name;
      let type: Type | undefined;
      // `poisoned`: a problem was reported already; the variable gets the error type (void)
      // so its uses stay quiet instead of cascading.
      let poisoned = false;
      if (decl.type) {
        type = this.resolveType(decl.type, "local");
        if (!type) poisoned = true;
        else if (!isData(type) && type.kind !== "nullable") {
          this.error(
            C.badLocalType,
            `a local variable cannot have type ${typeToString(type)}`,
            decl.type.range,
          );
          poisoned = true;
          type = undefined;
        }
      }
      let val: Val | undefined;
      if (decl.init) {
        const init = unparen(decl.init);
        if (init.kind === "NewExpr" && this.newOfNonMap(init)) continue;
        if (init.kind === "NewExpr") {
          this.error(
            C.mapNotTopLevel,
            "maps are created at top level only",
            init.range,
            `move it out of the function: const ${name} = new …;`,
          );
          continue;
        }
        val = this.checkExpr(decl.init, type);
        if (type) {
          if (type.kind === "nullable" && val.type.kind === "nullable") {
            if (!sameType(type.base, val.type.base)) this.coerce(decl.init, val, type, `'${name}'`);
          } else this.coerce(decl.init, val, type, `'${name}'`);
        } else if (!poisoned) {
          if (val.type.kind === "untyped") {
            if (d.declKind === "let") {
              // `let count = 0`: the type of its first use with a typed value, else u32
              // (i32 for a negative constant, 64 bits for one that needs them).
              type = this.inferLetType(name, val.value as bigint);
              if (!this.coerce(decl.init, val, type, `'${name}'`)) poisoned = true;
            } else type = UNTYPED;
          } else if (val.type.kind === "void") {
            const x = unparen(decl.init);
            if (x.kind === "CallExpr" && this.out.calls.has(x))
              this.error(
                C.voidValue,
                "this call returns nothing; its result cannot be stored",
                decl.init.range,
              );
            poisoned = true;
          } else if (val.type.kind === "null") {
            this.error(C.badNull, "null is only compared with map lookup results", decl.init.range);
            poisoned = true;
          } else if (val.type.kind === "map" || val.type.kind === "ringbuf") {
            this.error(
              C.mapAsValue,
              "a map cannot be stored in a variable",
              decl.init.range,
              "use the top-level map directly",
            );
            poisoned = true;
          } else type = val.type;
        }
      } else if (!poisoned) {
        if (d.declKind === "const") {
          this.error(C.missingInit, `const '${name}' needs an initializer`, decl.name.range);
          poisoned = true;
        } else if (type && !decl.definite) {
          // TypeScript rejects a read before the first assignment (TS2454), which the compiler
          // cannot prove absent: say how it starts, as for top-level lets.
          const init = type.kind === "struct" || type.kind === "array" ? undefined : "0";
          this.error(
            C.globalNeedsInit,
            `let '${name}' needs an initializer`,
            decl.name.range,
            init
              ? `write \`let ${name}: ${this.src(decl.type!)} = ${init};\`, or \`let ${name}!: ${this.src(decl.type!)};\` to start it zeroed`
              : `write \`let ${name}!: ${this.src(decl.type!)};\` to start it zeroed`,
          );
        } else if (!type) {
          this.error(
            C.cannotInfer,
            `'${name}' needs a type annotation or an initializer`,
            decl.name.range,
            `for example: let ${name}: u32 = 0;`,
          );
          poisoned = true;
        }
      }
      const sym = this.newLocal(
        decl.name,
        poisoned || !type ? VOID : type,
        d.declKind === "let",
        false,
      );
      if (d.declKind === "const" && !poisoned && val?.value !== undefined) {
        const c = this.out.constants.get(decl.init!) ?? val.value;
        sym.constValue = type?.kind === "int" && typeof c === "bigint" ? wrap(c, type) : c;
      }
      this.declareLocal(sym);
    }
  }

  private checkIf(s: ast.IfStmt): boolean {
    this.checkCond(s.test);
    const n = this.narrowing(s.test);
    const base = this.flow;
    this.flow = withNonNull(base, n.whenTrue);
    const r1 = this.checkScoped(s.consequent);
    const thenFlow = this.flow;
    this.flow = withNonNull(base, n.whenFalse);
    const r2 = s.alternate ? this.checkScoped(s.alternate) : true;
    const elseFlow = this.flow;
    if (r1 && r2) this.flow = intersect(thenFlow, elseFlow);
    else if (r1) this.flow = thenFlow;
    else if (r2) this.flow = elseFlow;
    else this.flow = base;
    return r1 || r2;
  }

  private checkScoped(s: ast.Stmt): boolean {
    this.scopes.push(new Map());
    const r = this.checkStmt(s);
    this.scopes.pop();
    return r;
  }

  private checkSwitch(s: ast.SwitchStmt): boolean {
    const dv = this.checkExpr(s.discriminant);
    let dt: Type | undefined = dv.type;
    if (dt.kind === "untyped") dt = undefined;
    else if (dt.kind !== "int") {
      if (dt.kind !== "void")
        this.error(
          C.notInteger,
          `switch works on integers, not ${typeToString(dt)}`,
          s.discriminant.range,
        );
      dt = undefined;
    }
    const seen = new Map<bigint, ast.Expr>();
    const base = this.flow;
    let anyReach = false;
    let hasDefault = false;
    this.breakDepth++;
    this.scopes.push(new Map());
    let prevReach = false;
    for (const c of s.cases) {
      if (c.test) {
        const cv = this.checkExpr(c.test, dt);
        if (typeof cv.value !== "bigint") {
          this.error(
            C.badCase,
            "case labels must be integer constants",
            c.test.range,
            "use a literal, a top-level const or a const enum member",
          );
        } else {
          if (dt && !this.coerce(c.test, cv, dt, "the case label")) continue;
          const v = dt?.kind === "int" ? wrap(cv.value, dt) : cv.value;
          const prev = seen.get(v);
          if (prev)
            this.error(C.duplicateCase, `duplicate case ${v}`, c.test.range, undefined, [
              { message: "first used here", range: prev.range },
            ]);
          else seen.set(v, c.test);
        }
      } else hasDefault = true;
      // Fall-through from the previous case keeps only facts true on both entries.
      this.flow = prevReach ? intersect(this.flow, base) : cloneFlow(base);
      prevReach = this.checkBlockBody(c.body);
    }
    this.scopes.pop();
    this.breakDepth--;
    anyReach = true; // a `break` or a missing default makes the end reachable
    if (hasDefault && !prevReach && !containsBreak(s.cases.flatMap((c) => c.body)))
      anyReach = false;
    this.flow = base;
    return anyReach;
  }

  private checkFor(s: ast.ForStmt): boolean {
    this.scopes.push(new Map());
    if (s.init) {
      const outer = this.rest;
      this.rest = {
        nodes: [s.test, s.update, s.body].filter((x): x is ast.Expr | ast.Stmt => !!x),
        from: 0,
      };
      if (s.init.kind === "VarDecl") this.checkLocalVarDecl(s.init);
      else this.checkExpr(s.init);
      this.rest = outer;
    }
    if (s.test) this.checkCond(s.test);
    const n = s.test ? this.narrowing(s.test) : { whenTrue: [], whenFalse: [] };
    if (s.update) this.checkExpr(s.update);
    const base = this.flow;
    this.flow = withNonNull(base, n.whenTrue);
    this.loopDepth++;
    this.breakDepth++;
    this.checkScoped(s.body);
    this.loopDepth--;
    this.breakDepth--;
    // After the body, so the bound rule sees every name resolved.
    const bound = this.forBound(s);
    if (bound) {
      this.error(
        C.unboundedLoop,
        `this loop is not bounded: ${bound}`,
        headerRange(s, s.body),
        "loops need a compile-time bound: for (let i: u32 = 0; i < N; i++) with a constant N and i not assigned in the body",
      );
    }
    this.flow = killAssigned(base, s.body, this.out.symbols);
    this.scopes.pop();
    return true;
  }

  private checkWhile(s: ast.WhileStmt | ast.DoWhileStmt): boolean {
    const base = this.flow;
    if (s.kind === "WhileStmt") this.checkCond(s.test);
    const n = s.kind === "WhileStmt" ? this.narrowing(s.test) : { whenTrue: [], whenFalse: [] };
    this.flow = withNonNull(base, n.whenTrue);
    this.loopDepth++;
    this.breakDepth++;
    this.checkScoped(s.body);
    this.loopDepth--;
    this.breakDepth--;
    if (s.kind === "DoWhileStmt") this.checkCond(s.test);
    const why = this.whileBound(s);
    if (why) {
      const range =
        s.kind === "WhileStmt" ? headerRange(s, s.body) : span(s.test.range, s.test.range);
      this.error(
        C.unboundedLoop,
        `this loop is not bounded: ${why}`,
        range,
        "use for (let i: u32 = 0; i < N; i++) with a constant N, or a while loop whose body steps its counter toward a constant bound",
      );
    }
    this.flow = killAssigned(base, s.body, this.out.symbols);
    return true;
  }

  /** Why a `for` loop is not bounded, or undefined when it is (rule in docs/check.md). */
  private forBound(s: ast.ForStmt): string | undefined {
    if (!s.test) return "it has no condition";
    const counter = this.counterOf(s.test);
    if (typeof counter === "string") return counter;
    if (!s.update) return `'${counter.sym.name}' is never updated`;
    const step = this.stepOf(s.update, counter.sym);
    if (typeof step === "string") return step;
    if (!directionOk(counter.op, counter.counterLeft, step))
      return `'${counter.sym.name}' moves away from its bound`;
    const bad = findAssignment(s.body, counter.sym, this.out.symbols);
    if (bad) {
      this.error(
        C.counterModified,
        `the loop counter '${counter.sym.name}' is assigned in the loop body, so the loop bound cannot be proved`,
        bad.range,
        "use another variable, or make the loop a for with a fixed step",
      );
    }
    return undefined;
  }

  private whileBound(s: ast.WhileStmt | ast.DoWhileStmt): string | undefined {
    const counter = this.counterOf(s.test);
    if (typeof counter === "string") return counter;
    // The body must step the counter at its top level, once, and have no `continue` that skips it.
    const stmts = s.body.kind === "Block" ? s.body.body : [s.body];
    let step: number | undefined;
    for (const st of stmts) {
      if (st.kind === "ExprStmt") {
        const r = this.stepOf(st.expr, counter.sym);
        if (typeof r === "number") {
          step = r;
          break;
        }
      }
    }
    if (step === undefined)
      return `its body does not step '${counter.sym.name}' by a constant on every path`;
    if (!directionOk(counter.op, counter.counterLeft, step))
      return `'${counter.sym.name}' moves away from its bound`;
    if (containsContinue(s.body)) return "a 'continue' can skip the counter's step";
    const assigns = countAssignments(s.body, counter.sym, this.out.symbols);
    if (assigns > 1) return `'${counter.sym.name}' is assigned more than once in the body`;
    return undefined;
  }

  private counterOf(
    test: ast.Expr,
  ): { sym: LocalSymbol; op: string; counterLeft: boolean } | string {
    const t = unparen(test);
    if (t.kind === "LogicalExpr" && t.op === "&&") {
      // `a && b` stops as soon as either stops: one bounded side bounds the loop.
      const l = this.counterOf(t.left);
      if (typeof l !== "string") return l;
      const r = this.counterOf(t.right);
      return typeof r !== "string" ? r : l;
    }
    if (t.kind === "BoolLiteral") return `its condition is the constant ${t.value}`;
    if (t.kind !== "BinaryExpr" || !["<", "<=", ">", ">=", "!=", "!=="].includes(t.op)) {
      return "its condition does not compare a counter with a constant";
    }
    const l = unparen(t.left);
    const r = unparen(t.right);
    const ls = l.kind === "Identifier" ? this.out.symbols.get(l) : undefined;
    const rs = r.kind === "Identifier" ? this.out.symbols.get(r) : undefined;
    const isCounter = (x: Sym | undefined): x is LocalSymbol =>
      x?.kind === "local" && x.mutable && x.type.kind === "int";
    if (isCounter(ls) && this.out.constants.has(t.right))
      return { sym: ls, op: t.op, counterLeft: true };
    if (isCounter(rs) && this.out.constants.has(t.left))
      return { sym: rs, op: t.op, counterLeft: false };
    return "its condition does not compare a local counter with a compile-time constant";
  }

  /** +n / -n when `e` steps `sym` by a constant; a reason string otherwise. */
  private stepOf(e: ast.Expr, sym: LocalSymbol): number | string {
    const x = unparen(e);
    if (x.kind === "SequenceExpr") {
      // `i++, j--`: the part that steps the counter.
      for (const part of x.exprs) {
        const r = this.stepOf(part, sym);
        if (typeof r === "number") return r;
      }
      return `the update does not step '${sym.name}'`;
    }
    if (x.kind === "UpdateExpr" && this.isSymRef(x.target, sym)) return x.op === "++" ? 1 : -1;
    if (
      x.kind === "AssignExpr" &&
      this.isSymRef(x.target, sym) &&
      (x.op === "+=" || x.op === "-=")
    ) {
      const c = this.out.constants.get(x.value);
      if (typeof c === "bigint" && c !== 0n) {
        const signed = x.op === "+=" ? c : -c;
        return signed > 0n ? 1 : -1;
      }
      return `'${sym.name}' is not stepped by a non-zero constant`;
    }
    return `the update does not step '${sym.name}'`;
  }

  private isSymRef(e: ast.Expr, sym: LocalSymbol): boolean {
    const x = unparen(e);
    return x.kind === "Identifier" && this.out.symbols.get(x) === sym;
  }

  // -------------------------------------------------------------------------------------
  // Null narrowing

  private narrowing(e: ast.Expr): { whenTrue: Fact[]; whenFalse: Fact[] } {
    const x = unparen(e);
    const none = { whenTrue: [] as Fact[], whenFalse: [] as Fact[] };
    const local = (n: ast.Expr, kind: "nullable" | "int"): LocalSymbol | undefined => {
      const y = unparen(n);
      if (y.kind !== "Identifier") return undefined;
      const s = this.out.symbols.get(y);
      return s?.kind === "local" && s.type.kind === kind ? s : undefined;
    };
    const isZero = (n: ast.Expr): boolean => this.out.constants.get(n) === 0n;
    switch (x.kind) {
      case "Identifier": {
        const s = local(x, "nullable");
        return s ? { whenTrue: [{ sym: s, kind: "nonNull" }], whenFalse: [] } : none;
      }
      case "UnaryExpr": {
        if (x.op !== "!") return none;
        const n = this.narrowing(x.operand);
        return { whenTrue: n.whenFalse, whenFalse: n.whenTrue };
      }
      case "LogicalExpr": {
        const a = this.narrowing(x.left);
        const b = this.narrowing(x.right);
        return x.op === "&&"
          ? { whenTrue: [...a.whenTrue, ...b.whenTrue], whenFalse: [] }
          : { whenTrue: [], whenFalse: [...a.whenFalse, ...b.whenFalse] };
      }
      case "BinaryExpr": {
        const l = unparen(x.left);
        const r = unparen(x.right);
        const eq = x.op === "==" || x.op === "===";
        const ne = x.op === "!=" || x.op === "!==";
        if (eq || ne) {
          const n =
            l.kind === "NullLiteral"
              ? local(r, "nullable")
              : r.kind === "NullLiteral"
                ? local(l, "nullable")
                : undefined;
          if (n) {
            const f: Fact[] = [{ sym: n, kind: "nonNull" }];
            return eq ? { whenTrue: [], whenFalse: f } : { whenTrue: f, whenFalse: [] };
          }
          const z = isZero(x.right)
            ? local(l, "int")
            : isZero(x.left)
              ? local(r, "int")
              : undefined;
          if (z) {
            const f: Fact[] = [{ sym: z, kind: "nonZero" }];
            return eq ? { whenTrue: [], whenFalse: f } : { whenTrue: f, whenFalse: [] };
          }
          return none;
        }
        // `x > 0` and `0 < x` prove x non-zero.
        const z =
          x.op === ">" && isZero(x.right)
            ? local(l, "int")
            : x.op === "<" && isZero(x.left)
              ? local(r, "int")
              : undefined;
        return z ? { whenTrue: [{ sym: z, kind: "nonZero" }], whenFalse: [] } : none;
      }
      default:
        return none;
    }
  }

  private checkCond(e: ast.Expr): void {
    const v = this.checkExpr(e);
    const t = v.type;
    if (t.kind === "bool" || t.kind === "nullable") return;
    if (t.kind === "int" || t.kind === "untyped") {
      this.error(
        C.notBool,
        `a condition must be a bool, not ${typeToString(t)}`,
        e.range,
        `compare explicitly: ${this.src(e)} != 0`,
      );
    } else if (t.kind !== "void" || !this.bag.hasErrors) {
      this.error(C.notBool, `a condition must be a bool, not ${typeToString(t)}`, e.range);
    }
  }

  // -------------------------------------------------------------------------------------
  // Expressions

  private record(e: ast.Expr, v: Val): Val {
    this.out.types.set(e, v.type);
    if (v.value !== undefined) this.out.constants.set(e, v.value);
    return v;
  }

  /**
   * Makes `v` (the value of `e`) usable where `to` is expected: an untyped constant gets the
   * type if it fits; otherwise the types must be equal. Reports and returns false if not.
   */
  coerce(e: ast.Expr, v: Val, to: Type, what: string): boolean {
    if (v.type.kind === "void" && to.kind !== "void") {
      // `void` is also the type of an expression already reported; only a call is news.
      const x = unparen(e);
      if (x.kind === "CallExpr" && this.out.calls.has(x))
        this.error(C.voidValue, "this call returns nothing; its result cannot be used", e.range);
      return false;
    }
    if (to.kind === "int" && v.type.kind === "untyped") {
      let value = v.value as bigint;
      const x0 = unparen(e);
      if (value < 0n && !to.signed && x0.kind === "UnaryExpr" && x0.op === "~") {
        // `x & ~FLAG` on an unsigned type: the complement within the type's width, as the
        // same bits in TypeScript (whose `~` gives a negative number) end up masking.
        const inner =
          this.out.constants.get(x0.operand) ?? this.out.constants.get(unparen(x0.operand));
        if (typeof inner === "bigint" && inner >= 0n && fits(inner, to)) {
          value = BigInt.asUintN(to.bits, value);
          this.record(x0.operand, { type: to, value: inner });
        }
      }
      if (!fits(value, to)) {
        this.error(
          C.literalDoesNotFit,
          `${value} does not fit in ${to.name} (${minOf(to)}..${maxOf(to)})`,
          e.range,
          value < 0n && !to.signed
            ? `convert explicitly to wrap it: ${to.name}(${this.src(e)})`
            : undefined,
        );
        return false;
      }
      this.record(e, { type: to, value });
      return true;
    }
    if (v.type.kind === "nullable" && to.kind !== "nullable") {
      this.mayBeNull(e);
      return false;
    }
    if (sameType(v.type, to)) return true;
    // Lossless implicit widening (u8/u16/u32 → a wider unsigned, i8/i16/i32 → a wider signed):
    // registers hold every value extended to 64 bits, so nothing is emitted. Mixed signedness
    // stays an error.
    if (v.type.kind === "int" && to.kind === "int" && losslessWiden(v.type, to)) return true;
    if (v.type.kind === "map" || v.type.kind === "ringbuf") {
      this.error(
        C.mapAsValue,
        "a map is not a value: use its methods (get, set, delete, has, output)",
        e.range,
      );
      return false;
    }
    if (v.type.kind === "null") {
      this.error(C.badNull, "null is only compared with map lookup results", e.range);
      return false;
    }
    if (v.type.kind === "untyped" && to.kind === "bool") {
      this.error(
        C.assignMismatch,
        `${what} is a bool; an integer cannot be used`,
        e.range,
        "write true or false",
      );
      return false;
    }
    const hint =
      isInteger(v.type) && to.kind === "int"
        ? `convert explicitly: ${to.name}(${this.src(e)})`
        : v.type.kind === "int" && to.kind === "bool"
          ? `compare explicitly: ${this.src(e)} != 0`
          : v.type.kind === "bool" && to.kind === "int"
            ? `convert explicitly: ${to.name}(${this.src(e)})`
            : undefined;
    this.error(
      C.assignMismatch,
      `${what} is ${typeToString(to)}, but this is ${typeToString(v.type)}`,
      e.range,
      hint,
    );
    return false;
  }

  private mayBeNull(e: ast.Expr): void {
    const x = unparen(e);
    const name = x.kind === "Identifier" ? x.name : "this map lookup";
    this.error(
      C.mayBeNull,
      x.kind === "Identifier"
        ? `'${name}' may be null: a map lookup must be checked before use`
        : "this map lookup may be null: it must be checked before use",
      e.range,
      x.kind === "Identifier"
        ? `check it first: if (${name} === null) return;`
        : "store it first: const v = m.get(k); if (v === null) return;",
    );
  }

  /** Checks an expression; `expected` guides object literals and untyped constants. */
  checkExpr(e: ast.Expr, expected?: Type): Val {
    return this.record(e, this.exprInner(e, expected));
  }

  private exprInner(e: ast.Expr, expected?: Type): Val {
    switch (e.kind) {
      case "IntLiteral":
        return { type: UNTYPED, value: e.value };
      case "BoolLiteral":
        return { type: BOOL, value: e.value };
      case "StringLiteral":
        this.error(
          C.stringNotAllowed,
          "strings are only allowed as trace formats and as `export const name` / `export const license`",
          e.range,
        );
        return { type: VOID };
      case "NullLiteral":
        return { type: NULL };
      case "ParenExpr": {
        const v = this.checkExpr(e.expr, expected);
        return v;
      }
      case "Identifier":
        return this.identifier(e);
      case "MemberExpr":
        return this.member(e);
      case "IndexExpr":
        return this.index(e);
      case "CallExpr":
        return this.call(e);
      case "NewExpr":
        if (this.newOfNonMap(e)) return { type: VOID };
        this.error(
          C.mapNotTopLevel,
          "maps are created only by a top-level const: const m = new ArrayMap<K, V>(n);",
          e.range,
        );
        return { type: VOID };
      case "ObjectLiteral":
        return this.objectLiteral(e, expected);
      case "UnaryExpr":
        return this.unary(e);
      case "BinaryExpr":
        return this.binary(e);
      case "LogicalExpr":
        return this.logical(e);
      case "ConditionalExpr":
        return this.conditional(e, expected);
      case "AssignExpr":
        return this.assign(e);
      case "UpdateExpr":
        return this.update(e);
      case "NullishExpr":
        return this.nullish(e);
      case "SequenceExpr":
        // Only a for update (the parser makes no other): each part for its effect.
        for (const x of e.exprs) this.checkExpr(x);
        return { type: VOID };
    }
  }

  /** `m.get(k) ?? d`, `m.get(k)?.field ?? d`: the value read through the reference, or `d`. */
  private nullish(e: ast.NullishExpr): Val {
    const l0 = unparen(e.left);
    if (l0.kind === "MemberExpr" && l0.optional) this.nullishLeft.add(l0);
    const lv = this.checkExpr(e.left);
    if (lv.type.kind !== "nullable") {
      // Already narrowed (or not a lookup at all): TypeScript evaluates to the left value.
      const rv = this.checkExpr(e.right, isInteger(lv.type) ? lv.type : undefined);
      if (lv.type.kind !== "void" && lv.type.kind !== "null" && isInteger(lv.type))
        this.coerce(e.right, rv, lv.type, "the default");
      if (lv.type.kind === "null") return rv;
      return { type: lv.type };
    }
    const base = lv.type.base;
    if (base.kind !== "int" && base.kind !== "bool") {
      this.error(
        C.typeMismatch,
        `'??' gives a default for an integer read from a map, not for ${typeToString(base)}`,
        e.range,
        "check the lookup instead: const v = m.get(k); if (v === null) return;",
      );
      this.checkExpr(e.right);
      return { type: VOID };
    }
    const rv = this.checkExpr(e.right, base);
    if (!this.coerce(e.right, rv, base, "the default")) return { type: VOID };
    return { type: base };
  }

  private identifier(id: ast.Identifier): Val {
    const sym = this.lookup(id.name);
    if (!sym) {
      this.unknownName(id, false);
      return { type: VOID };
    }
    this.out.symbols.set(id, sym);
    switch (sym.kind) {
      case "local":
        if (sym.constValue !== undefined) return { type: sym.type, value: sym.constValue };
        if (sym.type.kind === "nullable" && this.flow.nonNull.has(sym))
          return { type: sym.type.base };
        return { type: sym.type };
      case "const":
        return { type: sym.type, value: sym.value };
      case "global":
        return { type: sym.type };
      case "map":
        return { type: sym.type ?? RINGBUF };
      case "function":
        this.error(C.notAValue, `'${id.name}' is a function; call it: ${id.name}(…)`, id.range);
        return { type: VOID };
      case "enum":
        this.error(
          C.notAValue,
          `'${id.name}' is a const enum; use one of its members: ${id.name}.${[...sym.members.keys()][0] ?? "Member"}`,
          id.range,
        );
        return { type: VOID };
      case "struct":
        this.error(C.notAValue, `'${id.name}' is an interface (a type), not a value`, id.range);
        return { type: VOID };
      case "lang":
        if ((LANG_VALUES as readonly string[]).includes(sym.name)) {
          this.error(
            C.badBuiltinUse,
            `'${id.name}' can only be called`,
            id.range,
            sym.name === "submit" ? "write submit.<op>({ … })" : `write ${id.name}(…)`,
          );
        } else this.error(C.notAValue, `'${id.name}' is a type, not a value`, id.range);
        return { type: VOID };
    }
  }

  private member(e: ast.MemberExpr): Val {
    const obj = unparen(e.object);
    if (obj.kind === "Identifier") {
      const sym = this.lookup(obj.name);
      if (sym?.kind === "enum") {
        this.out.symbols.set(obj, sym);
        const v = sym.members.get(e.property.name);
        if (v === undefined) {
          this.error(
            C.unknownField,
            `const enum ${sym.name} has no member '${e.property.name}'`,
            e.property.range,
            `members: ${[...sym.members.keys()].join(", ")}`,
          );
          return { type: VOID };
        }
        this.out.members.set(e, { kind: "enumMember", value: v });
        return { type: UNTYPED, value: v };
      }
      if (sym?.kind === "lang" && sym.name === "submit") {
        this.out.symbols.set(obj, sym);
        this.error(
          C.badBuiltinUse,
          `submit.${e.property.name} can only be called: submit.${e.property.name}({ … })`,
          e.range,
        );
        return { type: VOID };
      }
    }
    const ov = this.checkExpr(e.object);
    const t = ov.type;
    if (t.kind === "nullable" && e.optional && t.base.kind === "struct") {
      // `v?.field`: the field's reference, or null (a `??` must give the default).
      const f = t.base.fields.find((x) => x.name === e.property.name);
      if (!f) {
        this.error(
          C.unknownField,
          `${t.base.name} has no field '${e.property.name}'`,
          e.property.range,
          `fields: ${t.base.fields.map((x) => x.name).join(", ")}`,
        );
        return { type: VOID };
      }
      this.out.members.set(e, { kind: "field", struct: t.base, field: f.name });
      if (!this.nullishLeft.has(e)) {
        this.error(
          C.mayBeNull,
          `'${this.src(e)}' may be null: give a default with ??`,
          e.range,
          `write ${this.src(e)} ?? 0`,
        );
        return { type: VOID };
      }
      return { type: { kind: "nullable", base: f.type } as Type };
    }
    if (t.kind === "nullable") {
      this.mayBeNull(e.object);
      return { type: VOID };
    }
    if (t.kind === "struct") {
      const f = t.fields.find((x) => x.name === e.property.name);
      if (!f) {
        this.error(
          C.unknownField,
          `${t.name} has no field '${e.property.name}'`,
          e.property.range,
          `fields: ${t.fields.map((x) => x.name).join(", ")}`,
        );
        return { type: VOID };
      }
      this.out.members.set(e, { kind: "field", struct: t, field: f.name });
      return { type: f.type };
    }
    if (t.kind === "array" && e.property.name === "length") {
      return { type: UNTYPED, value: BigInt(t.length) };
    }
    if (t.kind === "map" || t.kind === "ringbuf") {
      this.error(C.badBuiltinUse, `map method '${e.property.name}' can only be called`, e.range);
      return { type: VOID };
    }
    if (t.kind !== "void")
      this.error(
        C.unknownField,
        `${typeToString(t)} has no field '${e.property.name}'`,
        e.property.range,
      );
    return { type: VOID };
  }

  private index(e: ast.IndexExpr): Val {
    const ov = this.checkExpr(e.object);
    if (ov.type.kind === "nullable") {
      this.mayBeNull(e.object);
      return { type: VOID };
    }
    const iv = this.checkExpr(e.index);
    if (ov.type.kind !== "array") {
      if (ov.type.kind !== "void")
        this.error(
          C.notIndexable,
          `only FixedArray values can be indexed, not ${typeToString(ov.type)}`,
          e.object.range,
        );
      return { type: VOID };
    }
    if (iv.type.kind === "untyped") {
      const i = iv.value as bigint;
      if (i < 0n || i >= BigInt(ov.type.length)) {
        this.error(
          C.indexOutOfRange,
          `index ${i} is out of range for ${typeToString(ov.type)} (0..${ov.type.length - 1})`,
          e.index.range,
        );
      } else this.record(e.index, { type: INT_TYPES.u32, value: i });
    } else if (iv.type.kind !== "int") {
      if (iv.type.kind !== "void")
        this.error(
          C.notInteger,
          `an index must be an integer, not ${typeToString(iv.type)}`,
          e.index.range,
        );
    }
    return { type: ov.type.element };
  }

  private objectLiteral(e: ast.ObjectLiteral, expected: Type | undefined): Val {
    if (!expected || expected.kind !== "struct") {
      this.error(
        C.objectNeedsStruct,
        "an object literal needs a struct type from its context",
        e.range,
        "annotate the variable with an interface type: const s: MyStruct = { … };",
      );
      for (const p of e.properties) this.checkExpr(p.value);
      return { type: VOID };
    }
    this.objectFields(e, expected);
    return { type: expected };
  }

  private objectFields(e: ast.ObjectLiteral, st: StructType): void {
    const given = new Map<string, ast.ObjectProperty>();
    for (const p of e.properties) {
      const f = st.fields.find((x) => x.name === p.key.name);
      if (!f) {
        this.error(
          C.unknownField,
          `${st.name} has no field '${p.key.name}'`,
          p.key.range,
          `fields: ${st.fields.map((x) => x.name).join(", ")}`,
        );
        this.checkExpr(p.value);
        continue;
      }
      const prev = given.get(p.key.name);
      if (prev) {
        this.error(
          C.duplicateField,
          `field '${p.key.name}' is given twice`,
          p.key.range,
          undefined,
          [{ message: "first given here", range: prev.key.range }],
        );
        continue;
      }
      given.set(p.key.name, p);
      const v = this.checkExpr(p.value, f.type);
      this.coerce(p.value, v, f.type, `field '${f.name}'`);
    }
    const missing = st.fields.filter((f) => !given.has(f.name)).map((f) => f.name);
    if (missing.length) {
      this.error(
        C.missingField,
        `missing ${missing.length === 1 ? "field" : "fields"} of ${st.name}: ${missing.join(", ")}`,
        e.range,
        "give every field a value (0 if unused)",
      );
    }
  }

  private unary(e: ast.UnaryExpr): Val {
    const v = this.checkExpr(e.operand);
    if (e.op === "!") {
      if (v.type.kind === "bool")
        return typeof v.value === "boolean" ? { type: BOOL, value: !v.value } : { type: BOOL };
      if (v.type.kind === "nullable") return { type: BOOL };
      if (isInteger(v.type))
        this.error(
          C.notBool,
          `'!' needs a bool, not ${typeToString(v.type)}`,
          e.operand.range,
          `compare explicitly: ${this.src(e.operand)} == 0`,
        );
      else if (v.type.kind !== "void")
        this.error(C.notBool, `'!' needs a bool, not ${typeToString(v.type)}`, e.operand.range);
      return { type: BOOL };
    }
    if (!isInteger(v.type)) {
      if (v.type.kind !== "void")
        this.error(
          C.notInteger,
          `'${e.op}' needs an integer, not ${typeToString(v.type)}`,
          e.operand.range,
        );
      return { type: VOID };
    }
    if (typeof v.value === "bigint") {
      const r = foldUnary(e.op, v.value, v.type.kind === "int" ? v.type : undefined);
      if (!r.ok) {
        this.error(C.constantOverflow, r.message, e.range);
        return { type: VOID };
      }
      return { type: v.type, value: r.value };
    }
    return { type: v.type };
  }

  /** Gives two integer operands one type (an untyped one takes the other's). */
  private unify(
    le: ast.Expr,
    lv: Val,
    re: ast.Expr,
    rv: Val,
    opText: string,
    range: SourceRange,
  ): IntType | "untyped" | undefined {
    if (lv.type.kind === "untyped" && rv.type.kind === "untyped") return "untyped";
    if (lv.type.kind === "untyped" && rv.type.kind === "int")
      return this.coerce(le, lv, rv.type, "the left operand") ? rv.type : undefined;
    if (rv.type.kind === "untyped" && lv.type.kind === "int")
      return this.coerce(re, rv, lv.type, "the right operand") ? lv.type : undefined;
    if (lv.type.kind === "int" && rv.type.kind === "int") {
      if (lv.type.name === rv.type.name) return lv.type;
      if (losslessWiden(rv.type, lv.type)) return lv.type;
      if (losslessWiden(lv.type, rv.type)) return rv.type;
      const wider = lv.type.bits >= rv.type.bits ? lv.type : rv.type;
      const narrowSide = wider === lv.type ? re : le;
      this.error(
        C.typeMismatch,
        `'${opText}' needs operands of the same type, but they are ${lv.type.name} and ${rv.type.name}`,
        range,
        `convert one side explicitly, e.g. ${wider.name}(${this.src(narrowSide)})`,
      );
      return undefined;
    }
    return undefined;
  }

  private binary(e: ast.BinaryExpr): Val {
    const op = e.op;
    const lv = this.checkExpr(e.left);
    const rv = this.checkExpr(e.right);
    const isEq = op === "==" || op === "===" || op === "!=" || op === "!==";
    const foldOp: FoldOp = (op === "===" ? "==" : op === "!==" ? "!=" : op) as FoldOp;
    if (isEq) {
      // null comparisons: only with map lookup results.
      if (lv.type.kind === "null" || rv.type.kind === "null") {
        const other = lv.type.kind === "null" ? rv : lv;
        const otherE = lv.type.kind === "null" ? e.right : e.left;
        if (
          other.type.kind !== "nullable" &&
          other.type.kind !== "null" &&
          other.type.kind !== "void"
        ) {
          this.error(
            C.badNull,
            `${typeToString(other.type)} is never null: only map lookup results are compared with null`,
            otherE.range,
          );
        }
        return { type: BOOL };
      }
      if (lv.type.kind === "bool" && rv.type.kind === "bool") {
        if (typeof lv.value === "boolean" && typeof rv.value === "boolean") {
          return {
            type: BOOL,
            value: foldOp === "==" ? lv.value === rv.value : lv.value !== rv.value,
          };
        }
        return { type: BOOL };
      }
    }
    for (const [x, v] of [
      [e.left, lv],
      [e.right, rv],
    ] as const) {
      if (v.type.kind === "nullable") {
        this.mayBeNull(x);
        return { type: isCompare(op) ? BOOL : VOID };
      }
      if (!isInteger(v.type)) {
        if (v.type.kind !== "void") {
          this.error(
            C.notInteger,
            `'${op}' needs integer operands, not ${typeToString(v.type)}`,
            x.range,
            v.type.kind === "bool" && !isEq ? `convert explicitly: u32(${this.src(x)})` : undefined,
          );
        }
        return { type: isCompare(op) ? BOOL : VOID };
      }
    }
    const isShift = op === "<<" || op === ">>" || op === ">>>";
    let t: IntType | "untyped" | undefined;
    if (isShift) {
      // The count may have any integer type; an untyped value takes the count's type.
      if (lv.type.kind === "int") t = lv.type;
      else if (rv.type.kind === "int")
        t = this.coerce(e.left, lv, rv.type, "the shifted value") ? rv.type : undefined;
      else t = "untyped";
      if (
        t &&
        t !== "untyped" &&
        typeof rv.value === "bigint" &&
        (rv.value < 0n || rv.value >= BigInt(t.bits))
      ) {
        this.error(
          C.badShift,
          `shift count ${rv.value} is not in 0..${t.bits - 1} for ${t.name}`,
          e.right.range,
        );
        return { type: t };
      }
      if (rv.type.kind === "untyped" && t && t !== "untyped")
        this.record(e.right, { type: t, value: rv.value as bigint });
    } else {
      t = this.unify(e.left, lv, e.right, rv, op, e.range);
    }
    if (t === undefined) return { type: isCompare(op) ? BOOL : VOID };
    const intT = t === "untyped" ? undefined : t;
    const resultType: Type = isCompare(op) ? BOOL : (intT ?? UNTYPED);
    const lval = this.out.constants.get(e.left) ?? lv.value;
    const rval = this.out.constants.get(e.right) ?? rv.value;
    if (typeof lval === "bigint" && typeof rval === "bigint") {
      const r = foldBinary(foldOp, lval, rval, intT);
      if (!r.ok) {
        this.error(r.reason === "shift" ? C.badShift : C.constantOverflow, r.message, e.range);
        return { type: VOID };
      }
      return { type: resultType, value: r.value };
    }
    if ((op === "/" || op === "%") && intT) this.divisionRules(op, intT, e.right, rval, e.range);
    return { type: resultType };
  }

  private divisionRules(
    op: string,
    t: IntType,
    divisor: ast.Expr,
    dval: bigint | boolean | undefined,
    range: SourceRange,
  ): void {
    if (t.signed && !hasSignedDivision(this.mcpu)) {
      this.error(
        C.signedDivision,
        `signed '${op[0]}' on ${t.name} needs signed division, which is cpu v4; --mcpu is ${this.mcpu}`,
        range,
        mcpuLevel(this.target.maxMcpu) >= 4
          ? "use --mcpu v4, or convert the operands to unsigned"
          : `${this.target.name} kernels support up to cpu ${this.target.maxMcpu}: convert the operands to unsigned, e.g. u${t.bits}(x)`,
      );
    }
    if (dval === 0n) {
      this.warn(
        C.divisionByZero,
        `division by zero: BPF defines x / 0 as 0 and x % 0 as x`,
        divisor.range,
      );
    } else if (dval === undefined && !this.provedNonZero(divisor)) {
      this.warn(
        C.divisorMaybeZero,
        "the divisor may be zero: BPF then gives x / 0 == 0 and x % 0 == x",
        divisor.range,
        "check it first if that is not what you want",
      );
    }
  }

  /** The divisor is a local that a condition on this path proved non-zero. */
  private provedNonZero(divisor: ast.Expr): boolean {
    const x = unparen(divisor);
    if (x.kind !== "Identifier") return false;
    const s = this.out.symbols.get(x);
    return s?.kind === "local" && this.flow.nonZero.has(s);
  }

  private logical(e: ast.LogicalExpr): Val {
    this.checkCond(e.left);
    const n = this.narrowing(e.left);
    const base = this.flow;
    this.flow = withNonNull(base, e.op === "&&" ? n.whenTrue : n.whenFalse);
    this.checkCond(e.right);
    this.flow = base;
    const l = this.out.constants.get(e.left);
    const r = this.out.constants.get(e.right);
    if (typeof l === "boolean" && typeof r === "boolean")
      return { type: BOOL, value: e.op === "&&" ? l && r : l || r };
    return { type: BOOL };
  }

  private conditional(e: ast.ConditionalExpr, expected: Type | undefined): Val {
    this.checkCond(e.test);
    const n = this.narrowing(e.test);
    const base = this.flow;
    this.flow = withNonNull(base, n.whenTrue);
    const a = this.checkExpr(e.consequent, expected);
    this.flow = withNonNull(base, n.whenFalse);
    const b = this.checkExpr(e.alternate, expected);
    this.flow = base;
    let t: Type;
    if (isInteger(a.type) && isInteger(b.type)) {
      const u = this.unify(e.consequent, a, e.alternate, b, "?:", e.range);
      if (!u) return { type: VOID };
      t = u === "untyped" ? UNTYPED : u;
      const tv0 = this.out.constants.get(e.test);
      if (u === "untyped" && typeof tv0 !== "boolean") {
        // Two constants picked at run time: the result needs a width now.
        if (expected?.kind === "int") {
          const okA = this.coerce(e.consequent, a, expected, "the first branch");
          const okB = this.coerce(e.alternate, b, expected, "the second branch");
          return { type: okA && okB ? expected : VOID };
        }
        this.error(
          C.cannotInfer,
          "cannot infer the width of a choice between two constants",
          e.range,
          "convert one branch explicitly, e.g. u32(1)",
        );
        return { type: VOID };
      }
    } else if (sameType(a.type, b.type)) t = a.type;
    else {
      if (a.type.kind !== "void" && b.type.kind !== "void") {
        this.error(
          C.typeMismatch,
          `both branches of '?:' need the same type, but they are ${typeToString(a.type)} and ${typeToString(b.type)}`,
          e.range,
        );
      }
      return { type: VOID };
    }
    const tv = this.out.constants.get(e.test);
    if (typeof tv === "boolean") {
      const pick = this.out.constants.get(tv ? e.consequent : e.alternate);
      if (pick !== undefined) return { type: t, value: pick };
    }
    return { type: t };
  }

  /** Checks that `target` can be assigned; returns its type. */
  private lvalue(target: ast.Expr, what: string, writesValue = false): Type | undefined {
    const x = unparen(target);
    if (x.kind === "Identifier") {
      const pre = this.lookup(x.name);
      if (
        pre &&
        pre.kind !== "local" &&
        pre.kind !== "global" &&
        pre.kind !== "const" &&
        pre.kind !== "map"
      ) {
        this.out.symbols.set(x, pre);
        this.error(C.notAssignable, `cannot ${what} '${x.name}': it is not a variable`, x.range);
        return undefined;
      }
      const v = this.checkExpr(x);
      const sym = this.out.symbols.get(x);
      if (!sym || v.type.kind === "void") return undefined;
      if (sym.kind === "local") {
        if (!sym.mutable) {
          this.error(
            C.assignToConst,
            `cannot ${what} '${sym.name}': it is a const`,
            x.range,
            "declare it with let",
            [{ message: "declared here", range: sym.decl.range }],
          );
          return undefined;
        }
        if (
          sym.type.kind === "nullable" &&
          writesValue &&
          this.flow.nonNull.has(sym) &&
          (sym.type.base.kind === "int" || sym.type.base.kind === "bool")
        ) {
          // `v++`, `v += n`, `v = n` on a narrowed integer read from a map: as in TypeScript,
          // the variable gets a new number and the map entry stays as it is (codegen gives
          // it a copy on the stack). It stays non-null.
          return sym.type.base;
        }
        if (sym.type.kind === "nullable") {
          // Re-pointing a lookup variable drops what was proved about it.
          this.flow = {
            ...this.flow,
            nonNull: new Set([...this.flow.nonNull].filter((s) => s !== sym)),
          };
          return sym.type;
        }
        if (this.flow.nonZero.has(sym)) {
          this.flow = {
            ...this.flow,
            nonZero: new Set([...this.flow.nonZero].filter((s) => s !== sym)),
          };
        }
        return v.type;
      }
      if (sym.kind === "global") {
        if (sym.readonly) {
          this.error(
            C.assignToDeclareConst,
            `cannot ${what} '${sym.name}': a declare const is read-only (the loader sets it before load)`,
            x.range,
            "use a top-level let for state the program changes",
          );
          return undefined;
        }
        return sym.type;
      }
      if (sym.kind === "const") {
        this.error(
          C.assignToConst,
          `cannot ${what} '${sym.name}': it is a const`,
          x.range,
          "use a top-level let for state the program changes",
        );
        return undefined;
      }
      if (sym.kind === "map") {
        this.error(
          C.assignToConst,
          `cannot ${what} map '${sym.name}'`,
          x.range,
          `use ${sym.name}.set(k, v)`,
        );
        return undefined;
      }
      this.error(C.notAssignable, `cannot ${what} '${x.name}'`, x.range);
      return undefined;
    }
    if (x.kind === "MemberExpr" || x.kind === "IndexExpr") {
      const v = this.checkExpr(x);
      if (v.type.kind === "void") return undefined;
      const root = this.storageRoot(x);
      if (root === "readonly-struct") {
        this.error(
          C.assignToReadonly,
          `cannot ${what} ${this.src(x)}: a Cqe is read-only`,
          x.range,
          "copy the value into a local variable",
        );
        return undefined;
      }
      if (root === "readonly-field") {
        this.error(
          C.assignToReadonly,
          `cannot ${what} ${this.src(x)}: the field is readonly`,
          x.range,
        );
        return undefined;
      }
      if (root === "declare-const") {
        this.error(
          C.assignToDeclareConst,
          `cannot ${what} ${this.src(x)}: it is part of a declare const, which is read-only`,
          x.range,
        );
        return undefined;
      }
      if (root === "not-storage") {
        this.error(
          C.notAssignable,
          `cannot ${what} ${this.src(x)}: it is not stored anywhere`,
          x.range,
        );
        return undefined;
      }
      return v.type;
    }
    this.checkExpr(x);
    this.error(
      C.notAssignable,
      `this expression cannot be assigned to`,
      x.range,
      "assign to a variable, a field or an array element",
    );
    return undefined;
  }

  private storageRoot(
    x: ast.Expr,
  ): "ok" | "readonly-struct" | "readonly-field" | "declare-const" | "not-storage" {
    let cur = unparen(x);
    while (cur.kind === "MemberExpr" || cur.kind === "IndexExpr") {
      if (cur.kind === "MemberExpr") {
        const info = this.out.members.get(cur);
        if (info?.kind === "field") {
          if (info.struct.readonly) return "readonly-struct";
          if (info.struct.fields.find((f) => f.name === info.field)?.readonly)
            return "readonly-field";
        }
      }
      cur = unparen(cur.object);
    }
    if (cur.kind !== "Identifier") return "not-storage";
    const sym = this.out.symbols.get(cur);
    if (sym?.kind === "global" && sym.readonly) return "declare-const";
    if (sym?.kind === "local" || sym?.kind === "global") return "ok";
    return "not-storage";
  }

  private assign(e: ast.AssignExpr): Val {
    const tt = this.lvalue(e.target, "assign to", e.op !== "=" || !isReference(e.value));
    if (e.op === "=") {
      const v = this.checkExpr(e.value, tt);
      if (tt) {
        if (tt.kind === "nullable") {
          if (!(v.type.kind === "nullable" && sameType(v.type.base, tt.base)))
            this.coerce(e.value, v, tt, "the target");
        } else this.coerce(e.value, v, tt, `the target`);
      }
      return { type: tt ?? VOID };
    }
    const v = this.checkExpr(e.value, tt);
    if (!tt) return { type: VOID };
    const op = e.op.slice(0, -1);
    if (tt.kind !== "int") {
      this.error(
        C.notInteger,
        `'${e.op}' needs an integer target, not ${typeToString(tt)}`,
        e.target.range,
      );
      return { type: VOID };
    }
    if (op === "<<" || op === ">>" || op === ">>>") {
      if (!isInteger(v.type))
        this.error(
          C.notInteger,
          `a shift count must be an integer, not ${typeToString(v.type)}`,
          e.value.range,
        );
      else if (typeof v.value === "bigint" && (v.value < 0n || v.value >= BigInt(tt.bits))) {
        this.error(
          C.badShift,
          `shift count ${v.value} is not in 0..${tt.bits - 1} for ${tt.name}`,
          e.value.range,
        );
      } else if (v.type.kind === "untyped")
        this.record(e.value, { type: tt, value: v.value as bigint });
      return { type: tt };
    }
    if (!this.coerce(e.value, v, tt, `'${e.op}' on a ${tt.name}`)) return { type: tt };
    if (op === "/" || op === "%")
      this.divisionRules(op, tt, e.value, this.out.constants.get(e.value), e.range);
    return { type: tt };
  }

  private update(e: ast.UpdateExpr): Val {
    const tt = this.lvalue(e.target, e.op === "++" ? "increment" : "decrement", true);
    if (tt && tt.kind !== "int" && tt.kind !== "void") {
      this.error(
        C.notInteger,
        `'${e.op}' needs an integer, not ${typeToString(tt)}`,
        e.target.range,
      );
      return { type: VOID };
    }
    return { type: tt ?? VOID };
  }

  // -------------------------------------------------------------------------------------
  // Calls

  private call(e: ast.CallExpr): Val {
    const callee = unparen(e.callee);
    if (callee.kind === "Identifier") {
      const sym = this.lookup(callee.name);
      if (!sym) {
        this.unknownName(callee, false);
        for (const a of e.args) this.checkExpr(a);
        return { type: VOID };
      }
      this.out.symbols.set(callee, sym);
      if (sym.kind === "function") return this.callFunction(e, sym);
      if (sym.kind === "lang") return this.callBuiltin(e, sym);
      this.error(C.notCallable, `'${callee.name}' is not a function`, callee.range);
      for (const a of e.args) this.checkExpr(a);
      return { type: VOID };
    }
    if (callee.kind === "MemberExpr") {
      const obj = unparen(callee.object);
      if (obj.kind === "Identifier") {
        const sym = this.lookup(obj.name);
        if (sym?.kind === "lang" && sym.name === "submit") {
          this.out.symbols.set(obj, sym);
          return this.callSubmit(e, callee);
        }
        if (sym?.kind === "map") {
          this.out.symbols.set(obj, sym);
          return this.callMapMethod(e, callee, sym);
        }
        if (!sym && obj.name === "Math" && ["min", "max"].includes(callee.property.name))
          return this.callMinMax(e, callee.property.name as "min" | "max");
        if (!sym && jsGlobalHint(obj.name)) {
          // `console.log(…)`, `Date.now()`: one error with the replacement, not one per argument.
          this.error(
            C.unknownName,
            `'${obj.name}.${callee.property.name}' does not exist in BPF programs`,
            callee.range,
            jsGlobalHint(obj.name),
          );
          return { type: VOID };
        }
      }
    }
    this.checkExpr(e.callee);
    for (const a of e.args) this.checkExpr(a);
    if (this.out.types.get(e.callee)?.kind !== "void")
      this.error(C.notCallable, "this expression cannot be called", e.callee.range);
    return { type: VOID };
  }

  /** `Math.min(a, b)` / `Math.max(a, b)`: two integers of one type (or widened to one). */
  private callMinMax(e: ast.CallExpr, op: "min" | "max"): Val {
    if (!this.argCount(e, `Math.${op}()`, 2)) {
      for (const a of e.args) this.checkExpr(a);
      return { type: VOID };
    }
    const [a, b] = [e.args[0]!, e.args[1]!];
    const av = this.checkExpr(a);
    const bv = this.checkExpr(b);
    for (const [x, v] of [
      [a, av],
      [b, bv],
    ] as const) {
      if (v.type.kind === "nullable") {
        this.mayBeNull(x);
        return { type: VOID };
      }
      if (!isInteger(v.type)) {
        if (v.type.kind !== "void")
          this.error(
            C.notInteger,
            `Math.${op} needs integers, not ${typeToString(v.type)}`,
            x.range,
          );
        return { type: VOID };
      }
    }
    const t = this.unify(a, av, b, bv, `Math.${op}`, e.range);
    if (t === undefined) return { type: VOID };
    if (t === "untyped") {
      const x = av.value as bigint;
      const y = bv.value as bigint;
      return { type: UNTYPED, value: op === "min" ? (x < y ? x : y) : x > y ? x : y };
    }
    this.out.calls.set(e, { kind: "minmax", op, type: t });
    return { type: t };
  }

  /** Checks arguments of a call already reported, without object-literal context errors. */
  private checkArgsLoosely(args: ast.Expr[]): void {
    for (const a of args) {
      const x = unparen(a);
      if (x.kind === "ObjectLiteral") {
        for (const p of x.properties) this.checkExpr(p.value);
        this.out.types.set(a, VOID);
      } else this.checkExpr(a);
    }
  }

  private argCount(e: ast.CallExpr, name: string, min: number, max = min): boolean {
    if (e.args.length < min || e.args.length > max) {
      const want = min === max ? plural(min, "argument") : `${min} to ${max} arguments`;
      this.error(
        C.argCount,
        `${name} takes ${want}, but ${e.args.length} ${e.args.length === 1 ? "is" : "are"} given`,
        e.range,
      );
      this.checkArgsLoosely(e.args);
      return false;
    }
    return true;
  }

  private callFunction(e: ast.CallExpr, sym: FunctionSymbol): Val {
    const info = sym.info;
    if (info.entry) {
      this.error(
        C.entryCalled,
        `entry point '${sym.name}' cannot be called; the kernel runs it`,
        e.callee.range,
        "move the shared code into a helper function",
      );
    }
    if (this.fn) {
      if (!this.fn.calls.includes(sym.name)) this.fn.calls.push(sym.name);
      let m = this.callSites.get(this.fn.name);
      if (!m) this.callSites.set(this.fn.name, (m = new Map()));
      if (!m.has(sym.name)) m.set(sym.name, e.range);
    }
    this.out.calls.set(e, { kind: "function", fn: sym });
    if (!this.argCount(e, `'${sym.name}'`, info.params.length)) return { type: info.returnType };
    e.args.forEach((a, i) => {
      const pt = info.params[i]!.type;
      const v = this.checkExpr(a, pt);
      if (pt.kind !== "void") this.coerce(a, v, pt, `parameter '${info.params[i]!.name}'`);
    });
    return { type: info.returnType };
  }

  /**
   * The first submit op of the program that iouring-v2 does not know (so the program needs
   * linux-7.1), by a walk of the whole program; cached.
   */
  private opBeyondV2(): string | undefined {
    if (this.beyondV2 !== null) return this.beyondV2;
    const v2 = getTarget("iouring-v2");
    let found: string | undefined;
    const walk = (n: unknown): void => {
      if (found || !n || typeof n !== "object") return;
      if (Array.isArray(n)) {
        for (const x of n) walk(x);
        return;
      }
      const c = n as ast.CallExpr;
      if (
        c.kind === "CallExpr" &&
        c.callee.kind === "MemberExpr" &&
        c.callee.object.kind === "Identifier" &&
        c.callee.object.name === "submit"
      ) {
        const op = submitOp(c.callee.property.name);
        if (op && !opcodeAllowed(v2, op.opcode)) found = c.callee.property.name;
      }
      for (const [k, v] of Object.entries(n)) if (k !== "range") walk(v);
    };
    walk(this.program.items);
    this.beyondV2 = found;
    return found;
  }
  private beyondV2: string | undefined | null = null;

  /**
   * A linux-7.1 hint that suggests iouring-v2, made consistent with the program: when the
   * program submits an op iouring-v2 lacks (submit.socket, …), the suggestion of iouring-v2
   * (whose E3013 would send the user back here) is replaced by the reason it does not apply.
   */
  private withoutV2(hint: string): string {
    const op = this.target.name === "linux-7.1" ? this.opBeyondV2() : undefined;
    if (!op || !hint.includes("iouring-v2")) return hint;
    const base = hint
      .replace(/, or use --target iouring-v2[^;]*/, "")
      .replace(
        /; programs that exchange completions through CQs, like ping-pong, need --target iouring-v2/,
        "",
      );
    return `${base} (not --target iouring-v2: its kernel does not know submit.${op})`;
  }

  private builtinAvailable(e: ast.CallExpr, name: TargetBuiltin): boolean {
    const a = this.target.builtins[name];
    if (!a.available) {
      this.error(
        C.builtinUnavailable,
        `${a.reason}: ${name}() is not available on ${this.target.name}`,
        e.callee.range,
        a.alternative && this.withoutV2(a.alternative),
      );
      return false;
    }
    if (a.sleepableOnly) this.out.needsSleepable = true;
    return true;
  }

  private callBuiltin(e: ast.CallExpr, sym: LangSymbol): Val {
    const name = sym.name;
    if (isIntName(name)) return this.callConversion(e, INT_TYPES[name as IntName]);
    switch (name) {
      case "stop":
      case "ktime":
      case "random": {
        this.builtinAvailable(e, name);
        this.out.calls.set(e, { kind: "builtin", name });
        this.argCount(e, `${name}()`, 0);
        return { type: name === "stop" ? VOID : name === "ktime" ? INT_TYPES.u64 : INT_TYPES.u32 };
      }
      case "trace":
        return this.callTrace(e);
      case "emit":
        return this.callEmit(e);
      case "copyFromUser":
      case "copyToUser":
        return this.callCopy(e, name);
      case "submit":
        this.error(
          C.badBuiltinUse,
          "submit is called through an op: submit.<op>({ … })",
          e.callee.range,
          "for example submit.read({ fd, addr, len }), or submit.sqe({ opcode, … })",
        );
        this.checkArgsLoosely(e.args);
        return { type: BOOL };
      default:
        this.error(
          C.notCallable,
          `'${sym.local}' is not a function`,
          e.callee.range,
          MAP_CLASSES.includes(name as never)
            ? `create maps at top level: const m = new ${name}<…>(n);`
            : undefined,
        );
        for (const a of e.args) this.checkExpr(a);
        return { type: VOID };
    }
  }

  private callConversion(e: ast.CallExpr, to: IntType): Val {
    this.out.calls.set(e, { kind: "conversion", to });
    if (!this.argCount(e, `${to.name}()`, 1)) return { type: to };
    const a = e.args[0]!;
    // `u32(c ? 1 : 0)`: a choice between constants takes the conversion's type.
    const v = this.checkExpr(a, unparen(a).kind === "ConditionalExpr" ? to : undefined);
    if (v.type.kind === "nullable") {
      this.mayBeNull(a);
      return { type: to };
    }
    if (!isInteger(v.type) && v.type.kind !== "bool") {
      if (v.type.kind !== "void")
        this.error(
          C.badConversion,
          `${to.name}() converts integers and bools, not ${typeToString(v.type)}`,
          a.range,
        );
      return { type: to };
    }
    if (typeof v.value === "bigint") return { type: to, value: wrap(v.value, to) };
    if (typeof v.value === "boolean") return { type: to, value: v.value ? 1n : 0n };
    return { type: to };
  }

  private callTrace(e: ast.CallExpr): Val {
    this.builtinAvailable(e, "trace");
    this.traceUsed = e;
    if (e.args.length === 0) {
      this.error(
        C.traceFormat,
        "trace() needs a format string",
        e.range,
        'for example trace("res=%d", cqe.res)',
      );
      return { type: VOID };
    }
    const fmtE = unparen(e.args[0]!);
    const args = e.args.slice(1);
    if (fmtE.kind !== "StringLiteral") {
      this.checkExpr(e.args[0]!);
      this.error(C.traceFormat, "the trace format must be a string literal", e.args[0]!.range);
      for (const a of args) this.checkExpr(a);
      return { type: VOID };
    }
    this.out.types.set(e.args[0]!, STRING);
    if (args.length > 3) {
      this.error(
        C.traceArgs,
        `trace() takes at most 3 values after the format, not ${args.length}`,
        span(args[3]!.range, args[args.length - 1]!.range),
        "split it into several trace() calls",
      );
    }
    const specs = traceSpecs(fmtE.value);
    if (typeof specs === "string") {
      this.error(
        C.traceFormat,
        specs,
        fmtE.range,
        "use %d %i %u %x %X (optionally with l or ll) and %% for a percent sign",
      );
    } else if (specs !== args.length && args.length <= 3) {
      this.error(
        C.traceArgs,
        `the format has ${plural(specs, "conversion")} but ${plural(args.length, "value")} ${args.length === 1 ? "is" : "are"} given`,
        e.range,
      );
    }
    for (const a of args) {
      const v = this.checkExpr(a);
      if (v.type.kind === "untyped") {
        // Passed in a 64-bit register; the width only matters for the sign.
        const t = (v.value as bigint) < 0n ? INT_TYPES.i64 : INT_TYPES.u64;
        this.coerce(a, v, t, "trace value");
      } else if (v.type.kind === "nullable") this.mayBeNull(a);
      else if (v.type.kind !== "int" && v.type.kind !== "bool") {
        if (v.type.kind !== "void")
          this.error(C.traceArgs, `trace() prints integers, not ${typeToString(v.type)}`, a.range);
      }
    }
    this.out.calls.set(e, { kind: "trace", format: fmtE.value, args });
    return { type: VOID };
  }

  private callCopy(e: ast.CallExpr, name: "copyFromUser" | "copyToUser"): Val {
    this.builtinAvailable(e, name);
    this.out.calls.set(e, { kind: "builtin", name });
    if (!this.argCount(e, `${name}()`, 2)) return { type: INT_TYPES.i64 };
    const [memE, addrE] =
      name === "copyFromUser" ? [e.args[0]!, e.args[1]!] : [e.args[1]!, e.args[0]!];
    const addr = this.checkExpr(addrE, INT_TYPES.u64);
    this.coerce(addrE, addr, INT_TYPES.u64, "the user address");
    const mem = this.checkExpr(memE);
    if (mem.type.kind === "nullable") this.mayBeNull(memE);
    else if (mem.type.kind !== "struct" && mem.type.kind !== "array") {
      if (mem.type.kind !== "void") {
        this.error(
          C.builtinArgs,
          `${name}() copies into or out of a struct or FixedArray variable, not ${typeToString(mem.type)}`,
          memE.range,
        );
      }
    } else if (name === "copyFromUser") {
      const root = this.storageRoot(memE);
      if (root !== "ok")
        this.error(
          C.builtinArgs,
          "copyFromUser() needs a writable destination (a local, a top-level let or a map value)",
          memE.range,
        );
    }
    return { type: INT_TYPES.i64 };
  }

  /** emit() calls that post to CQ 0 (no cq, or a constant 0), for checkEmitsToReapedCq. */
  private readonly emitsToCq0: { call: ast.CallExpr; explicit: boolean }[] = [];

  private callEmit(e: ast.CallExpr): Val {
    const errorsBefore = this.bag.errorCount;
    const ok = this.builtinAvailable(e, "emit");
    if (!this.argCount(e, "emit()", 1)) return { type: BOOL };
    const arg = unparen(e.args[0]!);
    if (arg.kind !== "ObjectLiteral") {
      this.checkExpr(e.args[0]!);
      this.error(
        C.builtinArgs,
        "emit() takes an object literal: emit({ userData, res })",
        e.args[0]!.range,
      );
      return { type: BOOL };
    }
    // The CQE's own fields, plus the CQ index with the SQE's `cq` width.
    // `cq` exists only where SQEs carry a CQ index (iouring-v2); linux-7.1 has one CQ.
    const spec: Record<string, IntType> = this.target.sqeCqField
      ? { cq: fieldType(sqeField("cq")!) }
      : {};
    for (const f of CQE.fields) if (f.type.kind === "int") spec[f.name] = f.type;
    const fields: SqeFieldValue[] = [];
    const seen = new Set<string>();
    for (const p of arg.properties) {
      const t = spec[p.key.name];
      if (!t && p.key.name === "cq") {
        // A target limit (one CQ), reported once: not at all when emit itself is unavailable.
        if (ok)
          this.error(
            C.cqFieldUnavailable,
            `emit()'s field 'cq' is not available on ${this.target.name}: it has a single completion queue`,
            p.key.range,
            this.withoutV2(
              "drop cq (the record goes to the iou_emit ring buffer); programs that exchange completions through CQs, like ping-pong, need --target iouring-v2",
            ),
          );
        this.checkExpr(p.value);
        continue;
      }
      if (!t) {
        this.error(
          C.unknownField,
          `emit() has no field '${p.key.name}'`,
          p.key.range,
          this.target.sqeCqField
            ? "fields: userData, res, flags, cq"
            : "fields: userData, res, flags",
        );
        this.checkExpr(p.value);
        continue;
      }
      if (seen.has(p.key.name)) {
        this.error(C.duplicateField, `field '${p.key.name}' is given twice`, p.key.range);
        continue;
      }
      seen.add(p.key.name);
      const v = this.checkExpr(p.value, t);
      // Like SQE fields, emit fields accept any integer type whose values all fit.
      if (!(v.type.kind === "int" && widensTo(v.type, t)))
        this.coerce(p.value, v, t, `emit field '${p.key.name}'`);
      const c = this.out.constants.get(p.value);
      fields.push({
        name: p.key.name,
        value: p.value,
        ...(c !== undefined ? { constant: c } : {}),
      });
    }
    this.out.types.set(arg, VOID);
    const missing = ["userData", "res"].filter((f) => !seen.has(f));
    if (missing.length)
      this.error(C.missingField, `emit() needs ${missing.join(" and ")}`, arg.range);
    if (ok) this.out.calls.set(e, { kind: "emit", fields });
    const cq = fields.find((f) => f.name === "cq");
    if (
      ok &&
      this.bag.errorCount === errorsBefore &&
      this.target.sqeCqField &&
      (!cq || cq.constant === 0n)
    )
      this.emitsToCq0.push({ call: e, explicit: cq !== undefined });
    return { type: BOOL };
  }

  private callSubmit(e: ast.CallExpr, callee: ast.MemberExpr): Val {
    const opName = callee.property.name;
    const raw = opName === "sqe";
    const op = raw ? undefined : submitOp(opName);
    this.builtinAvailable(e, "submit");
    if (!raw && !op) {
      this.error(
        C.unknownSubmitOp,
        `submit has no op '${opName}'`,
        callee.property.range,
        "use submit.sqe({ opcode, … }) for other opcodes",
      );
      this.checkArgsLoosely(e.args);
      return { type: BOOL };
    }
    if (!this.argCount(e, `submit.${opName}()`, 1)) return { type: BOOL };
    const arg = unparen(e.args[0]!);
    if (arg.kind !== "ObjectLiteral") {
      this.checkExpr(e.args[0]!);
      this.error(
        C.builtinArgs,
        `submit.${opName}() takes an object literal with the SQE fields`,
        e.args[0]!.range,
      );
      return { type: BOOL };
    }
    this.out.types.set(arg, VOID);
    let opcode = op?.opcode ?? -1;
    if (op && !opcodeAllowed(this.target, op.opcode)) {
      this.error(
        C.opcodeBeyondTarget,
        `submit.${opName} (IORING_OP_${op.kernel} = ${op.opcode}) is not available on ${this.target.name}, whose kernel (${this.target.kernelBase}) knows opcodes 0..${this.target.maxOpcode}`,
        callee.property.range,
        this.target.name === "linux-7.1"
          ? undefined
          : `use --target linux-7.1, whose kernel knows IORING_OP_${op.kernel} (it has one completion queue: no cq fields in submit or emit)`,
      );
    }
    const fields: SqeFieldValue[] = [];
    const flags: SqeFieldValue[] = [];
    const given = new Map<string, { field: SqeField; prop: ast.ObjectProperty }>();
    for (const p of arg.properties) {
      const key = p.key.name;
      const flag = iosqeFlag(key);
      if (flag) {
        const v = this.checkExpr(p.value, BOOL);
        if (v.type.kind !== "bool") {
          if (v.type.kind !== "void")
            this.error(
              C.sqeFlagNotBool,
              `'${key}' is an IOSQE flag and takes true or false, not ${typeToString(v.type)}`,
              p.value.range,
              `write ${key}: true`,
            );
          continue;
        }
        if (op?.rejectedFlags?.includes(flag.name as never) && v.value !== false) {
          this.error(C.sqeFieldUnused, `submit.${opName} does not accept '${key}'`, p.key.range);
        }
        const c = this.out.constants.get(p.value);
        flags.push({ name: key, value: p.value, ...(c !== undefined ? { constant: c } : {}) });
        continue;
      }
      const field = sqeField(key);
      if (!field) {
        this.error(
          C.sqeUnknownField,
          `'${key}' is not an SQE field`,
          p.key.range,
          suggestField(key, op),
        );
        this.checkExpr(p.value);
        continue;
      }
      if (field.targets && !field.targets.includes(this.target.name)) {
        this.error(
          C.cqFieldUnavailable,
          `the SQE field '${key}' is not available on ${this.target.name}`,
          p.key.range,
          key === "cq"
            ? this.withoutV2("only iouring-v2 has several CQs: drop cq, or use --target iouring-v2")
            : undefined,
        );
        this.checkExpr(p.value);
        continue;
      }
      const fixedValue = raw ? undefined : op?.fixed?.[key as keyof typeof op.fixed];
      if (fixedValue !== undefined && !opField(op!, key)) {
        // `submit.timeout({ len: 1, … })`: the value the compiler writes anyway.
        const v = this.checkExpr(p.value, fieldType(field));
        const c = this.out.constants.get(p.value) ?? v.value;
        if (c !== BigInt(fixedValue))
          this.error(
            C.sqeFieldUnused,
            `submit.${opName} sets '${key}' to ${fixedValue} itself (the kernel requires it)`,
            p.value.range,
            `drop '${key}', or give ${key}: ${fixedValue}`,
          );
        continue;
      }
      if (raw ? false : !opField(op!, key)) {
        this.error(
          C.sqeFieldUnused,
          `submit.${opName} does not use the field '${key}'`,
          p.key.range,
          `its fields: ${opFields(op!)
            .map((u) => u.field)
            .filter((f) => f !== "cq" || this.target.sqeCqField)
            .join(", ")}`,
        );
        this.checkExpr(p.value);
        continue;
      }
      if (raw === false && key === "opcode") continue;
      const prev = given.get(key);
      if (prev) {
        this.error(C.sqeDuplicateField, `field '${key}' is given twice`, p.key.range);
        continue;
      }
      const clash = [...given.values()].find((g) => fieldsOverlap(g.field, field));
      if (clash) {
        this.error(
          C.sqeDuplicateField,
          `'${key}' and '${clash.field.name}' share the same SQE bytes (offset ${field.offset}); give only one`,
          p.key.range,
          undefined,
          [{ message: `'${clash.field.name}' is given here`, range: clash.prop.key.range }],
        );
        continue;
      }
      given.set(key, { field, prop: p });
      const ft = fieldType(field);
      const v = this.checkExpr(p.value, ft);
      this.sqeValue(p.value, v, field, ft);
      const c = this.out.constants.get(p.value);
      if (key === "opcode") {
        if (typeof c !== "bigint") {
          this.error(
            C.sqeOpcodeRequired,
            "the opcode of submit.sqe must be a compile-time constant",
            p.value.range,
          );
        } else {
          opcode = Number(c);
          if (!opcodeAllowed(this.target, opcode)) {
            const nm = opcodeName(opcode);
            this.error(
              C.opcodeBeyondTarget,
              `opcode ${opcode}${nm ? ` (IORING_OP_${nm})` : ""} is not available on ${this.target.name}, whose kernel (${this.target.kernelBase}) knows opcodes 0..${this.target.maxOpcode}`,
              p.value.range,
            );
          }
        }
        continue;
      }
      fields.push({ name: key, value: p.value, ...(c !== undefined ? { constant: c } : {}) });
    }
    if (raw && !given.has("opcode")) {
      this.error(
        C.sqeOpcodeRequired,
        "submit.sqe needs an opcode field",
        arg.range,
        "for example submit.sqe({ opcode: 22, fd, addr, len })",
      );
    }
    if (op) {
      const missing = op.fields
        .filter((u) => u.required && !given.has(u.field))
        .map((u) => u.field);
      if (missing.length) {
        this.error(
          C.sqeMissingField,
          `submit.${opName} needs ${missing.length === 1 ? "the field" : "the fields"} ${missing.join(", ")}`,
          arg.range,
          op.fields.find((u) => u.field === missing[0])?.doc,
        );
      }
    }
    this.out.calls.set(e, { kind: "submit", ...(op ? { op } : {}), opcode, fields, flags });
    return { type: BOOL };
  }

  private sqeValue(e: ast.Expr, v: Val, field: SqeField, ft: IntType): void {
    if (v.type.kind === "untyped") {
      const value = v.value as bigint;
      const r = fieldRange(field);
      if (value < r.min || value > r.max) {
        this.error(
          C.sqeValueDoesNotFit,
          `${value} does not fit the SQE field '${field.name}' (${ft.name}: ${r.min}..${r.max})`,
          e.range,
          value < 0n && !field.signed
            ? `convert explicitly to wrap it: ${ft.name}(${this.src(e)})`
            : undefined,
        );
        return;
      }
      this.record(e, { type: ft, value });
      return;
    }
    if (v.type.kind === "int" && v.type.name !== ft.name && !widensTo(v.type, ft)) {
      this.error(
        C.sqeValueDoesNotFit,
        `the SQE field '${field.name}' is ${ft.name}, but this value is ${v.type.name}`,
        e.range,
        `convert explicitly: ${ft.name}(${this.src(e)})`,
      );
      return;
    }
    if (v.type.kind !== "int") this.coerce(e, v, ft, `the SQE field '${field.name}'`);
  }

  private callMapMethod(e: ast.CallExpr, callee: ast.MemberExpr, map: MapDef): Val {
    const method = callee.property.name;
    const isRing = map.mapKind === "RingBuf";
    const methods = isRing ? ["output"] : ["get", "set", "delete", "has"];
    if (!methods.includes(method)) {
      this.error(
        C.unknownMethod,
        `${map.mapKind} has no method '${method}'`,
        callee.property.range,
        `methods: ${methods.join(", ")}`,
      );
      for (const a of e.args) this.checkExpr(a);
      return { type: VOID };
    }
    if (isRing) {
      if (!this.builtinAvailable(e, "RingBuf")) return { type: BOOL };
      this.out.calls.set(e, { kind: "mapMethod", map, method: "output" });
      if (!this.argCount(e, `${map.name}.output()`, 1)) return { type: BOOL };
      const v = this.checkExpr(e.args[0]!);
      if (v.type.kind === "nullable") this.mayBeNull(e.args[0]!);
      else if (v.type.kind === "untyped")
        this.error(
          C.cannotInfer,
          "the size of a constant is unknown: output a typed value",
          e.args[0]!.range,
          `for example ${map.name}.output(u64(${this.src(e.args[0]!)}))`,
        );
      else if (!isData(v.type) && v.type.kind !== "void")
        this.error(
          C.builtinArgs,
          `a RingBuf outputs integers or structs, not ${typeToString(v.type)}`,
          e.args[0]!.range,
        );
      return { type: BOOL };
    }
    const mt = map.type!;
    this.out.calls.set(e, {
      kind: "mapMethod",
      map,
      method: method as "get" | "set" | "delete" | "has",
    });
    const n = method === "set" ? 2 : 1;
    if (!this.argCount(e, `${map.name}.${method}()`, n))
      return { type: method === "get" ? { kind: "nullable", base: mt.value } : BOOL };
    const k = this.checkExpr(e.args[0]!, mt.key);
    this.coerce(e.args[0]!, k, mt.key, "the key");
    if (method === "set") {
      const v = this.checkExpr(e.args[1]!, mt.value);
      this.coerce(e.args[1]!, v, mt.value, "the value");
    }
    return { type: method === "get" ? { kind: "nullable", base: mt.value } : BOOL };
  }
}

// ---------------------------------------------------------------------------------------
// Helpers

/** Stores a scalar constant little-endian (BPF objects here are little-endian). */
function writeScalar(bytes: Uint8Array, at: number, t: DataType, v: bigint | boolean): void {
  const size = t.kind === "int" ? t.bits / 8 : 1;
  let x = typeof v === "boolean" ? (v ? 1n : 0n) : BigInt.asUintN(size * 8, v);
  for (let i = 0; i < size; i++) {
    bytes[at + i] = Number(x & 0xffn);
    x >>= 8n;
  }
}

/**
 * The type a const enum stands for as a type annotation: u32 when every member fits (the
 * common case: it widens to u64 for `userData`), else i32, u64 or i64.
 */
function enumType(members: Map<string, bigint>): IntType {
  const vs = [...members.values()];
  for (const t of [INT_TYPES.u32, INT_TYPES.i32, INT_TYPES.u64, INT_TYPES.i64])
    if (vs.every((v) => fits(v, t))) return t;
  return INT_TYPES.i64;
}

/** A value that rebinds a map-reference variable: null, a lookup, or another reference. */
function isReference(e: ast.Expr): boolean {
  const x = unparen(e);
  if (x.kind === "NullLiteral") return true;
  if (x.kind === "CallExpr" && x.callee.kind === "MemberExpr")
    return x.callee.property.name === "get";
  return false;
}

/** The type of an untyped `let` no typed use decides: u32 (i32 if negative; 64 bits if needed). */
function defaultIntType(value: bigint): IntType {
  if (value >= 0n) return value <= 0xffffffffn ? INT_TYPES.u32 : INT_TYPES.u64;
  return value >= -0x80000000n ? INT_TYPES.i32 : INT_TYPES.i64;
}

/** The body has a `return <value>;`. */
function returnsValue(body: ast.Block): boolean {
  let found = false;
  walk(body, (n) => {
    if (n.kind === "ReturnStmt" && n.value) found = true;
  });
  return found;
}

/** An implicit widening: the same signedness and more bits. */
function losslessWiden(from: IntType, to: IntType): boolean {
  return from.signed === to.signed && from.bits < to.bits;
}

/** Every value of `from` is a value of `to` (a lossless, implicit store into a field). */
function widensTo(from: IntType, to: IntType): boolean {
  return minOf(from) >= minOf(to) && maxOf(from) <= maxOf(to);
}

function isCompare(op: string): boolean {
  return ["<", "<=", ">", ">=", "==", "!=", "===", "!=="].includes(op);
}

function fieldType(f: SqeField): IntType {
  const name = `${f.signed ? "i" : "u"}${f.size * 8}` as IntName;
  return INT_TYPES[name];
}

function suggestField(key: string, op: SubmitOp | undefined): string | undefined {
  const names = op ? opFields(op).map((u) => u.field as string) : [];
  const lower = key.toLowerCase();
  const close = names.find(
    (n) =>
      n.toLowerCase() === lower || n.toLowerCase().replace(/_/g, "") === lower.replace(/_/g, ""),
  );
  if (close) return `did you mean '${close}'?`;
  return op ? `submit.${op.name} takes: ${names.join(", ")}` : undefined;
}

/** JavaScript globals a TypeScript developer reaches for, and the BPF replacement. */
function jsGlobalHint(name: string): string | undefined {
  switch (name) {
    case "console":
      return 'print with trace("format %d", x) (import trace from "ioubpf/lang"; at most 3 integer arguments)';
    case "Date":
    case "performance":
      return 'read the clock with ktime() (nanoseconds, import it from "ioubpf/lang")';
    case "Math":
      return "Math.min and Math.max are available; for a random number use random()";
    case "setTimeout":
    case "setInterval":
      return "wait with submit.timeout({ addr, … }) and act in onCompletion";
    case "Promise":
    case "JSON":
    case "Array":
    case "Object":
    case "String":
    case "Number":
    case "Map":
    case "Set":
      return "BPF programs have no JavaScript runtime: use integers, structs and maps (HashMap, ArrayMap)";
    default:
      return undefined;
  }
}

function langNamesHint(name: string): string | undefined {
  if (name === "boolean" || name === "number") return "use bool or an integer type such as u32";
  return undefined;
}

function declIdent(s: Sym): ast.Identifier | undefined {
  switch (s.kind) {
    case "lang":
      return s.decl.local;
    case "const":
      return s.decl.name;
    case "enum":
    case "struct":
    case "function":
      return s.decl.name;
    case "global":
      return s.decl.name;
    case "map":
      return s.decl.name;
    case "local":
      return s.decl;
  }
}

function findStructRef(t: ast.TypeExpr, names: Set<string>): string | undefined {
  if (t.kind === "TypeRef") {
    if (names.has(t.name.name)) return t.name.name;
    for (const a of t.args) {
      const r = findStructRef(a, names);
      if (r) return r;
    }
  }
  if (t.kind === "NullableType") return findStructRef(t.base, names);
  return undefined;
}

function cloneFlow(f: Flow): Flow {
  return { nonNull: new Set(f.nonNull), nonZero: new Set(f.nonZero) };
}

function withNonNull(f: Flow, add: Fact[]): Flow {
  const n = cloneFlow(f);
  for (const x of add) (x.kind === "nonNull" ? n.nonNull : n.nonZero).add(x.sym);
  return n;
}

function intersect(a: Flow, b: Flow): Flow {
  return {
    nonNull: new Set([...a.nonNull].filter((s) => b.nonNull.has(s))),
    nonZero: new Set([...a.nonZero].filter((s) => b.nonZero.has(s))),
  };
}

/** Walks statements and expressions (not into nested functions: there are none). */
function walk(node: unknown, visit: (n: ast.Node) => boolean | void): void {
  if (!node || typeof node !== "object") return;
  if (Array.isArray(node)) {
    for (const x of node) walk(x, visit);
    return;
  }
  const n = node as ast.Node;
  if (typeof n.kind !== "string") return;
  if (visit(n) === false) return;
  for (const [k, v] of Object.entries(n)) {
    if (k === "range") continue;
    if (v && typeof v === "object") walk(v, visit);
  }
}

function assignedSym(n: ast.Node, symbols: Map<ast.Identifier, Sym>): Sym | undefined {
  if (n.kind !== "AssignExpr" && n.kind !== "UpdateExpr") return undefined;
  const t = unparen(n.target);
  return t.kind === "Identifier" ? symbols.get(t) : undefined;
}

function findAssignment(
  body: ast.Stmt,
  sym: LocalSymbol,
  symbols: Map<ast.Identifier, Sym>,
): ast.Node | undefined {
  let found: ast.Node | undefined;
  walk(body, (n) => {
    if (found) return false;
    if (assignedSym(n, symbols) === sym) found = n;
    return undefined;
  });
  return found;
}

function countAssignments(
  body: ast.Stmt,
  sym: LocalSymbol,
  symbols: Map<ast.Identifier, Sym>,
): number {
  let count = 0;
  walk(body, (n) => {
    if (assignedSym(n, symbols) === sym) count++;
  });
  return count;
}

function killAssigned(f: Flow, body: ast.Stmt, symbols: Map<ast.Identifier, Sym>): Flow {
  if (f.nonNull.size === 0 && f.nonZero.size === 0) return f;
  const killed = new Set<Sym>();
  walk(body, (n) => {
    const s = assignedSym(n, symbols);
    if (s) killed.add(s);
  });
  return {
    nonNull: new Set([...f.nonNull].filter((s) => !killed.has(s))),
    nonZero: new Set([...f.nonZero].filter((s) => !killed.has(s))),
  };
}

function containsContinue(body: ast.Stmt): boolean {
  let found = false;
  walk(body, (n) => {
    if (found) return false;
    if (n.kind === "ForStmt" || n.kind === "WhileStmt" || n.kind === "DoWhileStmt") return false;
    if (n.kind === "ContinueStmt") found = true;
    return undefined;
  });
  return found;
}

function containsBreak(stmts: ast.Stmt[]): boolean {
  let found = false;
  walk(stmts, (n) => {
    if (found) return false;
    if (
      n.kind === "ForStmt" ||
      n.kind === "WhileStmt" ||
      n.kind === "DoWhileStmt" ||
      n.kind === "SwitchStmt"
    )
      return false;
    if (n.kind === "BreakStmt") found = true;
    return undefined;
  });
  return found;
}

/** Whether stepping by `step` moves the counter toward the bound of `op`. */
function directionOk(op: string, counterLeft: boolean, step: number): boolean {
  if (op === "!=" || op === "!==") return true;
  const up = op === "<" || op === "<=";
  const wantsUp = counterLeft ? up : !up;
  return wantsUp ? step > 0 : step < 0;
}

/** Number of conversions in a trace format, or an error message. */
export function traceSpecs(fmt: string): number | string {
  let n = 0;
  for (let i = 0; i < fmt.length; i++) {
    if (fmt[i] !== "%") continue;
    const m = /^%(%|[-+ 0#]*\d*(?:l|ll|h|hh)?[diuxXc])/.exec(fmt.slice(i));
    if (!m) return `unsupported conversion '${fmt.slice(i, i + 3)}' in the trace format`;
    if (m[1] !== "%") n++;
    i += m[0].length - 1;
  }
  return n;
}

export function programNameFromFile(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  return (
    base
      .replace(/\.bpf\.ts$/, "")
      .replace(/\.ts$/, "")
      .replace(/[^A-Za-z0-9_]/g, "_")
      // A C identifier (the kernel's BTF and C loaders need one): `01-copy` → `_01_copy`.
      .replace(/^(?=[0-9])/, "_") || "prog"
  );
}
