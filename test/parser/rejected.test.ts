// One test per construct outside the language: its specific code, message and range.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ParserMessages, type ParserMessageKey } from "../../src/parser/index.js";
import { CODE_BLOCKS } from "../../src/diagnostics/codes.js";
import { errorsOf, parseText } from "./helpers.js";

interface Case {
  key: ParserMessageKey;
  /** Source; `@` marks nothing special, the range is found by `at`. */
  src: string;
  /** The exact text the diagnostic's range must cover (first occurrence in src). */
  at: string;
  /** Statements are wrapped in a function unless the construct is about top level. */
  top?: boolean;
}

const cases: Case[] = [
  {
    key: "classDecl",
    src: "class Foo extends Bar { x = 1; m() { return 2; } }",
    at: "class Foo",
    top: true,
  },
  { key: "arrowFunction", src: "const f = (a: u32) => a + 1;", at: "(a: u32) =>" },
  { key: "arrowFunction", src: "const f = x => x;", at: "x =>" },
  { key: "functionExpression", src: "const g = function () {};", at: "function" },
  { key: "nestedFunction", src: "function inner(): void {}", at: "function inner" },
  { key: "tryStmt", src: "try { x(); } catch (e) { } finally { }", at: "try" },
  { key: "throwStmt", src: "throw 1;", at: "throw" },
  { key: "floatLiteral", src: "x = 1.5;", at: "1.5" },
  { key: "floatLiteral", src: "x = 1e3;", at: "1e3" },
  { key: "floatLiteral", src: "x = .5;", at: ".5" },
  { key: "bigintLiteral", src: "x = 10n;", at: "10n" },
  { key: "anyType", src: "let a: any = 0;", at: "any" },
  { key: "unknownType", src: "let a: unknown = 0;", at: "unknown" },
  { key: "asyncFunction", src: "async function af(): void {}", at: "async", top: true },
  { key: "awaitExpr", src: "await x;", at: "await" },
  { key: "generator", src: "function* gen(): void {}", at: "*", top: true },
  { key: "yieldExpr", src: "yield 1;", at: "yield" },
  { key: "spread", src: "foo(...args);", at: "..." },
  { key: "spread", src: "x = { ...o };", at: "..." },
  { key: "spread", src: "function r(...a: u32): void {}", at: "...", top: true },
  { key: "optionalChaining", src: "x = a?.();", at: "?." },
  { key: "asConstPlace", src: "const k = { a: 1 } as const;", at: "as const" },
  { key: "varDecl", src: "var v = 1;", at: "var" },
  { key: "thisExpr", src: "this.x = 1;", at: "this" },
  { key: "templateLiteral", src: "x = `a${b}`;", at: "`a${b}`" },
  { key: "forOf", src: "for (const a of b) {}", at: "for (const a of" },
  { key: "forIn", src: "for (const k in o) {}", at: "for (const k in" },
  { key: "labelledStmt", src: "outer: for (;;) {}", at: "outer:" },
  { key: "labelledStmt", src: "for (;;) { break outer; }", at: "outer" },
  { key: "decorator", src: "@sealed\nfunction d(): void {}", at: "@sealed", top: true },
  { key: "namespace", src: "namespace N { }", at: "namespace N", top: true },
  { key: "namespace", src: 'module "m" { }', at: "module", top: true },
  {
    key: "exportDefault",
    src: "export default function main(): void {}",
    at: "export default",
    top: true,
  },
  { key: "importOtherModule", src: 'import { readFile } from "fs";', at: '"fs"', top: true },
  { key: "importForm", src: 'import lang from "ioubpf/lang";', at: "lang", top: true },
  { key: "importForm", src: 'import * as lang from "ioubpf/lang";', at: "* as lang", top: true },
  { key: "asCast", src: "x = a as u32;", at: "as u32" },
  { key: "angleCast", src: "x = <u32>a;", at: "<u32>" },
  { key: "nonNullAssertion", src: "x = a!;", at: "!" },
  { key: "optionalParam", src: "function o(a?: u32): void {}", at: "?", top: true },
  { key: "defaultParam", src: "function o(a: u32 = 1): void {}", at: "= 1", top: true },
  { key: "untypedParam", src: "function o(a): void {}", at: "a", top: true },
  { key: "destructuring", src: "const { p, q } = f();", at: "{ p, q } = f()" },
  { key: "destructuring", src: "const [p, q] = o;", at: "[p, q] = o" },
  { key: "arrayLiteral", src: "x = [1, 2];", at: "[1, 2]" },
  { key: "exponent", src: "x = a ** 2;", at: "**" },
  { key: "exponentAssign", src: "x **= 2;", at: "**=" },
  { key: "logicalAssign", src: "x &&= y;", at: "&&=" },
  { key: "logicalAssign", src: "x ??= y;", at: "??=" },
  { key: "typeofExpr", src: "x = typeof a;", at: "typeof" },
  { key: "deleteExpr", src: "delete a.b;", at: "delete" },
  { key: "instanceofExpr", src: "x = a instanceof B;", at: "instanceof" },
  { key: "inExpr", src: "x = a in b;", at: "in" },
  { key: "withStmt", src: "with (a) {}", at: "with" },
  { key: "voidExpr", src: "void a;", at: "void" },
  { key: "typeAlias", src: "type X<T> = u32;", at: "type X", top: true },
  { key: "plainEnum", src: "enum E { A }", at: "enum", top: true },
  { key: "enumMemberNotIdentifier", src: 'const enum E { "a" = 1 }', at: '"a"', top: true },
  { key: "genericDecl", src: "function g<T>(a: T): void {}", at: "<T>", top: true },
  { key: "genericDecl", src: "interface I<T> { a: T }", at: "<T>", top: true },
  { key: "arrayType", src: "let a: u32[] = 0;", at: "u32[]" },
  { key: "unionType", src: "let a: u32 | u64 = 0;", at: "u32 | u64" },
  { key: "functionType", src: "let a: (x: u32) => void = 0;", at: "(x: u32) => void" },
  { key: "objectType", src: "let a: { b: u32 } = 0;", at: "{ b: u32 }" },
  { key: "tupleType", src: "let a: [u32, u32] = 0;", at: "[u32, u32]" },
  { key: "literalType", src: 'let a: "x" = 0;', at: '"x"' },
  { key: "qualifiedType", src: "let a: ns.T = 0;", at: "ns.T" },
  { key: "keyofType", src: "let a: keyof S = 0;", at: "keyof S" },
  { key: "optionalField", src: "interface S { a?: u32 }", at: "?", top: true },
  { key: "interfaceMethod", src: "interface S { m(): void }", at: "m", top: true },
  { key: "interfaceExtends", src: "interface S extends T { a: u32 }", at: "extends", top: true },
  {
    key: "indexSignature",
    src: "interface S { [k: string]: u32 }",
    at: "[k: string]: u32",
    top: true,
  },
  { key: "thisParam", src: "function t(this: S): void {}", at: "this", top: true },
  { key: "commaExpr", src: "x = (a, b);", at: "," },
  { key: "commaExpr", src: "for (i = 0, j = 0; i < 1; i++) {}", at: "," },
  { key: "unaryPlus", src: "x = +a;", at: "+" },
  { key: "superExpr", src: "super.x();", at: "super" },
  { key: "methodInObject", src: "x = { m() {} };", at: "m" },
  { key: "computedKey", src: "x = { [k]: 1 };", at: "[k]" },
  { key: "debuggerStmt", src: "debugger;", at: "debugger;" },
  { key: "exportList", src: "export { a, b };", at: "export { a, b };", top: true },
  { key: "declareForm", src: "declare let X: u32;", at: "declare let X: u32;", top: true },
  { key: "declareInit", src: "declare const X: u32 = 1;", at: "1", top: true },
  { key: "declareNeedsType", src: "declare const X;", at: "X", top: true },
  { key: "satisfiesExpr", src: "x = a satisfies u32;", at: "satisfies u32" },
  { key: "constWithoutInit", src: "const cc: u32;", at: "cc" },
  { key: "statementAtTopLevel", src: "if (x) {}", at: "if (x) {}", top: true },
  { key: "declarationNotTopLevel", src: "interface S { a: u32 }", at: "interface S" },
  { key: "declarationNotTopLevel", src: "const enum E { A }", at: "const enum E" },
  { key: "exportNotAllowed", src: "export if (x) {}", at: "export", top: true },
  { key: "badNumericSeparator", src: "x = 1__0;", at: "1__0" },
  { key: "legacyOctal", src: "x = 017;", at: "017" },
  { key: "invalidEscape", src: 'trace("\\1");', at: "\\1" },
  { key: "unterminatedString", src: 'x = "abc\n;', at: '"abc' },
  { key: "unexpectedCharacter", src: "x = 1 § 2;", at: "§" },
];

