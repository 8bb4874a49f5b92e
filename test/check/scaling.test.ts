// Issue 16 ("Superlinear costs"): checking a long straight-line function must cost time linear
// in its length. The checker used to copy the rest of the block for every statement (to infer
// the type of an untyped `let` from its later uses), and read all of it for every untyped
// `let`: a 100k-line function spent most of a two-minute compile there. The test counts reads
// of the function body's statement list — work that does not depend on the machine's load —
// and requires 4× the statements to cost well under 16× (quadratic) the reads.
import { test } from "node:test";
import assert from "node:assert/strict";
import { check } from "../../src/check/index.js";
import { SourceFile } from "../../src/diagnostics/index.js";
import type * as ast from "../../src/parser/ast.js";
import { parse } from "../../src/parser/index.js";

/** `n` statement pairs: an untyped `let` and a typed use of it right after. */
function body(n: number): string {
  const out = [
    'import { u64 } from "ioubpf/lang";',
    "let a: u64 = 1;",
    "export function onStart(): void {",
  ];
  for (let i = 0; i < n; i++) out.push(`  let v${i} = ${i};`, `  a = a + v${i};`);
  out.push("}");
  return out.join("\n") + "\n";
}

function countedCheck(n: number): { reads: number; errors: string[] } {
  const src = new SourceFile("scaling.bpf.ts", body(n));
  const parsed = parse(src);
  assert.ok(parsed.program, `parse failed: ${parsed.diagnostics[0]?.message}`);
  const fn = parsed.program.items.find(
    (it): it is ast.FunctionDecl => it.kind === "FunctionDecl" && it.name.name === "onStart",
  );
  assert.ok(fn, "onStart is parsed");
  const count = { reads: 0 };
  (fn.body as { body: ast.Stmt[] }).body = new Proxy(fn.body.body, {
    get(target, key, receiver) {
      if (typeof key === "string" && /^\d+$/.test(key)) count.reads++;
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  const r = check(parsed.program, { target: "iouring-v2", text: src.text });
  return {
    reads: count.reads,
    errors: r.diagnostics.filter((d) => d.severity === "error").map((d) => d.message),
  };
}

test("checking a long function reads its statements a number of times linear in its length", () => {
  const small = countedCheck(500);
  const large = countedCheck(2000);
  assert.deepEqual(small.errors, [], "the program checks");
  assert.deepEqual(large.errors, [], "the program checks");
  const ratio = large.reads / small.reads;
  // linear is 4; copying or scanning the rest per statement is about 16
  assert.ok(
    ratio < 6,
    `4× the statements read the body ${ratio.toFixed(1)}× as often (${small.reads} → ${large.reads})`,
  );
});
