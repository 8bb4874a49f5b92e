// CST → AST. The grammar (parser.ts) accepts a superset of the language so that constructs
// outside it reach this file, which names them in a specific diagnostic
// (diagnostic-codes.ts) and builds the AST for everything else. Nodes built for rejected
// constructs are placeholders: parse() drops the Program whenever an error was reported.
//
// Children of a CST node are grouped by name, which loses their relative order; `seq()`
// restores source order by offset, so each builder walks its node left to right.
import { tokenMatcher, type CstNode, type IToken } from "chevrotain";
import { Identifier } from "./tokens.js";
import type { DiagnosticBag, SourceFile, SourceRange } from "../diagnostics/index.js";
import type * as A from "./ast.js";
import { ParserMessages, type ParserMessageKey } from "./diagnostic-codes.js";

type Child = CstNode | IToken;

const isNode = (c: Child): c is CstNode => (c as CstNode).children !== undefined;
const startOf = (c: Child): number =>
  isNode(c) ? (c.location?.startOffset ?? NaN) : c.startOffset;
const endOf = (c: Child): number =>
  isNode(c) ? (c.location?.endOffset ?? NaN) : (c.endOffset ?? c.startOffset + c.image.length - 1);

/** The child that comes first in the source, without building and sorting `seq()`. */
function firstChild(node: CstNode): Child | undefined {
  let best: Child | undefined;
  for (const list of Object.values(node.children)) {
    const c = list[0];
    if (c !== undefined && (best === undefined || startOf(c) < startOf(best))) best = c;
  }
  return best;
}

function seq(node: CstNode): Child[] {
  const out: Child[] = [];
  for (const list of Object.values(node.children)) for (const c of list) out.push(c);
  return out.sort((a, b) => startOf(a) - startOf(b));
}

const tokenName = (c: Child | undefined): string | undefined =>
  c && !isNode(c) ? c.tokenType.name : undefined;
const ruleName = (c: Child | undefined): string | undefined =>
  c && isNode(c) ? c.name : undefined;

/** Binding strength of the language's binary operators (higher binds tighter), as in TypeScript. */
const precedence = new Map<string, number>([
  ["??", 1],
  ["||", 1],
  ["&&", 2],
  ["|", 3],
  ["^", 4],
  ["&", 5],
  ["==", 6],
  ["!=", 6],
  ["===", 6],
  ["!==", 6],
  ["<", 7],
  ["<=", 7],
  [">", 7],
  [">=", 7],
  ["<<", 8],
  [">>", 8],
  [">>>", 8],
  ["+", 9],
  ["-", 9],
  ["*", 10],
  ["/", 10],
  ["%", 10],
]);
/** Operators parsed only to be rejected, with their TypeScript precedence for recovery. */
const rejectedPrecedence = new Map<string, number>([
  ["instanceof", 7],
  ["in", 7],
  ["**", 11],
]);
const binaryOps = new Set(
  [...precedence.keys()].filter((op) => op !== "&&" && op !== "||" && op !== "??"),
);
const assignOps = new Set([
  "=",
  "+=",
  "-=",
  "*=",
  "/=",
  "%=",
  "<<=",
  ">>=",
  ">>>=",
  "&=",
  "|=",
  "^=",
]);

const exportable = new Set([
  "varStatement",
  "functionDecl",
  "enumDecl",
  "interfaceDecl",
  "declareDecl",
]);

interface StmtContext {
  top: boolean;
}

type Item = A.Stmt | A.FunctionDecl | A.EnumDecl | A.InterfaceDecl | A.DeclareConst;

export class AstBuilder {
  constructor(
    private readonly src: SourceFile,
    private readonly bag: DiagnosticBag,
  ) {}

  /** Operands written `… as const` (only a top-level constant table keeps it). */
  private readonly asConst = new Map<A.Expr, SourceRange>();
  /** `type X = T;` declarations, substituted after the whole file is read. */
  private readonly typeAliases = new Map<string, { name: A.Identifier; type: A.TypeExpr }>();

  // ------------------------------------------------------------------------------ helpers

  private range(first: Child, last: Child = first): SourceRange {
    let s = startOf(first);
    let e = endOf(last);
    if (Number.isNaN(s)) s = Number.isNaN(e) ? this.src.text.length : e;
    if (Number.isNaN(e) || e < s) e = s;
    return this.src.range(s, e + 1);
  }

  private err(key: ParserMessageKey, range: SourceRange): void {
    const m = ParserMessages[key];
    this.bag.error(m.code, m.message, range, "hint" in m ? { hint: m.hint } : {});
  }

  /** The keyword and name of a large rejected construct, not its whole body. */
  private headRange(node: CstNode): SourceRange {
    const first = firstChild(node)!;
    const name = (node.children["Identifier"] as IToken[] | undefined)?.[0];
    return this.range(first, name ?? first);
  }

  private tokens(node: CstNode, name: string): IToken[] {
    return (node.children[name] ?? []) as IToken[];
  }

  private nodes(node: CstNode, name: string): CstNode[] {
    return (node.children[name] ?? []) as CstNode[];
  }

  private ident(t: IToken): A.Identifier {
    return { kind: "Identifier", name: t.image, range: this.range(t) };
  }

  // ------------------------------------------------------------------------------ module

  program(node: CstNode): A.Program {
    const items: A.ModuleItem[] = [];
    for (const mi of this.nodes(node, "moduleItem")) {
      const c = firstChild(mi);
      if (!c || !isNode(c)) continue;
      if (c.name === "importDecl") items.push(this.importDecl(c));
      else if (c.name === "exportDecl") {
        const it = this.exportDecl(c);
        if (it) items.push(it);
      } else {
        const it = this.statement(c, { top: true });
        if (it) items.push(it as A.ModuleItem);
      }
    }
    const out: A.Program = {
      kind: "Program",
      file: this.src.path,
      items: items.map((it) => this.constTable(it)),
      range: this.src.range(0, this.src.text.length),
    };
    for (const r of this.asConst.values()) this.err("asConstPlace", r);
    if (this.typeAliases.size > 0) this.substituteAliases(out);
    return out;
  }

