// What a command needs from its surroundings, so tests can run the CLI in-process, and the
// rules every command shares: how inputs are read (text vs binary), how outputs are written
// (src/util/fs.ts, `-` for stdout), how usage errors and diagnostics are printed (one format,
// `--json` always JSON), and how much is printed at most (docs/limits.md).
import { readFileSync, statSync } from "node:fs";
import {
  type Diagnostic,
  DiagnosticsError,
  formatDiagnostics,
  SourceFile,
} from "../src/diagnostics/index.js";
import { CliCodes } from "../src/diagnostics/codes.js";
import { type OutputFile, OutputError, writeOutputs } from "../src/util/fs.js";

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Colour is used only when the caller says its stderr is a terminal. */
  color: boolean;
  /** Raw bytes on stdout (`-o -` for an object); absent: written as latin1 text. */
  stdoutBytes?: (bytes: Uint8Array) => void;
  /** Whether stdout is a terminal (binary output there is refused). */
  stdoutIsTTY?: boolean;
}

export const processIO: CliIO = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  stdoutBytes: (b) => process.stdout.write(b),
  stdoutIsTTY: Boolean(process.stdout.isTTY),
  color: Boolean(process.stderr.isTTY) && !process.env.NO_COLOR,
};

/** Exit codes of every command (overview.md). */
export const Exit = { ok: 0, badInput: 1, usage: 2, internal: 3 } as const;

/** Limits on input and printed output (docs/limits.md). */
export const Limits = {
  /** Largest text input (source, assembly, scenario). */
  maxTextInput: 16 * 1024 * 1024,
  /** Largest binary input (an object). */
  maxBinaryInput: 64 * 1024 * 1024,
  /** Diagnostics with one code and message printed before the rest are counted. */
  sameDiagnostic: 20,
  /** Diagnostics printed at most per run. */
  maxDiagnostics: 500,
} as const;

/** Source files read during this run, for code frames. */
export class SourceCache {
  private readonly files = new Map<string, SourceFile>();
  add(file: SourceFile): SourceFile {
    this.files.set(file.path, file);
    return file;
  }
  get(path: string): SourceFile | undefined {
    return this.files.get(path);
  }
}

/** Which commands read an ELF object, for the message when one is given as text. */
const OBJECT_READERS = "`ioubpf disasm`, `ioubpf verify` and `ioubpf run`";

/**
 * Reads a text input file, or returns one diagnostic saying why it cannot: missing,
 * unreadable, too large, or not text (an ELF object, NUL bytes, invalid UTF-8).
 */
export function readTextInput(path: string, what = "source text"): SourceFile | Diagnostic {
  let bytes: Buffer;
  try {
    const st = statSync(path);
    if (st.isDirectory())
      return {
        code: CliCodes.fileUnreadable,
        severity: "error",
        message: `${showPath(path)} is a directory, not a file`,
        file: path,
      };
    if (st.isFile() && st.size > Limits.maxTextInput)
      return tooLarge(path, st.size, Limits.maxTextInput);
    bytes = readFileSync(path);
  } catch (e) {
    return fileError(path, e);
  }
  if (bytes.length > Limits.maxTextInput) return tooLarge(path, bytes.length, Limits.maxTextInput);
  const notText = (message: string, hint?: string): Diagnostic => ({
    code: CliCodes.binaryInput,
    severity: "error",
    message: `${showPath(path)} ${message}, not ${what}`,
    file: path,
    ...(hint ? { hint } : {}),
  });
  if (
    bytes.length >= 4 &&
    bytes[0] === 0x7f &&
    bytes[1] === 0x45 &&
    bytes[2] === 0x4c &&
    bytes[3] === 0x46
  )
    return notText("is an ELF object", `${OBJECT_READERS} read objects`);
  const nul = bytes.indexOf(0);
  if (nul >= 0) return notText(`is a binary file (a NUL byte at offset ${nul})`);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return notText(`is not UTF-8 (invalid byte sequence at offset ${firstBadUtf8(bytes)})`);
  }
  return new SourceFile(path, text);
}

export function readBinaryInput(path: string): Uint8Array | Diagnostic {
  try {
    const st = statSync(path);
    if (st.isDirectory())
      return {
        code: CliCodes.fileUnreadable,
        severity: "error",
        message: `${showPath(path)} is a directory, not a file`,
        file: path,
      };
    if (st.isFile() && st.size > Limits.maxBinaryInput)
      return tooLarge(path, st.size, Limits.maxBinaryInput);
    const b = new Uint8Array(readFileSync(path));
    if (b.length > Limits.maxBinaryInput) return tooLarge(path, b.length, Limits.maxBinaryInput);
    return b;
  } catch (e) {
    return fileError(path, e);
  }
}

