// Public API of the checker: `check(program, options)` and `checkSource(source, options)`.
// Never throws on bad input; an unexpected exception inside the checker is a bug and is
// rethrown (the CLI turns it into exit code 3).

import {
  compareDiagnostics,
  DiagnosticBag,
  type Diagnostic,
  type SourceFile,
} from "../diagnostics/index.js";
import type { Program } from "../parser/ast.js";
import { parse } from "../parser/index.js";
import {
  type Mcpu,
  type TargetInfo,
  type TargetName,
  DEFAULT_TARGET,
  MCPU_NAMES,
  TARGET_NAMES,
  findTarget,
  isMcpu,
  mcpuLevel,
} from "../targets/targets.js";
import { Checker } from "./checker.js";
import { CheckCodes } from "./codes.js";
import type { CheckedProgram } from "./symbols.js";

export { CheckCodes, type CheckCode } from "./codes.js";
export * from "./symbols.js";
export * from "./types.js";
export { traceSpecs, programNameFromFile } from "./checker.js";

export interface CheckOptions {
  /** Target name (default linux-7.1) or its table. */
  target?: TargetName | string | TargetInfo;
  /** Cpu version (default: the target's default). */
  mcpu?: Mcpu | string;
  /** File name for diagnostics without a range (defaults to the program's file). */
  file?: string;
  /** Most errors reported (default 100). */
  errorLimit?: number;
  /** Source text, used to quote expressions in hints. */
  text?: string;
}

export interface CheckResult {
  /** Present only when no error was reported. */
  checked?: CheckedProgram;
  diagnostics: Diagnostic[];
}

/** Resolves target and mcpu options, reporting bad names (E3001, E3004). */
export function resolveTargetOptions(
  options: Pick<CheckOptions, "target" | "mcpu" | "file">,
  bag: DiagnosticBag,
): { target: TargetInfo; mcpu: Mcpu } | undefined {
  const file = options.file;
  let target: TargetInfo | undefined;
  if (options.target === undefined) target = findTarget(DEFAULT_TARGET);
  else if (typeof options.target === "string") {
    target = findTarget(options.target);
    if (!target) {
      bag.add({
        code: CheckCodes.unknownTarget,
        severity: "error",
        message: `unknown target '${options.target}'`,
        hint: `targets: ${TARGET_NAMES.join(", ")}`,
        ...(file ? { file } : {}),
      });
      return undefined;
    }
  } else target = options.target;
  if (!target) return undefined;
  let mcpu: Mcpu = target.defaultMcpu;
  if (options.mcpu !== undefined) {
    if (!isMcpu(options.mcpu)) {
      bag.add({
        code: CheckCodes.badMcpu,
        severity: "error",
        message: `unknown cpu version '${options.mcpu}'`,
        hint: `use one of ${MCPU_NAMES.join(", ")}`,
        ...(file ? { file } : {}),
      });
      return undefined;
    }
    mcpu = options.mcpu;
  }
  if (mcpuLevel(mcpu) > mcpuLevel(target.maxMcpu)) {
    bag.add({
      code: CheckCodes.mcpuBeyondTarget,
      severity: "warning",
      message: `--mcpu ${mcpu} is beyond what ${target.name} kernels (${target.kernelBase}) accept: they support cpu up to ${target.maxMcpu}`,
      hint: `use --mcpu ${target.maxMcpu} to load on those kernels`,
      ...(file ? { file } : {}),
    });
  }
  return { target, mcpu };
}

export function check(program: Program, options: CheckOptions = {}): CheckResult {
  const bag = new DiagnosticBag(options.errorLimit ?? 100);
  const resolved = resolveTargetOptions({ ...options, file: options.file ?? program.file }, bag);
  if (!resolved) return { diagnostics: bag.items };
  const checker = new Checker(program, bag, {
    ...resolved,
    ...(options.text !== undefined ? { text: options.text } : {}),
  });
  const checked = checker.run();
  if (bag.dropped > 0) {
    bag.items.push({
      code: CheckCodes.tooManyErrors,
      severity: "error",
      message: `too many errors; ${bag.dropped} more not shown`,
      file: options.file ?? program.file,
    });
  }
  const diagnostics = [...bag.items].sort(compareDiagnostics);
  return bag.hasErrors ? { diagnostics } : { checked, diagnostics };
}

/** Parses and checks one source file. */
export function checkSource(source: SourceFile, options: CheckOptions = {}): CheckResult {
  const parsed = parse(
    source,
    options.errorLimit !== undefined ? { errorLimit: options.errorLimit } : {},
  );
  if (!parsed.program) return { diagnostics: parsed.diagnostics };
  const r = check(parsed.program, { ...options, text: source.text });
  return { ...r, diagnostics: [...parsed.diagnostics, ...r.diagnostics] };
}

/**
 * For code generation: the diagnostic when the target has no code generator yet (E3002).
 * Checking alone works for every target.
 */
export function codegenSupport(target: TargetInfo, file?: string): Diagnostic | undefined {
  if (target.codegenSupported) return undefined;
  return {
    code: CheckCodes.codegenUnsupported,
    severity: "error",
    message: `${target.name} is not yet supported by code generation (checking works)`,
    hint: "use --target iouring-v2, or run `ioubpf check` to check the program for this target",
    ...(file ? { file } : {}),
  };
}
