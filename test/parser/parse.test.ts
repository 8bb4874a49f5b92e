import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { astJson, errorsOf, inFunction, parseText, rangeText } from "./helpers.js";
import type * as A from "../../src/parser/ast.js";

const dir = join(import.meta.dirname, "fixtures");

for (const name of ["copy", "constructs"]) {
  test(`valid program ${name}.bpf.ts parses without diagnostics and matches its golden AST`, () => {
    const text = readFileSync(join(dir, `${name}.bpf.ts`), "utf8");
    const r = parseText(text, `${name}.bpf.ts`);
    assert.deepEqual(r.diagnostics, []);
    assert.ok(r.program);
    const golden = join(dir, `${name}.ast.golden`);
    const actual = astJson(r.program) + "\n";
    if (process.env.UPDATE_GOLDEN === "1" || !existsSync(golden)) writeFileSync(golden, actual);
    assert.equal(actual, readFileSync(golden, "utf8"));
  });
}

/** The single expression of `x = <expr>;` inside a function. */
function expr(src: string): A.Expr {
  const r = parseText(inFunction(`x = ${src};`));
  assert.deepEqual(errorsOf(r.diagnostics), [], src);
  const f = r.program!.items[0] as A.FunctionDecl;
  const st = f.body.body[0] as A.ExprStmt;
  return (st.expr as A.AssignExpr).value;
}

/** Fully parenthesised form of an expression, to check precedence and associativity. */
function show(e: A.Expr): string {
  switch (e.kind) {
    case "BinaryExpr":
    case "LogicalExpr":
      return `(${show(e.left)} ${e.op} ${show(e.right)})`;
    case "UnaryExpr":
      return `(${e.op}${show(e.operand)})`;
    case "UpdateExpr":
      return e.prefix ? `(${e.op}${show(e.target)})` : `(${show(e.target)}${e.op})`;
    case "ConditionalExpr":
      return `(${show(e.test)} ? ${show(e.consequent)} : ${show(e.alternate)})`;
    case "AssignExpr":
      return `(${show(e.target)} ${e.op} ${show(e.value)})`;
    case "ParenExpr":
      return show(e.expr);
    case "IntLiteral":
      return e.raw;
    case "Identifier":
      return e.name;
    case "MemberExpr":
      return `${show(e.object)}.${e.property.name}`;
    case "IndexExpr":
      return `${show(e.object)}[${show(e.index)}]`;
    case "CallExpr":
      return `${show(e.callee)}(${e.args.map(show).join(", ")})`;
    default:
      return e.kind;
  }
}

test("binary operators follow TypeScript precedence and associativity", () => {
  const cases: [string, string][] = [
    ["a + b * c", "(a + (b * c))"],
    ["a - b - c", "((a - b) - c)"],
    ["a << 1 + 2", "(a << (1 + 2))"],
    ["a >> b >>> c", "((a >> b) >>> c)"],
    ["a < b == c > d", "((a < b) == (c > d))"],
    ["a & b | c ^ d", "((a & b) | (c ^ d))"],
    ["a || b && c", "(a || (b && c))"],
    ["a === b !== c", "((a === b) !== c)"],
    ["a ? b : c ? d : e", "(a ? b : (c ? d : e))"],
    ["-a * ~b", "((-a) * (~b))"],
    ["!a && b", "((!a) && b)"],
    ["a.b[c](d, e).f", "a.b[c](d, e).f"],
    ["y = z = 1", "(y = (z = 1))"],
    ["a++ + --b", "((a++) + (--b))"],
    ["a > b", "(a > b)"],
    ["a >= b >> c", "(a >= (b >> c))"],
    ["(a + b) * c", "((a + b) * c)"],
    ["a % b / c * d", "(((a % b) / c) * d)"],
  ];
  for (const [src, want] of cases) assert.equal(show(expr(src)), want, src);
});

