// The library's `compile()`: code generation followed by our bytecode verifier, as
// `ioubpf compile` does (docs/api.md). It never throws on bad input: a plain string is
// accepted as one source, anything else that is not a source is a typed diagnostic.
import {
  compile as generate,
  type CompileOptions as CodegenOptions,
  type CompileResult as CodegenResult,
} from "./codegen/index.js";
import { CliCodes } from "./diagnostics/codes.js";
import { type Diagnostic, SourceFile, compareDiagnostics } from "./diagnostics/index.js";
import { BTF_VAR_LINKAGE, decodeBtf, type BtfType } from "./elf/btf.js";
import type { ObjFile } from "./elf/types.js";
import { DEFAULT_TARGET } from "./targets/targets.js";
import { verifyObject } from "./verifier/index.js";

/** One program source: a path (names the program and its line info) and its text. */
export type SourceInput = SourceFile | { path: string; text: string };

/** What `compile()` accepts as sources: one source, several, or a plain string. */
export type CompileSources = SourceInput | readonly SourceInput[] | string;

/** Code generation's `CompileOptions` (src/codegen/index.ts) plus the members below. */
export interface LibraryCompileOptions extends CodegenOptions {
  /**
   * Run our bytecode verifier on the object (default true, as `ioubpf compile` does). A
   * rejection is an error at the source line and there is no `bytes`.
   */
  verify?: boolean;
  /** The path a plain string source is given (default `input.bpf.ts`: program `input`). */
  stringPath?: string;
  /** Report `globals` (default true; the CLI, which does not print them, skips the work). */
  globals?: boolean;
}

/** A global the loader sets or reads: where it lives in the object. */
export interface CompiledGlobal {
  /** The symbol name (`<program>_<name>` when two programs of one object share a name). */
  name: string;
  /** `.rodata` for `declare const` (set before load), `.data`/`.bss` for top-level `let`. */
  section: ".rodata" | ".data" | ".bss";
  /** Byte offset in its section. */
  offset: number;
  size: number;
  /** Its BTF type written as C would (`u32`, `u8[16]`, `struct x`). */
  type: string;
}

/**
 * Code generation's `CompileResult` (`object`, `bytes`, `asm`, `programs`, `diagnostics`) plus
 * `globals`. `bytes` is absent when any diagnostic is an error (verifier rejections included).
 */
export interface LibraryCompileResult extends CodegenResult {
  /** The loader-visible globals (`declare const` and top-level `let`). */
  globals?: CompiledGlobal[];
}

export const DEFAULT_STRING_PATH = "input.bpf.ts";

/** Compiles, then verifies (unless `verify: false`). Never throws on bad input. */
export function compile(
  sources: CompileSources,
  options: LibraryCompileOptions = {},
): LibraryCompileResult {
  const bad = badInput(sources, options);
  if (bad) return { diagnostics: [bad] };
  const inputs: SourceInput | readonly SourceInput[] =
    typeof sources === "string"
      ? { path: options.stringPath ?? DEFAULT_STRING_PATH, text: sources }
      : sources;
  const { verify, stringPath: _unused, globals, ...codegenOptions } = options;
  void _unused;
  const result: LibraryCompileResult = generate(inputs, codegenOptions);
  if (!result.object || result.diagnostics.some((d) => d.severity === "error")) return result;
  if (verify !== false) {
    const target = options.target ?? DEFAULT_TARGET;
    const list = Array.isArray(inputs) ? inputs : [inputs as SourceInput];
    const texts = new Map(list.map((s) => [s.path, s.text]));
    const v = verifyObject(result.object, {
      target,
      // `declare const` values are set by the loader later: no path they enable is dead.
      rodataUnknown: true,
      file: list[0]!.path,
      readSource: (path) => texts.get(path),
    });
    if (v.diagnostics.length > 0) {
      result.diagnostics = [...result.diagnostics, ...v.diagnostics].sort(compareDiagnostics);
      if (v.diagnostics.some((d) => d.severity === "error")) {
        delete result.bytes;
        delete result.asm;
        return result;
      }
    }
  }
  if (globals !== false) result.globals = objectGlobals(result.object);
  return result;
}

function badInput(sources: unknown, options: unknown): Diagnostic | undefined {
  const bad = (message: string): Diagnostic => ({
    code: CliCodes.badOption,
    severity: "error",
    message,
  });
  if (options === null || typeof options !== "object")
    return bad("compile options must be an object");
  const isSource = (s: unknown): boolean =>
    s instanceof SourceFile ||
    (typeof s === "object" &&
      s !== null &&
      typeof (s as { path?: unknown }).path === "string" &&
      typeof (s as { text?: unknown }).text === "string");
  if (typeof sources === "string") return undefined;
  if (Array.isArray(sources)) {
    const i = sources.findIndex((s) => !isSource(s));
    return i < 0 ? undefined : bad(`source ${i} is not a string or { path, text }`);
  }
  return isSource(sources) ? undefined : bad("sources must be a string, { path, text } or a list");
}

/** The data-section globals of an object with their BTF types, from its DATASECs. */
export function objectGlobals(obj: ObjFile): CompiledGlobal[] {
  const btf = obj.sections.find((s) => s.name === ".BTF");
  if (!btf) return [];
  const decoded = decodeBtf(btf.data);
  const out: CompiledGlobal[] = [];
  for (const t of decoded.types) {
    if (t.kind !== "datasec") continue;
    if (t.name !== ".rodata" && t.name !== ".data" && t.name !== ".bss") continue;
    for (const v of t.vars) {
      // Static vars are the compiler's own (trace format strings); `__started` is plumbing.
      if (v.type.kind !== "var" || v.type.linkage !== BTF_VAR_LINKAGE.global) continue;
      if (v.type.name.endsWith("__started")) continue;
      out.push({
        name: v.type.name,
        section: t.name,
        offset: v.offset,
        size: v.size,
        type: typeName(v.type.type),
      });
    }
  }
  // Plain comparison: localeCompare would initialise ICU's collator (~15 ms at start-up).
  return out.sort((a, b) =>
    a.section < b.section ? -1 : a.section > b.section ? 1 : a.offset - b.offset,
  );
}

function typeName(t: BtfType): string {
  switch (t.kind) {
    case "array":
      return `${typeName(t.type)}[${t.nelems}]`;
    case "struct":
    case "union":
    case "enum":
      return `${t.kind} ${t.name}`;
    case "const":
    case "volatile":
      return typeName(t.type);
    case "ptr":
      return `${typeName(t.target)} *`;
    case "void":
      return "void";
    default:
      return "name" in t ? String(t.name) : t.kind;
  }
}
