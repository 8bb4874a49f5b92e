// What a command needs from its surroundings, so tests can run the CLI in-process.
import { readFileSync } from "node:fs";
import {
  type Diagnostic,
  DiagnosticsError,
  diagnosticsToJson,
  formatDiagnostics,
  SourceFile,
} from "../src/diagnostics/index.js";
import { CliCodes } from "../src/diagnostics/codes.js";

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Colour is used only when the caller says its stderr is a terminal. */
  color: boolean;
}

export const processIO: CliIO = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  color: Boolean(process.stderr.isTTY) && !process.env.NO_COLOR,
};

/** Exit codes of every command (overview.md). */
export const Exit = { ok: 0, badInput: 1, usage: 2, internal: 3 } as const;

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

/** Reads a text input file, or returns a diagnostic saying why it cannot. */
export function readTextInput(path: string): SourceFile | Diagnostic {
  try {
    return new SourceFile(path, readFileSync(path, "utf8"));
  } catch (e) {
    return fileError(path, e);
  }
}

export function readBinaryInput(path: string): Uint8Array | Diagnostic {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    return fileError(path, e);
  }
}

function fileError(path: string, e: unknown): Diagnostic {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT")
    return {
      code: CliCodes.fileNotFound,
      severity: "error",
      message: `no such file: ${path}`,
      file: path,
    };
  return {
    code: CliCodes.fileUnreadable,
    severity: "error",
    message: `cannot read ${path}: ${(e as Error).message}`,
    file: path,
  };
}

export function isDiagnostic(x: unknown): x is Diagnostic {
  return typeof x === "object" && x !== null && "code" in x && "severity" in x && "message" in x;
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
  if (options.json) {
    io.stdout(
      JSON.stringify(
        { ok: !failed, ...options.extra, ...diagnosticsToJson(diagnostics) },
        null,
        2,
      ) + "\n",
    );
  } else if (diagnostics.length > 0) {
    io.stderr(
      formatDiagnostics(diagnostics, {
        color: io.color,
        sources: (f) => options.sources?.get(f),
      }),
    );
  }
  return failed ? Exit.badInput : Exit.ok;
}

export { DiagnosticsError };