  /**
   * `const Op = { Read: 1, Write: 2 } as const;` at top level is a table of constants: the
   * same as `const enum Op { Read = 1, Write = 2 }` (members are read as `Op.Read`).
   */
  private constTable(it: A.ModuleItem): A.ModuleItem {
    if (it.kind !== "VarDecl" || it.declKind !== "const" || it.declarators.length !== 1) return it;
    const d = it.declarators[0]!;
    const init = d.init;
    if (!init || init.kind !== "ObjectLiteral" || !this.asConst.has(init) || d.type) return it;
    this.asConst.delete(init);
    return {
      kind: "EnumDecl",
      exported: it.exported,
      name: d.name,
      members: init.properties.map((p): A.EnumMember => ({
        kind: "EnumMember",
        name: p.key,
        init: p.value,
        range: p.range,
      })),
      range: it.range,
    };
  }

  /** Replaces each reference to a type alias by the aliased type (aliases of aliases too). */
  private substituteAliases(root: A.Program): void {
    const resolving = new Set<string>();
    const resolve = (t: A.TypeExpr): A.TypeExpr => {
      if (t.kind === "NullableType") return { ...t, base: resolve(t.base) };
      if (t.kind !== "TypeRef") return t;
      const a = t.args.length === 0 ? this.typeAliases.get(t.name.name) : undefined;
      if (!a) return t.args.length ? { ...t, args: t.args.map(resolve) } : t;
      if (resolving.has(t.name.name)) {
        this.err("typeAlias", a.name.range); // a cycle: no type to substitute
        return t;
      }
      resolving.add(t.name.name);
      const r = resolve(a.type);
      resolving.delete(t.name.name);
      return r;
    };
    const isType = (v: unknown): v is A.TypeExpr =>
      typeof v === "object" &&
      v !== null &&
      ["TypeRef", "NullableType", "VoidType", "LiteralType"].includes((v as A.Node).kind);
    const stack: A.Node[] = [root];
    while (stack.length > 0) {
      const n = stack.pop()!;
      const rec = n as unknown as Record<string, unknown>;
      for (const key in rec) {
        if (key === "range" || key === "sourceRange") continue;
        const v = rec[key];
        if (Array.isArray(v)) {
          v.forEach((x, i) => {
            if (isType(x)) v[i] = resolve(x);
            else if (typeof x === "object" && x !== null && "kind" in x) stack.push(x as A.Node);
          });
        } else if (isType(v)) rec[key] = resolve(v);
        else if (typeof v === "object" && v !== null && "kind" in v) stack.push(v as A.Node);
      }
    }
  }

  private importDecl(node: CstNode): A.ImportDecl {
    const specifiers: A.ImportSpecifier[] = [];
    const list = this.nodes(node, "importList")[0];
    const rejected = this.nodes(node, "rejectedImportForm")[0];
    if (rejected) this.err("importForm", this.range(rejected));
    for (const s of list ? this.nodes(list, "importSpecifier") : []) {
      const ids = this.tokens(s, "Identifier");
      const imported = this.ident(ids[0]!);
      specifiers.push({
        kind: "ImportSpecifier",
        imported,
        local: ids[1] ? this.ident(ids[1]) : imported,
        range: this.range(s),
      });
    }
    const srcTok = this.tokens(node, "StringLiteral")[0]!;
    const source = this.stringValue(srcTok);
    const sourceRange = this.range(srcTok);
    if (source !== "ioubpf/lang") this.err("importOtherModule", sourceRange);
    return {
      kind: "ImportDecl",
      specifiers,
      source,
      sourceRange,
      typeOnly: this.tokens(node, "Type").length > 0,
      range: this.range(node),
    };
  }

  private exportDecl(node: CstNode): A.ModuleItem | undefined {
    const def = this.nodes(node, "rejectedExportDefault")[0];
    if (def) {
      this.err(
        "exportDefault",
        this.range(this.tokens(node, "Export")[0]!, this.tokens(def, "Default")[0]!),
      );
      return undefined;
    }
    const list = this.nodes(node, "rejectedExportList")[0];
    if (list) {
      this.err("exportList", this.range(node));
      return undefined;
    }
    const st = this.nodes(node, "statement")[0];
    if (!st) return undefined;
    if (!exportable.has(ruleName(firstChild(st)) ?? "")) {
      this.err("exportNotAllowed", this.range(this.tokens(node, "Export")[0]!));
      return undefined;
    }
    const it = this.statement(st, { top: true });
    if (!it) return undefined;
    switch (it.kind) {
      case "VarDecl":
      case "FunctionDecl":
      case "EnumDecl":
      case "InterfaceDecl":
      case "DeclareConst":
        it.exported = true;
        it.range = this.range(node);
        return it;
      default:
        this.err("exportNotAllowed", this.range(this.tokens(node, "Export")[0]!));
        return undefined;
    }
  }

  // ------------------------------------------------------------------------------ statements

