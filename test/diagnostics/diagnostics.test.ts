import { test } from "node:test";
import assert from "node:assert/strict";
import {
  DiagnosticBag,
  SourceFile,
  formatDiagnostic,
  diagnosticsToJson,
} from "../../src/diagnostics/index.js";

test("positions are 1-based lines and columns", () => {
  const f = new SourceFile("a.bpf.ts", "let x = 1;\r\nlet y = 2;\nz");
  assert.deepEqual(f.positionAt(0), { line: 1, col: 1, offset: 0 });
  assert.deepEqual(f.positionAt(12), { line: 2, col: 1, offset: 12 });
  assert.deepEqual(f.positionAt(16), { line: 2, col: 5, offset: 16 });
  assert.equal(f.lineText(1), "let x = 1;");
  assert.equal(f.lineText(3), "z");
});

test("a diagnostic renders a header, a code frame with carets and a hint", () => {
  const f = new SourceFile("a.bpf.ts", "const a: u32 = 1;\nlet b = a + c;\n");
  const text = formatDiagnostic(
    {
      code: "E2001",
      severity: "error",
      message: "unknown name 'c'",
      range: f.range(30, 31),
      hint: "declare it",
    },
    { sources: () => f },
  );
  assert.equal(
    text,
    [
      "a.bpf.ts:2:13: error E2001: unknown name 'c'",
      "2 | let b = a + c;",
      "  |             ^",
      "  hint: declare it",
    ].join("\n"),
  );
});

test("a very long line is cut around the range", () => {
  const f = new SourceFile("big.s", "x".repeat(1_000_000) + "BAD" + "y".repeat(100));
  const text = formatDiagnostic(
    { code: "E4001", severity: "error", message: "bad", range: f.range(1_000_000, 1_000_003) },
    { sources: () => f },
  );
  assert.ok(text.length < 1000);
  assert.match(text, /BAD/);
});

test("the bag counts errors and stops at its limit", () => {
  const bag = new DiagnosticBag(2);
  for (let i = 0; i < 5; i++) bag.error("E1000", `e${i}`);
  bag.warning("E1001", "w");
  assert.equal(bag.errorCount, 2);
  assert.equal(bag.dropped, 3);
  assert.equal(diagnosticsToJson(bag.items).warningCount, 1);
});