test("shift assignments are joined from adjacent '>' tokens", () => {
  for (const op of [">>=", ">>>=", "<<="]) {
    const r = parseText(inFunction(`x ${op} 1;`));
    assert.deepEqual(errorsOf(r.diagnostics), []);
    const st = (r.program!.items[0] as A.FunctionDecl).body.body[0] as A.ExprStmt;
    assert.equal((st.expr as A.AssignExpr).op, op);
  }
  // With a space the tokens are not an operator.
  const bad = parseText(inFunction("x = a > > b;"));
  assert.ok(errorsOf(bad.diagnostics).length > 0);
});

test("nested type arguments close with '>>'", () => {
  const r = parseText(
    "const m = new HashMap<u32, FixedArray<u8, 4>>(8);\nlet x: ArrayMap<u32, FixedArray<u8, 4>> | null;\n",
  );
  assert.deepEqual(r.diagnostics, []);
  const d = r.program!.items[0] as A.VarDecl;
  const n = d.declarators[0]!.init as A.NewExpr;
  assert.equal(n.callee.name, "HashMap");
  assert.equal(n.typeArgs.length, 2);
  const inner = n.typeArgs[1] as A.TypeRef;
  assert.equal(inner.name.name, "FixedArray");
  assert.deepEqual((inner.args[1] as A.LiteralType).value, 4n);
  const t = (r.program!.items[1] as A.VarDecl).declarators[0]!.type!;
  assert.equal(t.kind, "NullableType");
});

test("integer literals keep raw text and value", () => {
  const cases: [string, bigint][] = [
    ["0", 0n],
    ["42", 42n],
    ["0xff", 255n],
    ["0XFF_FF", 65535n],
    ["0o17", 15n],
    ["0b1010", 10n],
    ["1_000_000", 1000000n],
    ["18446744073709551615", 18446744073709551615n],
  ];
  for (const [raw, value] of cases) {
    const e = expr(raw) as A.IntLiteral;
    assert.equal(e.kind, "IntLiteral");
    assert.equal(e.raw, raw);
    assert.equal(e.value, value);
  }
});

test("string literals are unescaped", () => {
  const e = expr(String.raw`"a\tb\n\x41\u0042\u{1F600}\\\"'"`) as A.StringLiteral;
  assert.equal(e.kind, "StringLiteral");
  assert.equal(e.value, "a\tb\nAB\u{1F600}\\\"'");
  const s = expr(`'it\\'s'`) as A.StringLiteral;
  assert.equal(s.value, "it's");
});

test("semicolons may be omitted where TypeScript inserts them", () => {
  const r = parseText(inFunction("let a = 1\nlet b = a\nb++\nreturn\n"));
  assert.deepEqual(r.diagnostics, []);
  const body = (r.program!.items[0] as A.FunctionDecl).body.body;
  assert.deepEqual(
    body.map((s) => s.kind),
    ["VarDecl", "VarDecl", "ExprStmt", "ReturnStmt"],
  );
  // `return` followed by a line break returns nothing.
  const r2 = parseText(inFunction("return\nx"));
  const body2 = (r2.program!.items[0] as A.FunctionDecl).body.body;
  assert.equal((body2[0] as A.ReturnStmt).value, undefined);
  // On one line a semicolon is required.
  const bad = parseText(inFunction("let a = 1 let b = 2"));
  assert.equal(errorsOf(bad.diagnostics)[0]?.code, "E1006");
});

test("contextual keywords and reserved words work as names where TypeScript allows", () => {
  const r = parseText(
    inFunction(
      "let type = 1;\nlet from = type;\nm.delete(k);\nx = { default: 1, type, new: 2 }.type;\nx = cqe.as;",
    ),
  );
  assert.deepEqual(r.diagnostics, []);
});