  /** Returns a statement or a top-level declaration; reports misplaced ones. */
  statement(node: CstNode, ctx: StmtContext): Item | undefined {
    const c = firstChild(node);
    if (!c || !isNode(c)) return undefined;
    const r = this.range(c);
    const notTop = (s: A.Stmt): A.Stmt | undefined => {
      if (ctx.top) {
        this.err("statementAtTopLevel", s.kind === "Block" ? this.range(firstChild(c)!) : s.range);
        return undefined;
      }
      return s;
    };
    const topOnly = <D extends Item>(d: D, head: SourceRange): D => {
      if (!ctx.top) this.err("declarationNotTopLevel", head);
      return d;
    };
    switch (c.name) {
      case "block":
        return notTop(this.block(c));
      case "varStatement": {
        const v = this.varDeclList(this.nodes(c, "varDeclList")[0]!, false);
        v.range = r;
        return v;
      }
      case "enumDecl":
        return topOnly(this.enumDecl(c), this.headRange(c));
      case "interfaceDecl":
        return topOnly(this.interfaceDecl(c), this.headRange(c));
      case "functionDecl": {
        const f = this.functionDecl(c);
        if (!ctx.top) this.err("nestedFunction", this.headRange(c));
        return f;
      }
      case "declareDecl": {
        const d = this.declareDecl(c);
        return d ? topOnly(d, this.range(this.tokens(c, "Declare")[0]!)) : undefined;
      }
      case "ifStmt": {
        const [test] = this.nodes(c, "expression");
        const [cons, alt] = this.nodes(c, "statement");
        const s: A.IfStmt = {
          kind: "IfStmt",
          test: this.expression(test!),
          consequent: this.bodyStmt(cons!),
          range: r,
        };
        if (alt) s.alternate = this.bodyStmt(alt);
        return notTop(s);
      }
      case "switchStmt":
        return notTop(this.switchStmt(c));
      case "forStmt":
        return notTop(this.forStmt(c));
      case "whileStmt":
        return notTop({
          kind: "WhileStmt",
          test: this.expression(this.nodes(c, "expression")[0]!),
          body: this.bodyStmt(this.nodes(c, "statement")[0]!),
          range: r,
        });
      case "doWhileStmt":
        return notTop({
          kind: "DoWhileStmt",
          body: this.bodyStmt(this.nodes(c, "statement")[0]!),
          test: this.expression(this.nodes(c, "expression")[0]!),
          range: r,
        });
      case "breakStmt":
      case "continueStmt": {
        const label = this.nodes(c, "rejectedLabelRef")[0];
        if (label) this.err("labelledStmt", this.range(label));
        return notTop({ kind: c.name === "breakStmt" ? "BreakStmt" : "ContinueStmt", range: r });
      }
      case "returnStmt": {
        const e = this.nodes(c, "expression")[0];
        const s: A.ReturnStmt = { kind: "ReturnStmt", range: r };
        if (e) s.value = this.expression(e);
        return notTop(s);
      }
      case "emptyStmt":
        // A stray `;` at top level is harmless TypeScript; keep it out of the item list.
        return ctx.top ? undefined : { kind: "EmptyStmt", range: r };
      case "expressionStmt":
        return notTop({
          kind: "ExprStmt",
          expr: this.expression(this.nodes(c, "expression")[0]!),
          range: r,
        });
      case "rejectedPlainEnum":
        this.err("plainEnum", this.range(this.tokens(c, "Enum")[0]!));
        return undefined;
      case "rejectedClass":
        this.err("classDecl", this.headRange(c));
        return undefined;
      case "rejectedTry":
        this.err("tryStmt", this.range(this.tokens(c, "Try")[0]!));
        return undefined;
      case "rejectedThrow":
        this.err("throwStmt", this.range(this.tokens(c, "Throw")[0]!));
        return undefined;
      case "rejectedWith":
        this.err("withStmt", this.range(this.tokens(c, "With")[0]!));
        return undefined;
      case "rejectedDebugger":
        this.err("debuggerStmt", r);
        return undefined;
      case "rejectedDecorator":
        this.err("decorator", r);
        return undefined;
      case "rejectedTypeAlias": {
        // `type Fd = i32;`: another name for a type, substituted where it is used.
        if (!ctx.top || this.nodes(c, "rejectedTypeParams")[0]) {
          this.err("typeAlias", this.headRange(c));
          return undefined;
        }
        const id = this.ident(this.tokens(c, "Identifier")[0]!);
        this.typeAliases.set(id.name, { name: id, type: this.type(this.nodes(c, "type")[0]!) });
        return undefined;
      }
      case "rejectedNamespace":
        this.err("namespace", this.headRange(c));
        return undefined;
      case "rejectedLabel": {
        this.err(
          "labelledStmt",
          this.range(this.tokens(c, "Identifier")[0]!, this.tokens(c, "Colon")[0]!),
        );
        const inner = this.nodes(c, "statement")[0];
        return inner ? this.statement(inner, ctx) : undefined;
      }
      default:
        return undefined;
    }
  }

  /** A statement in a function body, loop or branch: declarations there are errors. */
  private bodyStmt(node: CstNode): A.Stmt {
    const s = this.statement(node, { top: false });
    if (!s) return { kind: "EmptyStmt", range: this.range(node) };
    switch (s.kind) {
      case "FunctionDecl":
      case "EnumDecl":
      case "InterfaceDecl":
      case "DeclareConst":
        return { kind: "EmptyStmt", range: s.range };
      default:
        return s;
    }
  }

  private block(node: CstNode): A.Block {
    return {
      kind: "Block",
      body: this.nodes(node, "statement").map((s) => this.bodyStmt(s)),
      range: this.range(node),
    };
  }

