// Diagnostics shared by every phase and command: a code, a severity, a message, a source
// range, related ranges and a hint; rendered as a clang-style header plus a code frame, or
// as JSON data. Each phase owns a block of codes (see codes.ts) so numbers never collide.

export type Severity = "error" | "warning" | "note";

/** A point in a source file. `line` and `col` are 1-based; `offset` is a 0-based UTF-16 index. */
export interface Position {
  line: number;
  col: number;
  offset: number;
}

export interface SourceRange {
  file: string;
  start: Position;
  end: Position;
}

export interface RelatedInfo {
  message: string;
  range: SourceRange;
}

export interface Diagnostic {
  /** Stable code such as "E2004"; the number's block names the phase (codes.ts). */
  code: string;
  severity: Severity;
  message: string;
  /** Where the problem is. Absent for problems that belong to a whole file or to no file. */
  range?: SourceRange;
  /** The file, when there is no range (for example a malformed ELF file). */
  file?: string;
  related?: RelatedInfo[];
  /** What to do about it, when the compiler knows. */
  hint?: string;
}

/** A source text with a line table, so offsets convert to line/col and back. */
export class SourceFile {
  readonly lineStarts: number[];

  constructor(
    readonly path: string,
    readonly text: string,
  ) {
    const starts = [0];
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if (ch === 10) starts.push(i + 1);
      else if (ch === 13 && text.charCodeAt(i + 1) !== 10) starts.push(i + 1);
    }
    this.lineStarts = starts;
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  positionAt(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= clamped) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: clamped - this.lineStarts[lo]! + 1, offset: clamped };
  }

  /** Range from a start offset (inclusive) to an end offset (exclusive). */
  range(startOffset: number, endOffset: number = startOffset): SourceRange {
    return {
      file: this.path,
      start: this.positionAt(startOffset),
      end: this.positionAt(Math.max(startOffset, endOffset)),
    };
  }

  /** The text of a 1-based line without its line terminator. */
  lineText(line: number): string {
    if (line < 1 || line > this.lineStarts.length) return "";
    const start = this.lineStarts[line - 1]!;
    const end = line < this.lineStarts.length ? this.lineStarts[line]! : this.text.length;
    return this.text.slice(start, end).replace(/\r?\n$|\r$/, "");
  }
}

/** Collects diagnostics for one run, up to a limit, so one run reports every error. */
export class DiagnosticBag {
  readonly items: Diagnostic[] = [];
  /** Errors dropped because the limit was reached. */
  dropped = 0;

  constructor(readonly limit = 100) {}

  add(d: Diagnostic): void {
    if (d.severity === "error" && this.errorCount >= this.limit) {
      this.dropped++;
      return;
    }
    this.items.push(d);
  }

  addAll(ds: Iterable<Diagnostic>): void {
    for (const d of ds) this.add(d);
  }

  error(code: string, message: string, range?: SourceRange, extra: Partial<Diagnostic> = {}): void {
    this.add({ code, severity: "error", message, ...(range ? { range } : {}), ...extra });
  }

  warning(
    code: string,
    message: string,
    range?: SourceRange,
    extra: Partial<Diagnostic> = {},
  ): void {
    this.add({ code, severity: "warning", message, ...(range ? { range } : {}), ...extra });
  }

  get errorCount(): number {
    let n = 0;
    for (const d of this.items) if (d.severity === "error") n++;
    return n;
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === "error");
  }

  get full(): boolean {
    return this.errorCount >= this.limit;
  }
}

/** Thrown by a phase that cannot go on; carries the diagnostics gathered so far. */
export class DiagnosticsError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => `${d.code}: ${d.message}`).join("\n"));
    this.name = "DiagnosticsError";
  }
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  const fa = a.range?.file ?? a.file ?? "";
  const fb = b.range?.file ?? b.file ?? "";
  if (fa !== fb) return fa < fb ? -1 : 1;
  return (a.range?.start.offset ?? -1) - (b.range?.start.offset ?? -1);
}

export interface FormatOptions {
  /** ANSI colours; callers pass true only when writing to a terminal. */
  color?: boolean;
  /** Finds a file's text for the code frame. */
  sources?: (file: string) => SourceFile | string | undefined;
}

