import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { generateGrammar, grammarDir, languageGrammar } from "../../scripts/gen-grammar.js";

test("grammar/ioubpf.ebnf and grammar/diagrams.html are up to date (npm run grammar)", () => {
  const { ebnf, html } = generateGrammar();
  assert.equal(
    readFileSync(join(grammarDir, "ioubpf.ebnf"), "utf8"),
    ebnf,
    "ioubpf.ebnf is stale: run npm run grammar",
  );
  assert.equal(
    readFileSync(join(grammarDir, "diagrams.html"), "utf8"),
    html,
    "diagrams.html is stale: run npm run grammar",
  );
});

test("the published grammar has no error productions", () => {
  const { ebnf } = generateGrammar();
  for (const word of [
    "rejected",
    '"class"',
    '"=>"',
    '"var"',
    '"try"',
    '"**"',
    '"??"',
    '"..."',
    '"as" type',
    '"?."',
  ]) {
    assert.ok(!ebnf.replace(/\(\*[^]*?\*\)/g, "").includes(word), `grammar mentions ${word}`);
  }
  const names = languageGrammar().map((r) => r.name);
  for (const rule of ["program", "statement", "functionDecl", "binaryExpr", "typeArgs", "semi"])
    assert.ok(names.includes(rule), rule);
});