  private varDeclList(node: CstNode, forLoopHead: boolean): A.VarDecl {
    const kw = (this.tokens(node, "Const")[0] ??
      this.tokens(node, "Let")[0] ??
      this.tokens(node, "Var")[0])!;
    if (kw.tokenType.name === "Var") this.err("varDecl", this.range(kw));
    const declKind = kw.tokenType.name === "Const" ? "const" : "let";
    const declarators = this.nodes(node, "declarator").flatMap((d): A.VarDeclarator[] => {
      const pattern = this.nodes(d, "rejectedPattern")[0];
      const objPattern = pattern ? this.nodes(pattern, "objectLiteral")[0] : undefined;
      const patInit = this.nodes(d, "assignmentExpr")[0];
      if (objPattern && patInit && !this.nodes(d, "typeAnnotation")[0]) {
        // `const { res, userData } = cqe`: one declarator per field, each reading `cqe.field`.
        const src = this.assignmentExpr(patInit);
        const pat = this.objectLiteral(objPattern);
        let root: A.Expr = src;
        while (root.kind === "MemberExpr" || root.kind === "ParenExpr")
          root = root.kind === "MemberExpr" ? root.object : root.expr;
        if (root.kind !== "Identifier") {
          this.err("destructuring", this.range(d));
          return [];
        }
        return pat.properties.flatMap((p): A.VarDeclarator[] => {
          if (p.value.kind !== "Identifier") {
            this.err("destructuring", p.range);
            return [];
          }
          return [
            {
              kind: "VarDeclarator",
              name: p.value,
              init: { kind: "MemberExpr", object: src, property: p.key, range: p.range },
              range: p.range,
            },
          ];
        });
      }
      const id = this.tokens(d, "Identifier")[0];
      let name: A.Identifier;
      if (id) name = this.ident(id);
      else {
        this.err("destructuring", this.range(d));
        name = { kind: "Identifier", name: "_", range: this.range(d) };
      }
      const out: A.VarDeclarator = { kind: "VarDeclarator", name, range: this.range(d) };
      if (this.tokens(d, "Bang")[0]) out.definite = true;
      const ta = this.nodes(d, "typeAnnotation")[0];
      if (ta) out.type = this.typeAnnotation(ta);
      const init = this.nodes(d, "assignmentExpr")[0];
      if (init) out.init = this.assignmentExpr(init);
      else if (declKind === "const" && !forLoopHead && id) this.err("constWithoutInit", name.range);
      return [out];
    });
    return {
      kind: "VarDecl",
      declKind,
      exported: false,
      declarators,
      range: this.range(node.location ? node : kw),
    };
  }

  private enumDecl(node: CstNode): A.EnumDecl {
    const members = this.nodes(node, "enumMember").map((m): A.EnumMember => {
      const nameTok = this.tokens(m, "IdentifierName")[0];
      const bad = this.nodes(m, "rejectedEnumMemberName")[0];
      if (bad) this.err("enumMemberNotIdentifier", this.range(bad));
      const name: A.Identifier = nameTok
        ? this.ident(nameTok)
        : { kind: "Identifier", name: "_", range: this.range(m) };
      const out: A.EnumMember = { kind: "EnumMember", name, range: this.range(m) };
      const init = this.nodes(m, "assignmentExpr")[0];
      if (init) out.init = this.assignmentExpr(init);
      return out;
    });
    return {
      kind: "EnumDecl",
      exported: false,
      name: this.ident(this.tokens(node, "Identifier")[0]!),
      members,
      range: this.range(node),
    };
  }

  private interfaceDecl(node: CstNode): A.InterfaceDecl {
    const tp = this.nodes(node, "rejectedTypeParams")[0];
    if (tp) this.err("genericDecl", this.range(tp));
    const ext = this.tokens(node, "Extends")[0];
    if (ext) this.err("interfaceExtends", this.range(ext));
    const fields: A.InterfaceField[] = [];
    for (const m of this.nodes(node, "interfaceMember")) {
      const idx = this.nodes(m, "rejectedIndexSignature")[0];
      if (idx) {
        this.err("indexSignature", this.range(idx));
        continue;
      }
      const f = this.nodes(m, "fieldRest")[0]!;
      const name = this.ident(this.tokens(f, "IdentifierName")[0]!);
      const q = this.nodes(f, "rejectedOptionalMark")[0];
      if (q) this.err("optionalField", this.range(q));
      if (this.nodes(f, "rejectedMethodSignature").length > 0) {
        this.err("interfaceMethod", name.range);
        continue;
      }
      const ta = this.nodes(f, "typeAnnotation")[0]!;
      const readonly = this.tokens(m, "Readonly").length > 0;
      fields.push({
        kind: "InterfaceField",
        readonly,
        name,
        type: this.typeAnnotation(ta),
        range: this.range(m),
      });
    }
    return {
      kind: "InterfaceDecl",
      exported: false,
      name: this.ident(this.tokens(node, "Identifier")[0]!),
      fields,
      range: this.range(node),
    };
  }

  private functionDecl(node: CstNode): A.FunctionDecl {
    const asyncTok = this.tokens(node, "Async")[0];
    if (asyncTok) this.err("asyncFunction", this.range(asyncTok));
    const star = this.nodes(node, "rejectedGeneratorStar")[0];
    if (star) this.err("generator", this.range(star));
    const tp = this.nodes(node, "rejectedTypeParams")[0];
    if (tp) this.err("genericDecl", this.range(tp));
    const f: A.FunctionDecl = {
      kind: "FunctionDecl",
      exported: false,
      name: this.ident(this.tokens(node, "Identifier")[0]!),
      params: this.params(this.nodes(node, "params")[0]!),
      body: this.block(this.nodes(node, "block")[0]!),
      range: this.range(node),
    };
    const rt = this.nodes(node, "typeAnnotation")[0];
    if (rt) f.returnType = this.typeAnnotation(rt);
    return f;
  }