test("declarations carry export flags, types and names", () => {
  const r = parseText(
    'export const name = "n";\nexport function onStart(): void {}\nfunction h(a: u32, b: u64,): u64 { return a; }\ndeclare const X: u32;\nexport interface S { readonly a: u32; b: u8 }\n',
  );
  assert.deepEqual(r.diagnostics, []);
  const [nameDecl, onStart, h, x, s] = r.program!.items as [
    A.VarDecl,
    A.FunctionDecl,
    A.FunctionDecl,
    A.DeclareConst,
    A.InterfaceDecl,
  ];
  assert.equal(nameDecl.exported, true);
  assert.equal((nameDecl.declarators[0]!.init as A.StringLiteral).value, "n");
  assert.equal(onStart.exported, true);
  assert.equal((onStart.returnType as A.VoidType).kind, "VoidType");
  assert.equal(h.exported, false);
  assert.deepEqual(
    h.params.map((p) => p.name.name),
    ["a", "b"],
  );
  assert.equal(x.kind, "DeclareConst");
  assert.equal(x.name.name, "X");
  assert.equal(s.exported, true);
  assert.deepEqual(
    s.fields.map((f) => [f.name.name, f.readonly]),
    [
      ["a", true],
      ["b", false],
    ],
  );
});

test("ranges are 1-based and cover the construct", () => {
  const r = parseText("let count: u32 = 0;\nfunction f(): void {\n  count += 1;\n}\n");
  assert.deepEqual(r.diagnostics, []);
  const v = r.program!.items[0] as A.VarDecl;
  assert.equal(rangeText(v.range), "1:1-1:20");
  assert.equal(rangeText(v.declarators[0]!.name.range), "1:5-1:10");
  const f = r.program!.items[1] as A.FunctionDecl;
  assert.equal(rangeText(f.range), "2:1-4:2");
  const st = f.body.body[0] as A.ExprStmt;
  assert.equal(rangeText(st.range), "3:3-3:14");
  assert.equal(rangeText((st.expr as A.AssignExpr).target.range), "3:3-3:8");
});

test("syntax errors are located and several are reported in one run", () => {
  const r = parseText(inFunction("let x = (1 + ;\nlet y = 2;\ny = y +* 3;\nif (x { }"));
  const errs = errorsOf(r.diagnostics);
  assert.equal(r.program, undefined);
  assert.ok(errs.length >= 3, JSON.stringify(errs.map((e) => e.message)));
  assert.ok(errs.every((e) => e.code === "E1004" || e.code === "E1006"));
  assert.deepEqual(
    errs.slice(0, 2).map((e) => `${e.range!.start.line}:${e.range!.start.col}`),
    ["2:14", "4:8"],
  );
  assert.match(errs[0]!.message, /unexpected ';'; expected an expression/);
});

test("lexer errors are located", () => {
  const r = parseText('let a = 1;\nlet b = 2 # 3;\nlet c = "open\n');
  const errs = errorsOf(r.diagnostics);
  const e1 = errs.find((e) => e.code === "E1001")!;
  assert.equal(`${e1.range!.start.line}:${e1.range!.start.col}`, "2:11");
  assert.match(e1.message, /unexpected character '#'/);
  const e2 = errs.find((e) => e.code === "E1002")!;
  assert.equal(`${e2.range!.start.line}:${e2.range!.start.col}`, "3:9");
  const e3 = errorsOf(parseText("let a = 1; /* never closed").diagnostics)[0]!;
  assert.equal(e3.code, "E1003");
});

test("interface members need a separator unless a line break or '}' follows", () => {
  assert.deepEqual(
    parseText("interface S { a: u32\n  b: u32 }\ninterface T { a: u32, b: u32; c: u8 }\n")
      .diagnostics,
    [],
  );
  const bad = parseText("interface S { a: u32 b: u32 }\n");
  assert.equal(bad.program, undefined);
  assert.equal(errorsOf(bad.diagnostics)[0]?.code, "E1004");
});

test("syntax errors are not echoed as misplaced statements", () => {
  const r = parseText("const enum E { A = 1 B }\n");
  const codes = errorsOf(r.diagnostics).map((d) => d.code);
  assert.ok(codes.length > 0);
  assert.ok(!codes.includes("E1020"), codes.join(","));
});

test("a reserved word cannot be a shorthand property; '0_1' is a bad separator", () => {
  const r = parseText(inFunction("x = { default };"));
  assert.match(errorsOf(r.diagnostics)[0]!.message, /reserved word/);
  assert.equal(errorsOf(parseText(inFunction("x = 0_1;")).diagnostics)[0]?.code, "E1007");
});