const ansi = {
  bold: (s: string) => `\x1b[1m${s}\x1b[22m`,
  red: (s: string) => `\x1b[31m${s}\x1b[39m`,
  yellow: (s: string) => `\x1b[33m${s}\x1b[39m`,
  cyan: (s: string) => `\x1b[36m${s}\x1b[39m`,
  green: (s: string) => `\x1b[32m${s}\x1b[39m`,
  dim: (s: string) => `\x1b[2m${s}\x1b[22m`,
};
const plain = Object.fromEntries(
  Object.keys(ansi).map((k) => [k, (s: string) => s]),
) as typeof ansi;

function locationText(d: { range?: SourceRange; file?: string }): string {
  if (d.range) return `${d.range.file}:${d.range.start.line}:${d.range.start.col}`;
  return d.file ?? "ioubpf";
}

function resolveSource(sources: FormatOptions["sources"], file: string): SourceFile | undefined {
  const s = sources?.(file);
  if (s === undefined) return undefined;
  return typeof s === "string" ? new SourceFile(file, s) : s;
}

/** Longest line shown in a frame; longer lines are cut around the range (a 1 MB line stays readable). */
const FRAME_WIDTH = 160;

/** The code frame for one range: the line(s) with carets under the range. */
export function codeFrame(source: SourceFile, range: SourceRange, color = false): string {
  const c = color ? ansi : plain;
  const first = range.start.line;
  const last = Math.min(range.end.line, first + 2);
  const gutter = String(last).length;
  const out: string[] = [];
  for (let line = first; line <= last; line++) {
    let text = source.lineText(line).replace(/\t/g, " ");
    const startCol = line === first ? range.start.col : 1;
    let endCol = line === range.end.line ? Math.max(range.end.col, startCol + 1) : text.length + 1;
    if (endCol <= startCol) endCol = startCol + 1;
    let shift = 0;
    if (text.length > FRAME_WIDTH) {
      shift = Math.max(0, Math.min(startCol - 1 - 40, text.length - FRAME_WIDTH));
      text = (shift > 0 ? "…" : "") + text.slice(shift, shift + FRAME_WIDTH) + "…";
      if (shift > 0) shift -= 1;
    }
    const caretStart = Math.max(0, startCol - 1 - shift);
    const caretLen = Math.max(1, Math.min(endCol - startCol, FRAME_WIDTH));
    out.push(`${c.dim(String(line).padStart(gutter))} | ${text}`);
    out.push(
      `${" ".repeat(gutter)} | ${" ".repeat(caretStart)}${c.green("^" + "~".repeat(caretLen - 1))}`,
    );
  }
  return out.join("\n");
}

export function formatDiagnostic(d: Diagnostic, options: FormatOptions = {}): string {
  const c = options.color ? ansi : plain;
  const sev =
    d.severity === "error"
      ? c.red("error")
      : d.severity === "warning"
        ? c.yellow("warning")
        : c.cyan("note");
  const lines = [`${c.bold(locationText(d))}: ${sev} ${c.bold(d.code)}: ${c.bold(d.message)}`];
  if (d.range) {
    const src = resolveSource(options.sources, d.range.file);
    if (src) lines.push(codeFrame(src, d.range, options.color));
  }
  for (const r of d.related ?? []) {
    lines.push(`${c.bold(locationText(r))}: ${c.cyan("note")}: ${r.message}`);
    const src = resolveSource(options.sources, r.range.file);
    if (src) lines.push(codeFrame(src, r.range, options.color));
  }
  if (d.hint) lines.push(`  ${c.cyan("hint")}: ${d.hint}`);
  return lines.join("\n");
}

export function formatDiagnostics(ds: readonly Diagnostic[], options: FormatOptions = {}): string {
  const parts = ds.map((d) => formatDiagnostic(d, options));
  const errors = ds.filter((d) => d.severity === "error").length;
  const warnings = ds.filter((d) => d.severity === "warning").length;
  if (errors + warnings > 0) {
    const s = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;
    parts.push(
      [errors ? s(errors, "error") : "", warnings ? s(warnings, "warning") : ""]
        .filter(Boolean)
        .join(" and ") + " generated.",
    );
  }
  return parts.join("\n") + "\n";
}

/** The same information as data, for `--json`. */
export function diagnosticsToJson(ds: readonly Diagnostic[]): {
  diagnostics: Diagnostic[];
  errorCount: number;
  warningCount: number;
} {
  return {
    diagnostics: ds.map((d) => ({ ...d })),
    errorCount: ds.filter((d) => d.severity === "error").length,
    warningCount: ds.filter((d) => d.severity === "warning").length,
  };
}