  private params(node: CstNode): A.Param[] {
    return this.nodes(node, "param").map((p): A.Param => {
      const r = this.range(p);
      const spread = this.tokens(p, "Ellipsis")[0];
      if (spread) this.err("spread", this.range(spread));
      const thisTok = this.tokens(p, "This")[0];
      if (thisTok) this.err("thisParam", this.range(thisTok));
      const id = this.tokens(p, "Identifier")[0];
      if (!id && !thisTok) this.err("destructuring", r);
      const q = this.nodes(p, "rejectedOptionalMark")[0];
      if (q) this.err("optionalParam", this.range(q));
      const def = this.nodes(p, "rejectedDefault")[0];
      if (def) this.err("defaultParam", this.range(def));
      const ta = this.nodes(p, "typeAnnotation")[0];
      const name: A.Identifier = id ? this.ident(id) : { kind: "Identifier", name: "_", range: r };
      if (!ta && id) this.err("untypedParam", name.range);
      const type: A.TypeExpr = ta ? this.typeAnnotation(ta) : { kind: "VoidType", range: r };
      return { kind: "Param", name, type, range: r };
    });
  }

  private declareDecl(node: CstNode): A.DeclareConst | undefined {
    const declTok = this.tokens(node, "Declare")[0]!;
    const inner = this.nodes(node, "statement")[0];
    const vs = inner ? this.nodes(inner, "varStatement")[0] : undefined;
    const list = vs ? this.nodes(vs, "varDeclList")[0] : undefined;
    const decls = list ? this.nodes(list, "declarator") : [];
    if (
      !list ||
      this.tokens(list, "Const").length === 0 ||
      decls.length !== 1 ||
      !this.tokens(decls[0]!, "Identifier")[0]
    ) {
      this.err("declareForm", inner ? this.range(declTok, inner) : this.range(declTok));
      return undefined;
    }
    const d = decls[0]!;
    const name = this.ident(this.tokens(d, "Identifier")[0]!);
    const init = this.nodes(d, "assignmentExpr")[0];
    if (init) this.err("declareInit", this.range(init));
    const ta = this.nodes(d, "typeAnnotation")[0];
    if (!ta) {
      this.err("declareNeedsType", name.range);
      return undefined;
    }
    return {
      kind: "DeclareConst",
      exported: false,
      name,
      type: this.typeAnnotation(ta),
      range: this.range(node),
    };
  }

  private switchStmt(node: CstNode): A.SwitchStmt {
    const cases = this.nodes(node, "switchClause").map((cl): A.SwitchCase => {
      const out: A.SwitchCase = {
        kind: "SwitchCase",
        body: this.nodes(cl, "statement").map((s) => this.bodyStmt(s)),
        range: this.range(cl),
      };
      const e = this.nodes(cl, "expression")[0];
      if (e) out.test = this.expression(e);
      return out;
    });
    return {
      kind: "SwitchStmt",
      discriminant: this.expression(this.nodes(node, "expression")[0]!),
      cases,
      range: this.range(node),
    };
  }

  private forStmt(node: CstNode): A.ForStmt {
    const r = this.range(node);
    const ofTok = this.tokens(node, "Of")[0] ?? this.tokens(node, "In")[0];
    if (ofTok) {
      this.err(
        ofTok.tokenType.name === "Of" ? "forOf" : "forIn",
        this.range(this.tokens(node, "For")[0]!, ofTok),
      );
      return { kind: "ForStmt", body: this.bodyStmt(this.nodes(node, "statement")[0]!), range: r };
    }
    const out: A.ForStmt = {
      kind: "ForStmt",
      body: this.bodyStmt(this.nodes(node, "statement")[0]!),
      range: r,
    };
    const decl = this.nodes(node, "varDeclList")[0];
    const initExpr = this.nodes(node, "expression")[0];
    if (decl) out.init = this.varDeclList(decl, false);
    else if (initExpr) out.init = this.expression(initExpr);
    const test = this.nodes(node, "test")[0];
    if (test) out.test = this.expression(test);
    const update = this.nodes(node, "update")[0];
    if (update) {
      // `i++, j++`: the comma list of a for update is a sequence of expressions.
      const more = this.nodes(update, "rejectedCommaOperand");
      const first = this.assignmentExpr(this.nodes(update, "assignmentExpr")[0]!);
      if (more.length === 0) out.update = first;
      else
        out.update = {
          kind: "SequenceExpr",
          exprs: [
            first,
            ...more.map((m) => this.assignmentExpr(this.nodes(m, "assignmentExpr")[0]!)),
          ],
          range: this.range(update),
        };
    }
    return out;
  }

  // ------------------------------------------------------------------------------ expressions

  expression(node: CstNode): A.Expr {
    const more = this.nodes(node, "rejectedCommaOperand")[0];
    if (more) this.err("commaExpr", this.range(this.tokens(more, "Comma")[0]!));
    return this.assignmentExpr(this.nodes(node, "assignmentExpr")[0]!);
  }

  private placeholder(range: SourceRange): A.Expr {
    return { kind: "IntLiteral", raw: "0", value: 0n, range };
  }

  private assignmentExpr(node: CstNode): A.Expr {
    const r = this.range(node);
    const testNode = this.nodes(node, "binaryExpr")[0]!;
    const arrow = this.tokens(node, "Arrow")[0];
    if (arrow) {
      this.err("arrowFunction", this.range(testNode, arrow));
      return this.placeholder(r);
    }
    let left = this.binaryExpr(testNode);
    const cons = this.nodes(node, "consequent")[0];
    const alt = this.nodes(node, "alternate")[0];
    if (cons && alt) {
      left = {
        kind: "ConditionalExpr",
        test: left,
        consequent: this.assignmentExpr(cons),
        alternate: this.assignmentExpr(alt),
        range: this.range(testNode, alt),
      };
    }
    const opNode = this.nodes(node, "assignOp")[0];
    const valueNode = this.nodes(node, "value")[0];
    if (!opNode || !valueNode) return left;
    const op = (seq(opNode) as IToken[]).map((t) => t.image).join("");
    const value = this.assignmentExpr(valueNode);
    if (op === "**=") this.err("exponentAssign", this.range(opNode));
    else if (!assignOps.has(op)) this.err("logicalAssign", this.range(opNode));
    return { kind: "AssignExpr", op: op as A.AssignOp, target: left, value, range: r };
  }

