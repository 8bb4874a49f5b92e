// Shared helpers for the parser tests.
import { SourceFile, type Diagnostic, type SourceRange } from "../../src/diagnostics/index.js";
import { parse, type ParseResult } from "../../src/parser/index.js";

export function parseText(
  text: string,
  file = "test.bpf.ts",
): ParseResult & { source: SourceFile } {
  const source = new SourceFile(file, text);
  return { ...parse(source), source };
}

export const rangeText = (r: SourceRange): string =>
  `${r.start.line}:${r.start.col}-${r.end.line}:${r.end.col}`;

/** The AST as stable JSON: ranges as "line:col-line:col", bigints as strings. */
export function astJson(value: unknown): string {
  return JSON.stringify(
    value,
    (key, v: unknown) => {
      if (typeof v === "bigint") return `${v}n`;
      if ((key === "range" || key === "sourceRange") && v && typeof v === "object")
        return rangeText(v as SourceRange);
      return v;
    },
    1,
  );
}

export const errorsOf = (ds: Diagnostic[]): Diagnostic[] =>
  ds.filter((d) => d.severity === "error");

/** Wraps statements in a function so statement-level constructs can be tested alone. */
export const inFunction = (body: string): string => `function f(): void {\n${body}\n}\n`;