for (const c of cases) {
  test(`${c.key}: ${c.src.split("\n")[0]}`, () => {
    const prefix = c.top ? "" : "function f(): void {\n  ";
    const text = c.top ? c.src + "\n" : `${prefix}${c.src}\n}\n`;
    const r = parseText(text);
    assert.equal(r.program, undefined, "a rejected construct must not yield a program");
    const m = ParserMessages[c.key];
    const start = text.indexOf(c.at, prefix.length);
    assert.ok(start >= 0);
    const found = errorsOf(r.diagnostics).find((d) => d.code === m.code);
    assert.ok(
      found,
      `no ${m.code} among ${JSON.stringify(r.diagnostics.map((d) => `${d.code} ${d.message}`))}`,
    );
    if (c.key !== "unexpectedCharacter") assert.equal(found.message, m.message);
    assert.deepEqual(
      [found.range!.start.offset, found.range!.end.offset],
      [start, start + c.at.length],
      `range of ${c.at}`,
    );
    if ("hint" in m) assert.equal(found.hint, m.hint);
  });
}

test("every rejected-construct code is covered by a test", () => {
  const covered = new Set(cases.map((c) => c.key));
  const exempt = new Set<ParserMessageKey>([
    "syntax",
    "nestingTooDeep",
    "missingSemicolon",
    "tooManyErrors",
    "internal",
    "unterminatedComment",
  ]);
  const missing = (Object.keys(ParserMessages) as ParserMessageKey[]).filter(
    (k) => !covered.has(k) && !exempt.has(k),
  );
  assert.deepEqual(missing, []);
});