  /**
   * The grammar reads `a op b op c …` flat; operator precedence is applied here, with an
   * explicit stack (no recursion), left-associative except `**`.
   */
  private binaryExpr(node: CstNode): A.Expr {
    const operands: A.Expr[] = [];
    const ops: { op: string; range: SourceRange }[] = [];
    let pending: IToken[] = [];
    for (const c of seq(node)) {
      if (!isNode(c)) {
        pending.push(c);
        continue;
      }
      if (c.name === "rejectedCast") {
        // `x as T` / `x satisfies T`: the operand stays as it is.
        const kw = firstChild(c) as IToken;
        const last = operands[operands.length - 1];
        if (
          kw.tokenType.name === "As" &&
          this.tokens(c, "Const")[0] &&
          last &&
          pending.length === 0
        )
          this.asConst.set(last, this.range(c)); // a constant table if at top level (program())
        else this.err(kw.tokenType.name === "As" ? "asCast" : "satisfiesExpr", this.range(c));
        pending = [];
        continue;
      }
      if (pending.length > 0) {
        const op = pending.map((t) => t.image).join("");
        const range = this.range(pending[0]!, pending[pending.length - 1]!);
        if (!precedence.has(op)) {
          this.err(op === "**" ? "exponent" : op === "in" ? "inExpr" : "instanceofExpr", range);
        }
        ops.push({ op, range });
        pending = [];
      }
      operands.push(this.unaryExpr(c));
    }
    if (operands.length === 0) return this.placeholder(this.range(node));
    // Shunting-yard: reduce while the stacked operator binds at least as tightly.
    const outStack: A.Expr[] = [operands[0]!];
    const opStack: string[] = [];
    const reduce = () => {
      const op = opStack.pop()!;
      const right = outStack.pop()!;
      const left = outStack.pop()!;
      const range: SourceRange = {
        file: left.range.file,
        start: left.range.start,
        end: right.range.end,
      };
      if (op === "&&" || op === "||")
        outStack.push({ kind: "LogicalExpr", op, left, right, range });
      else if (op === "??") outStack.push({ kind: "NullishExpr", left, right, range });
      else
        outStack.push({
          kind: "BinaryExpr",
          op: (binaryOps.has(op) ? op : "+") as A.BinaryOp,
          left,
          right,
          range,
        });
    };
    const prec = (op: string) => precedence.get(op) ?? rejectedPrecedence.get(op) ?? 0;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!.op;
      const p = prec(op);
      while (opStack.length > 0) {
        const top = prec(opStack[opStack.length - 1]!);
        if (top > p || (top === p && op !== "**")) reduce();
        else break;
      }
      opStack.push(op);
      outStack.push(operands[i + 1]!);
    }
    while (opStack.length > 0) reduce();
    return outStack[0]!;
  }

  private unaryExpr(node: CstNode): A.Expr {
    const first = firstChild(node)!;
    const r = this.range(node);
    let opTok: IToken;
    let operandNode: CstNode;
    if (isNode(first)) {
      if (first.name === "callMemberExpr") return this.callMemberExpr(first);
      if (first.name === "rejectedAngleCast") {
        this.err(
          "angleCast",
          this.range(firstChild(first)!, this.tokens(first, "Greater")[0] ?? first),
        );
        return this.unaryExpr(this.nodes(first, "unaryExpr")[0]!);
      }
      // rejectedUnary
      opTok = firstChild(first) as IToken;
      operandNode = this.nodes(first, "unaryExpr")[0]!;
    } else {
      opTok = first;
      operandNode = this.nodes(node, "unaryExpr")[0]!;
    }
    const op = opTok.image;
    const operand = this.unaryExpr(operandNode);
    switch (op) {
      case "-":
      case "~":
      case "!":
        return { kind: "UnaryExpr", op, operand, range: r };
      case "++":
      case "--":
        return { kind: "UpdateExpr", op, prefix: true, target: operand, range: r };
      case "+":
        this.err("unaryPlus", this.range(opTok));
        return operand;
      case "typeof":
        this.err("typeofExpr", this.range(opTok));
        return operand;
      case "delete":
        this.err("deleteExpr", this.range(opTok));
        return operand;
      case "void":
        this.err("voidExpr", this.range(opTok));
        return operand;
      case "await":
        this.err("awaitExpr", this.range(opTok));
        return operand;
      default:
        this.err("yieldExpr", this.range(opTok));
        return operand;
    }
  }

  private callMemberExpr(node: CstNode): A.Expr {
    const parts = seq(node);
    const first = parts[0]!;
    let acc = this.primaryExpr(first);
    for (let i = 1; i < parts.length; i++) {
      const c = parts[i]!;
      const name = tokenName(c) ?? ruleName(c);
      switch (name) {
        case "Dot": {
          const prop = parts[++i] as IToken | undefined;
          if (!prop || isNode(prop)) return acc;
          acc = {
            kind: "MemberExpr",
            object: acc,
            property: this.ident(prop),
            range: this.range(first, prop),
          };
          break;
        }
        case "LBracket": {
          const idx = parts[++i];
          const close = parts[++i];
          if (!idx || !isNode(idx)) return acc;
          acc = {
            kind: "IndexExpr",
            object: acc,
            index: this.expression(idx),
            range: this.range(first, close ?? idx),
          };
          break;
        }
        case "args":
          acc = {
            kind: "CallExpr",
            callee: acc,
            args: this.args(c as CstNode),
            range: this.range(first, c),
          };
          break;
        case "QuestionDot": {
          const nx = parts[i + 1];
          if (nx && !isNode(nx) && tokenName(nx) !== "LBracket") {
            // `v?.field`: allowed as the left operand of `??` (the checker enforces that).
            i++;
            acc = {
              kind: "MemberExpr",
              object: acc,
              property: this.ident(nx),
              optional: true,
              range: this.range(first, nx),
            };
            break;
          }
          this.err("optionalChaining", this.range(c));
          // Skip what follows `?.` (a name, arguments or an index).
          const next = parts[i + 1];
          if (next && (isNode(next) || tokenName(next) !== "LBracket")) i++;
          else if (next) i += 3;
          break;
        }
        case "rejectedNonNull":
          this.err("nonNullAssertion", this.range(c));
          break;
        case "PlusPlus":
        case "MinusMinus":
          acc = {
            kind: "UpdateExpr",
            op: (c as IToken).image as "++" | "--",
            prefix: false,
            target: acc,
            range: this.range(first, c),
          };
          break;
        default:
          break;
      }
    }
    return acc;
  }

  private args(node: CstNode): A.Expr[] {
    return this.nodes(node, "argument").map((a) => {
      const spread = this.tokens(a, "Ellipsis")[0];
      if (spread) this.err("spread", this.range(spread));
      return this.assignmentExpr(this.nodes(a, "assignmentExpr")[0]!);
    });
  }

  private primaryExpr(c: Child): A.Expr {
    const r = this.range(c);
    if (isNode(c)) {
      switch (c.name) {
        case "parenExpr":
          return this.parenExpr(c);
        case "objectLiteral":
          return this.objectLiteral(c);
        case "newExpr":
          return this.newExpr(c);
        case "rejectedArrayLiteral":
          this.err("arrayLiteral", r);
          return this.placeholder(r);
        default:
          this.err("functionExpression", this.headRange(c));
          return this.placeholder(r);
      }
    }
    switch (c.tokenType.name) {
      case "IntLiteral":
        return this.intLiteral(c);
      case "True":
      case "False":
        return { kind: "BoolLiteral", value: c.image === "true", range: r };
      case "Null":
        return { kind: "NullLiteral", range: r };
      case "StringLiteral":
        return { kind: "StringLiteral", raw: c.image, value: this.stringValue(c), range: r };
      case "FloatLiteral":
        this.err("floatLiteral", r);
        return this.placeholder(r);
      case "BigIntLiteral":
        this.err("bigintLiteral", r);
        return this.placeholder(r);
      case "TemplateLiteral":
        this.err("templateLiteral", r);
        return this.placeholder(r);
      case "This":
        this.err("thisExpr", r);
        return this.placeholder(r);
      case "Super":
        this.err("superExpr", r);
        return this.placeholder(r);
      default:
        return this.ident(c);
    }
  }

  private parenExpr(node: CstNode): A.Expr {
    const r = this.range(node);
    const item = this.nodes(node, "parenItem")[0];
    const more = this.nodes(node, "rejectedParenListItem")[0];
    if (!item) {
      this.bag.error(ParserMessages.syntax.code, "empty parentheses", r);
      return this.placeholder(r);
    }
    if (more) {
      this.err("commaExpr", this.range(this.tokens(more, "Comma")[0]!));
      return this.placeholder(r);
    }
    const spread = this.tokens(item, "Ellipsis")[0];
    if (spread) this.err("spread", this.range(spread));
    const ta = this.nodes(item, "rejectedParamType")[0];
    // `(x: T)` outside an arrow function is not TypeScript at all.
    if (ta)
      this.bag.error(ParserMessages.syntax.code, "unexpected ':' in parentheses", this.range(ta));
    return {
      kind: "ParenExpr",
      expr: this.assignmentExpr(this.nodes(item, "assignmentExpr")[0]!),
      range: r,
    };
  }

  private objectLiteral(node: CstNode): A.ObjectLiteral {
    const properties: A.ObjectProperty[] = [];
    for (const m of this.nodes(node, "objectMember")) {
      const mr = this.range(m);
      if (this.tokens(m, "Ellipsis")[0]) {
        this.err("spread", this.range(this.tokens(m, "Ellipsis")[0]!));
        continue;
      }
      const computed = this.nodes(m, "rejectedComputedKey")[0];
      if (computed) {
        this.err(
          "computedKey",
          this.range(
            this.tokens(computed, "LBracket")[0]!,
            this.tokens(computed, "RBracket")[0] ?? computed,
          ),
        );
        continue;
      }
      const keyTok = this.tokens(m, "IdentifierName")[0]!;
      const key = this.ident(keyTok);
      if (this.nodes(m, "rejectedMethod").length > 0) {
        this.err("methodInObject", key.range);
        continue;
      }
      const v = this.nodes(m, "assignmentExpr")[0];
      if (v)
        properties.push({
          kind: "ObjectProperty",
          key,
          value: this.assignmentExpr(v),
          shorthand: false,
          range: mr,
        });
      else {
        // `{ default }` would read a variable named by a reserved word.
        if (!tokenMatcher(keyTok, Identifier)) {
          this.bag.error(
            ParserMessages.syntax.code,
            `'${keyTok.image}' is a reserved word and cannot be a shorthand property`,
            key.range,
          );
        }
        properties.push({
          kind: "ObjectProperty",
          key,
          value: { ...key },
          shorthand: true,
          range: mr,
        });
      }
    }
    return { kind: "ObjectLiteral", properties, range: this.range(node) };
  }

  private newExpr(node: CstNode): A.NewExpr {
    const ta = this.nodes(node, "typeArgs")[0];
    const a = this.nodes(node, "args")[0];
    return {
      kind: "NewExpr",
      callee: this.ident(this.tokens(node, "Identifier")[0]!),
      typeArgs: ta ? this.nodes(ta, "type").map((t) => this.type(t)) : [],
      args: a ? this.args(a) : [],
      range: this.range(node),
    };
  }

  private intLiteral(t: IToken): A.IntLiteral {
    const raw = t.image;
    const r = this.range(t);
    const prefixed = /^0[xXoObB]/.test(raw);
    const digits = prefixed ? raw.slice(2) : raw;
    if (/^_|_$|__/.test(digits) || /^0_/.test(raw)) this.err("badNumericSeparator", r);
    else if (/^0\d/.test(raw)) this.err("legacyOctal", r);
    const clean = raw.replace(/_/g, "");
    let value = 0n;
    try {
      value = BigInt(clean === "" || /^0[xXoObB]$/.test(clean) ? "0" : clean);
    } catch {
      this.err("badNumericSeparator", r);
    }
    return { kind: "IntLiteral", raw, value, range: r };
  }

  /** The value of a string token (quotes removed, escapes processed); reports bad escapes. */
  stringValue(t: IToken): string {
    const raw = t.image;
    const q = raw[0];
    const body = raw.length >= 2 && raw[raw.length - 1] === q ? raw.slice(1, -1) : raw.slice(1);
    let out = "";
    for (let i = 0; i < body.length; i++) {
      const ch = body[i]!;
      if (ch !== "\\") {
        out += ch;
        continue;
      }
      const e = body[++i];
      const bad = () =>
        this.err(
          "invalidEscape",
          this.src.range(t.startOffset + 1 + i - 1, t.startOffset + 1 + i + 1),
        );
      switch (e) {
        case "n":
          out += "\n";
          break;
        case "t":
          out += "\t";
          break;
        case "r":
          out += "\r";
          break;
        case "b":
          out += "\b";
          break;
        case "f":
          out += "\f";
          break;
        case "v":
          out += "\v";
          break;
        case "0":
          if (/[0-9]/.test(body[i + 1] ?? "")) bad();
          out += "\0";
          break;
        case "x": {
          const h = body.slice(i + 1, i + 3);
          if (/^[0-9a-fA-F]{2}$/.test(h)) {
            out += String.fromCharCode(parseInt(h, 16));
            i += 2;
          } else bad();
          break;
        }
        case "u": {
          const m = /^\{([0-9a-fA-F]{1,6})\}|^([0-9a-fA-F]{4})/.exec(body.slice(i + 1));
          const cp = m ? parseInt(m[1] ?? m[2]!, 16) : NaN;
          if (m && cp <= 0x10ffff) {
            out += String.fromCodePoint(cp);
            i += m[0].length;
          } else bad();
          break;
        }
        case "\r":
          if (body[i + 1] === "\n") i++;
          break;
        case "\n":
        case "\u2028":
        case "\u2029":
          break;
        case undefined:
          bad();
          break;
        default:
          if (/[1-9]/.test(e)) bad();
          else out += e;
      }
    }
    return out;
  }

  // ------------------------------------------------------------------------------ types

  private typeAnnotation(node: CstNode): A.TypeExpr {
    return this.type(this.nodes(node, "type")[0]!);
  }

  type(node: CstNode): A.TypeExpr {
    const r = this.range(node);
    const members = this.nodes(node, "arrayType").map((a) => this.arrayType(a));
    if (members.length === 1) {
      const m = members[0]!;
      if (m === "null") {
        this.err("unionType", r);
        return { kind: "VoidType", range: r };
      }
      return m;
    }
    const nonNull = members.filter((m): m is A.TypeExpr => m !== "null");
    if (members.length === 2 && nonNull.length === 1)
      return { kind: "NullableType", base: nonNull[0]!, range: r };
    this.err("unionType", r);
    return nonNull[0] ?? { kind: "VoidType", range: r };
  }

  private arrayType(node: CstNode): A.TypeExpr | "null" {
    const atom = this.typeAtom(this.nodes(node, "typeAtom")[0]!);
    if (this.nodes(node, "rejectedArraySuffix").length > 0) this.err("arrayType", this.range(node));
    return atom;
  }

  private typeAtom(node: CstNode): A.TypeExpr | "null" {
    const c = firstChild(node)!;
    const r = this.range(node);
    const bad = (key: ParserMessageKey): A.TypeExpr => {
      this.err(key, r);
      return { kind: "VoidType", range: r };
    };
    if (isNode(c)) {
      if (c.name === "typeRef") return this.typeRef(c);
      if (c.name === "rejectedTypeOperator") return bad("keyofType");
      const form = firstChild(c);
      if (ruleName(form) === "balancedBraces") return bad("objectType");
      if (ruleName(form) === "params") return bad("functionType");
      if (tokenName(form) === "LBracket") return bad("tupleType");
      return bad("literalType");
    }
    switch (c.tokenType.name) {
      case "Void":
        return { kind: "VoidType", range: r };
      case "Null":
        return "null";
      default: {
        const lit = this.intLiteral(c);
        return { kind: "LiteralType", raw: lit.raw, value: lit.value, range: r };
      }
    }
  }

  private typeRef(node: CstNode): A.TypeExpr {
    const ids = this.tokens(node, "Identifier");
    const r = this.range(node);
    if (ids.length > 1) this.err("qualifiedType", this.range(ids[0]!, ids[ids.length - 1]!));
    const name = this.ident(ids[0]!);
    if (name.name === "any") this.err("anyType", name.range);
    else if (name.name === "unknown") this.err("unknownType", name.range);
    const ta = this.nodes(node, "typeArgs")[0];
    return {
      kind: "TypeRef",
      name,
      args: ta ? this.nodes(ta, "type").map((t) => this.type(t)) : [],
      range: r,
    };
  }
}
