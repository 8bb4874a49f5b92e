// `npm run gen:api`: writes docs/api.md from the TypeScript declarations of the library's
// compile() and the plugins' options (their doc comments included), so the page cannot drift
// from the types. test/plugin/library.test.ts checks that the page is up to date.
import ts from "typescript";
import * as prettier from "prettier";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));

/** The declarations documented, in page order: file → names. */
const PAGES: [string, string[]][] = [
  [
    "src/compile.ts",
    [
      "compile",
      "CompileSources",
      "SourceInput",
      "LibraryCompileOptions",
      "LibraryCompileResult",
      "CompiledGlobal",
    ],
  ],
  ["src/codegen/index.ts", ["CompileOptions", "CompiledProgram", "CompileResult"]],
  ["src/diagnostics/index.ts", ["Diagnostic", "SourceRange", "Position"]],
  ["src/plugin/core.ts", ["IoubpfPluginOptions", "BpfModule"]],
];

function docOf(node: ts.Node, sf: ts.SourceFile): string {
  const ranges = ts.getLeadingCommentRanges(sf.text, node.getFullStart()) ?? [];
  const doc = ranges
    .map((r) => sf.text.slice(r.pos, r.end))
    .filter((c) => c.startsWith("/**"))
    .pop();
  if (!doc) return "";
  return doc
    .replace(/^\/\*\*|\*\/$/g, "")
    .split("\n")
    .map((l) => l.replace(/^\s*\* ?/, "").trim())
    .join(" ")
    .replace(/\s+/g, " ")
    .trim();
}

/** The page, formatted as `npm run format` would leave it. */
export async function apiMarkdown(): Promise<string> {
  const out: string[] = [
    "# Library API: compile() and the plugin options",
    "",
    "Generated from the TypeScript declarations by `npm run gen:api` (scripts/gen-api.ts); do not",
    'edit by hand. `import { compile } from "ioubpf"`; the plugins are `ioubpf/vite`, `ioubpf/rollup`,',
    "`ioubpf/esbuild`, `ioubpf/webpack` and `ioubpf/rspack` (docs/plugins.md).",
    "",
    "`ioubpf`'s `CompileOptions` and `CompileResult` are `LibraryCompileOptions` and",
    "`LibraryCompileResult` below (code generation's options and result, plus verification and globals).",
    "",
  ];
  for (const [file, names] of PAGES) {
    const text = readFileSync(join(root, file), "utf8");
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
    for (const name of names) {
      const node = sf.statements.find(
        (s) =>
          (ts.isInterfaceDeclaration(s) ||
            ts.isTypeAliasDeclaration(s) ||
            ts.isFunctionDeclaration(s)) &&
          s.name?.text === name,
      );
      if (!node) throw new Error(`${file}: no declaration named ${name}`);
      out.push(`## \`${name}\` (${file})`, "");
      const doc = docOf(node, sf);
      if (doc) out.push(doc, "");
      if (ts.isInterfaceDeclaration(node)) {
        const heritage = node.heritageClauses?.map((h) => h.getText(sf)).join(" ");
        if (heritage) out.push(`\`${heritage}\``, "");
        out.push("| member | type | description |", "| --- | --- | --- |");
        for (const m of node.members) {
          if (!ts.isPropertySignature(m) || !m.name) continue;
          const type = (m.type?.getText(sf) ?? "").replace(/\s+/g, " ").replace(/\|/g, "\\|");
          out.push(
            `| \`${m.name.getText(sf)}${m.questionToken ? "?" : ""}\` | \`${type}\` | ${docOf(m, sf)} |`,
          );
        }
        out.push("");
      } else if (ts.isTypeAliasDeclaration(node)) {
        out.push("```ts", node.getText(sf).replace(/\s+/g, " "), "```", "");
      } else if (ts.isFunctionDeclaration(node)) {
        const sig = text
          .slice(node.getStart(sf), node.body!.getStart(sf))
          .replace(/\s+/g, " ")
          .trim();
        out.push("```ts", sig.replace(/\(\s+/, "(").replace(/,\s*\)/, ")"), "```", "");
      }
    }
  }
  const file = join(root, "docs", "api.md");
  const config = (await prettier.resolveConfig(file)) ?? {};
  return prettier.format(out.join("\n"), { ...config, filepath: file });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(join(root, "docs", "api.md"), await apiMarkdown());
  console.log("wrote docs/api.md");
}