function tooLarge(path: string, size: number, limit: number): Diagnostic {
  return {
    code: CliCodes.inputTooLarge,
    severity: "error",
    message: `${showPath(path)} is ${size} bytes; the limit is ${limit} (docs/limits.md)`,
    file: path,
  };
}

function firstBadUtf8(b: Uint8Array): number {
  // The decoder does not say where; find the first invalid sequence by hand.
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    const n =
      c < 0x80
        ? 0
        : c >= 0xc2 && c < 0xe0
          ? 1
          : c >= 0xe0 && c < 0xf0
            ? 2
            : c >= 0xf0 && c < 0xf5
              ? 3
              : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) if (((b[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return i;
}

function fileError(path: string, e: unknown): Diagnostic {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT")
    return {
      code: CliCodes.fileNotFound,
      severity: "error",
      message: `no such file: ${showPath(path)}`,
      file: path,
    };
  return {
    code: CliCodes.fileUnreadable,
    severity: "error",
    message: `cannot read ${showPath(path)}: ${(e as Error).message.replace(/, \w+ '[^']*'$/, "")}`,
    file: path,
  };
}

export function isDiagnostic(x: unknown): x is Diagnostic {
  return typeof x === "object" && x !== null && "code" in x && "severity" in x && "message" in x;
}

// --- outputs -----------------------------------------------------------------------------

/**
 * Writes a command's outputs as one unit; `-` is stdout. Returns the diagnostic of a failure
 * (naming the user's path) or undefined. Binary data is refused on a terminal.
 */
export function writeCommandOutputs(
  io: CliIO,
  outputs: readonly OutputFile[],
): Diagnostic | undefined {
  const files = outputs.filter((o) => o.path !== "-");
  const toStdout = outputs.filter((o) => o.path === "-");
  for (const o of toStdout)
    if (typeof o.data !== "string" && io.stdoutIsTTY)
      return {
        code: CliCodes.stdoutIsTerminal,
        severity: "error",
        message: "refusing to write a binary object to a terminal",
        hint: "redirect stdout (`-o - > x.o`, `| …`) or name a file with -o",
      };
  try {
    writeOutputs(files);
  } catch (e) {
    if (!(e instanceof OutputError)) throw e;
    return {
      code: CliCodes.fileUnwritable,
      severity: "error",
      message: `cannot write ${showPath(e.path)}: ${e.message.slice(`cannot write ${e.path}: `.length)}`,
      file: e.path,
    };
  }
  for (const o of toStdout) {
    if (typeof o.data === "string") io.stdout(o.data);
    else if (io.stdoutBytes) io.stdoutBytes(o.data);
    else io.stdout(Buffer.from(o.data).toString("latin1"));
  }
  return undefined;
}

/** A usage error (exit 2): one diagnostic, E9004, printed like every other diagnostic. */
export function usageError(io: CliIO, message: string, json?: boolean, hint?: string): number {
  report(
    io,
    [{ code: CliCodes.badOption, severity: "error", message, ...(hint ? { hint } : {}) }],
    {
      json: Boolean(json),
    },
  );
  return Exit.usage;
}

// --- printing ----------------------------------------------------------------------------

/**
 * Control characters (and bidirectional overrides) from inputs are never printed raw:
 * `\xNN` / `\u{…}` escapes in messages; one visible character of the same width in code
 * frames, so columns and carets stay right.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export function escapeControls(s: string): string {
  return s.replace(CONTROL, (c) => {
    const n = c.charCodeAt(0);
    return n < 0x100 ? `\\x${n.toString(16).padStart(2, "0")}` : `\\u{${n.toString(16)}}`;
  });
}

/** A path as printed: control characters escaped. */
export function showPath(p: string): string {
  return escapeControls(p);
}

function visibleControls(s: string): string {
  // U+2400.. are the "control pictures" (␀, ␁, …); others become U+FFFD.
  return s.replace(/[\t]/g, " ").replace(CONTROL, (c) => {
    const n = c.charCodeAt(0);
    return n < 0x20 ? String.fromCharCode(0x2400 + n) : n === 0x7f ? "\u2421" : "\ufffd";
  });
}

function sanitize(d: Diagnostic): Diagnostic {
  const out: Diagnostic = { ...d, message: escapeControls(d.message) };
  if (d.hint) out.hint = escapeControls(d.hint);
  if (d.file) out.file = escapeControls(d.file);
  if (d.range) out.range = { ...d.range, file: escapeControls(d.range.file) };
  if (d.related)
    out.related = d.related.map((r) => ({
      message: escapeControls(r.message),
      range: { ...r.range, file: escapeControls(r.range.file) },
    }));
  return out;
}

/**
 * At most `Limits.sameDiagnostic` diagnostics with one code and message, and at most
 * `Limits.maxDiagnostics` in all; what is cut is counted in a closing note.
 */
export function boundDiagnostics(ds: readonly Diagnostic[]): {
  shown: Diagnostic[];
  omitted: number;
} {
  const seen = new Map<string, number>();
  const shown: Diagnostic[] = [];
  let omitted = 0;
  const dropped = new Map<string, { d: Diagnostic; n: number }>();
  for (const d of ds) {
    // One shape: numbers (indices, offsets) do not make diagnostics different
    // (`submit[12].bogus: unknown key` and `submit[13].bogus: …` are one problem).
    const key = `${d.severity}\0${d.code}\0${d.message.replace(/\d+/g, "N")}`;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    if (n > Limits.sameDiagnostic || shown.length >= Limits.maxDiagnostics) {
      omitted++;
      const k = n > Limits.sameDiagnostic ? key : "";
      const e = dropped.get(k) ?? { d, n: 0 };
      e.n++;
      dropped.set(k, e);
      continue;
    }
    shown.push(d);
  }
  for (const [k, { d, n }] of dropped)
    shown.push({
      code: d.code,
      severity: "note",
      message:
        k === ""
          ? `${n} more diagnostic${n === 1 ? "" : "s"} not shown (at most ${Limits.maxDiagnostics} are printed)`
          : `${n} more like "${d.code}: ${d.message.length > 100 ? d.message.slice(0, 100) + "…" : d.message}" not shown`,
      ...(d.file ? { file: d.file } : d.range ? { file: d.range.file } : {}),
    });
  return { shown, omitted };
}

/**
 * Prints diagnostics (text on stderr, or JSON on stdout with --json) and returns the exit
 * code they imply.
 */
export function report(
  io: CliIO,
  diagnostics: readonly Diagnostic[],
  options: { json?: boolean; sources?: SourceCache; extra?: Record<string, unknown> } = {},
): number {
  const failed = diagnostics.some((d) => d.severity === "error");
  const { shown, omitted } = boundDiagnostics(diagnostics);
  if (options.json) {
    io.stdout(
      JSON.stringify(
        {
          ok: !failed,
          ...options.extra,
          diagnostics: shown,
          errorCount: diagnostics.filter((d) => d.severity === "error").length,
          warningCount: diagnostics.filter((d) => d.severity === "warning").length,
          ...(omitted ? { omittedDiagnostics: omitted } : {}),
        },
        null,
        2,
      ) + "\n",
    );
  } else if (diagnostics.length > 0) {
    const safe = new Map<string, SourceFile | undefined>();
    let text = formatDiagnostics(shown.map(sanitize), {
      color: io.color,
      sources: (f) => {
        if (!safe.has(f)) {
          const s = options.sources?.get(f);
          safe.set(
            f,
            s && CONTROL.test(s.text) ? new SourceFile(s.path, visibleControls(s.text)) : s,
          );
          CONTROL.lastIndex = 0;
        }
        return safe.get(f);
      },
    });
    if (omitted) {
      // The summary counts every diagnostic, not only the printed ones.
      const errors = diagnostics.filter((d) => d.severity === "error").length;
      const warnings = diagnostics.filter((d) => d.severity === "warning").length;
      const s = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;
      text = text.replace(
        /[^\n]*generated\.\n$/,
        [errors ? s(errors, "error") : "", warnings ? s(warnings, "warning") : ""]
          .filter(Boolean)
          .join(" and ") + " generated.\n",
      );
    }
    io.stderr(text);
  }
  return failed ? Exit.badInput : Exit.ok;
}

export { DiagnosticsError };

/** Text for stdout built from an input's names: control characters other than \n, \t escaped. */
export function escapeListing(text: string): string {
  return text.replace(CONTROL, (c) => escapeControls(c));
}

/** Printed-output caps for data that grows with the input (docs/limits.md). */
export const OutputLimits = {
  /**
   * Characters of a kernel verifier log printed, as text or in `--json` (its first quarter and
   * its last three quarters, where the error is, are kept).
   */
  kernelLog: 64 * 1024,
} as const;

/** A long log cut in the middle (its start and its end, where the error is, are kept). */
export function capLog(
  log: string,
  max: number = OutputLimits.kernelLog,
): { text: string; cut: number } {
  if (log.length <= max) return { text: log, cut: 0 };
  const head = Math.floor(max / 4);
  const tail = max - head;
  const cut = log.length - head - tail;
  return {
    text: `${log.slice(0, head)}\n[… ${cut} characters of the log cut (docs/limits.md) …]\n${log.slice(log.length - tail)}`,
    cut,
  };
}
