// Generates grammar/ioubpf.ebnf and grammar/diagrams.html from the parser itself, so the
// published grammar cannot drift from what the parser accepts. Error productions (rules
// named `rejected…`, and any production that needs a token from `rejectedTokens`) exist only
// to name constructs outside the language in a diagnostic; they are left out.
//
//   npm run grammar            write the files
//   test/parser/grammar.test.ts fails when they are stale
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createSyntaxDiagramsCode, type ISerializedGast } from "chevrotain";
import { sharedParser } from "../src/parser/parser.js";
import * as T from "../src/parser/tokens.js";

type Gast = ISerializedGast & { name?: string; label?: string; definition?: Gast[] };

const rejectedTokenNames = new Set([...T.rejectedTokens].map((t) => t.name));
const isRejectedRule = (name: string) => name.startsWith("rejected");
const optional = new Set(["Option", "Repetition", "RepetitionWithSeparator"]);

/** The production without its error parts, or null when all of it is an error production. */
function filter(p: Gast): Gast | null {
  switch (p.type) {
    case "Terminal":
      return rejectedTokenNames.has(p.name!) ? null : p;
    case "NonTerminal":
      return isRejectedRule(p.name!) ? null : p;
    case "Alternation": {
      const alts = p.definition!.map(filter).filter((a): a is Gast => a !== null);
      return alts.length === 0 ? null : { ...p, definition: alts };
    }
    default: {
      // Sequences: Rule, Alternative, Option, Repetition…
      const out: Gast[] = [];
      for (const e of p.definition ?? []) {
        const f = filter(e);
        if (f) out.push(f);
        else if (!optional.has(e.type)) return null; // a required part is an error production
      }
      if (optional.has(p.type) && out.length === 0) return null;
      return { ...p, definition: out };
    }
  }
}

/** The language's rules: error productions removed, then rules no longer reachable dropped. */
export function languageGrammar(): Gast[] {
  const all = sharedParser().getSerializedGastProductions() as Gast[];
  const kept = new Map<string, Gast>();
  for (const r of all) {
    if (isRejectedRule(r.name!)) continue;
    const f = filter(r);
    if (f) kept.set(r.name!, f);
  }
  const reachable = new Set<string>();
  const visit = (p: Gast) => {
    if (p.type === "NonTerminal") {
      if (reachable.has(p.name!)) return;
      reachable.add(p.name!);
      const rule = kept.get(p.name!);
      if (rule) visit(rule);
      return;
    }
    for (const c of p.definition ?? []) visit(c);
  };
  visit({ type: "NonTerminal", name: "program" } as Gast);
  return [...kept.values()].filter((r) => reachable.has(r.name!));
}

function terminal(p: Gast): string {
  const tt = p.name!;
  if (tt === "Identifier") return "IDENTIFIER";
  if (tt === "IdentifierName") return "IDENTIFIER_NAME";
  if (tt === "IntLiteral") return "INT_LITERAL";
  if (tt === "StringLiteral") return "STRING_LITERAL";
  const label = p.label;
  if (label && label.startsWith("'")) return JSON.stringify(label.slice(1, -1));
  return tt;
}

function seq(items: Gast[]): string {
  return items.map((i) => expr(i, items.length > 1)).join(" ");
}

function expr(p: Gast, nested: boolean): string {
  switch (p.type) {
    case "Terminal":
      return terminal(p);
    case "NonTerminal":
      return p.name!;
    case "Alternation": {
      const defs = p.definition!;
      if (defs.length === 1 && defs[0]!.definition!.length === 1)
        return expr(defs[0]!.definition![0]!, nested);
      const alts = defs.map((a) =>
        a.definition!.length === 0 ? "/* empty */" : seq(a.definition!),
      );
      const body = alts.join(" | ");
      return nested || alts.length > 1 ? `( ${body} )` : body;
    }
    case "Option":
      return `[ ${seq(p.definition!)} ]`;
    case "Repetition":
      return `{ ${seq(p.definition!)} }`;
    case "RepetitionMandatory":
      return `${seq(p.definition!)} { ${seq(p.definition!)} }`;
    default:
      return seq(p.definition ?? []);
  }
}

/** Notes for rules whose meaning the productions alone do not show. */
const notes: Record<string, string> = {
  semi: "Empty only before '}', at the end of input, or before a token on a new line (TypeScript's\n   automatic semicolon insertion).",
  binaryExpr:
    "Precedence, loosest first: || ; && ; | ; ^ ; & ; == != === !== ; < <= > >= ; << >> >>> ; + - ; * / %.\n   All left-associative. '>>', '>>>', '>>=' and '>>>=' are written without spaces between the '>'s.",
  declareDecl: "Only 'declare const NAME: type;' is accepted (checked after parsing).",
  statement:
    "At top level only varStatement, enumDecl, interfaceDecl, functionDecl and declareDecl;\n   inside functions every form except enumDecl, interfaceDecl, declareDecl and functionDecl\n   (a closure).",
  interfaceMember: "The separator may be left out before '}' or a line break.",
  type: "Only a single type, or 'T | null' (either order), is accepted.",
  typeRef: "A qualified name (a.b) is rejected after parsing.",
  parenExpr: "Empty parentheses are rejected after parsing.",
  callMemberExpr: "No line break before a postfix '++'/'--'.",
  returnStmt: "No line break between 'return' and its expression.",
};

export function toEbnf(rules: Gast[]): string {
  const out = [
    "(* The ioubpf program language (language.md), generated from src/parser/parser.ts by",
    "   scripts/gen-grammar.ts; do not edit. Error productions that exist only to reject",
    "   TypeScript constructs outside the language with a specific message are omitted.",
    "   Terminals: quoted text is literal; IDENTIFIER includes contextual keywords (type, from,",
    "   as, …); IDENTIFIER_NAME is any identifier or keyword. *)",
    "",
  ];
  for (const r of rules) {
    if (notes[r.name!]) out.push(`(* ${notes[r.name!]} *)`);
    const def = r.definition!;
    if (def.length === 1 && def[0]!.type === "Alternation" && def[0]!.definition!.length > 1) {
      const alts = def[0]!.definition!.map((a) =>
        a.definition!.length === 0 ? "/* empty */" : seq(a.definition!),
      );
      out.push(`${r.name} ::=\n    ${alts.join("\n  | ")}`);
    } else {
      out.push(`${r.name} ::= ${seq(def)}`);
    }
    out.push("");
  }
  return out.join("\n");
}

export function generateGrammar(): { ebnf: string; html: string } {
  const rules = languageGrammar();
  return { ebnf: toEbnf(rules), html: createSyntaxDiagramsCode(rules) };
}

export const grammarDir = join(fileURLToPath(new URL(".", import.meta.url)), "..", "grammar");

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { ebnf, html } = generateGrammar();
  writeFileSync(join(grammarDir, "ioubpf.ebnf"), ebnf);
  writeFileSync(join(grammarDir, "diagrams.html"), html);
  console.log(`wrote ${join(grammarDir, "ioubpf.ebnf")} and diagrams.html`);
}