test("parser codes are unique and inside the parser block", () => {
  const codes = Object.values(ParserMessages).map((m) => m.code);
  assert.equal(new Set(codes).size, codes.length);
  const [lo, hi] = CODE_BLOCKS.parser;
  for (const code of codes) {
    assert.match(code, /^E\d{4}$/);
    const n = Number(code.slice(1));
    assert.ok(n >= lo && n <= hi, code);
  }
});

test("one run reports every rejected construct of a file", () => {
  const r = parseText(
    "class A {}\nvar v = 1;\ntype T<X> = u32;\nfunction f(): void { throw 1; }\n",
  );
  const codes = errorsOf(r.diagnostics).map((d) => d.code);
  assert.deepEqual(codes, ["E1040", "E1056", "E1080", "E1044"]);
});

test("docs/language-parser.md lists every parser code with its message", async () => {
  const { readFileSync } = await import("node:fs");
  const doc = readFileSync(new URL("../../docs/language-parser.md", import.meta.url), "utf8");
  for (const m of Object.values(ParserMessages)) {
    assert.ok(doc.includes(`| ${m.code} |`), `${m.code} missing from docs`);
    assert.ok(
      doc.includes(m.message.replace(/\|/g, "\\|")),
      `message of ${m.code} differs in docs`,
    );
  }
});
