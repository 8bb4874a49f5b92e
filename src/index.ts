// The library entry point: `import { … } from "ioubpf"`. Each phase re-exports its public API here.
export * from "./diagnostics/index.js";
export {
  parse,
  ParserMessages,
  forEachChild,
  astDepth,
  MAX_AST_DEPTH,
  MAX_BRACKET_DEPTH,
  type ParseOptions,
  type ParseResult,
} from "./parser/index.js";
export type * as Ast from "./parser/ast.js";
export * from "./isa/index.js";
export { disassemble, objdumpText, type DisassembleOptions } from "./disasm/objdump.js";
export * from "./elf/index.js";
export * from "./asm/index.js";
export * from "./kernel/index.js";
export * from "./vm/index.js";
export {
  findGoldenSources,
  runGolden,
  goldenReport,
  unifiedDiff,
  type GoldenCheck,
  type GoldenKind,
  type GoldenOptions,
  type GoldenResult,
} from "./golden/index.js";
export {
  check,
  checkSource,
  codegenSupport,
  CheckCodes,
  type CheckOptions,
  type CheckResult,
  type CheckedProgram,
} from "./check/index.js";
export { CodegenCodes, type CompiledProgram } from "./codegen/index.js";
// The library compile verifies by default and reports globals (src/compile.ts, docs/api.md).
export {
  compile,
  objectGlobals,
  type LibraryCompileOptions as CompileOptions,
  type LibraryCompileResult as CompileResult,
  type CompiledGlobal,
  type CompileSources,
  type SourceInput,
} from "./compile.js";
export {
  getTarget,
  findTarget,
  TARGET_NAMES,
  DEFAULT_TARGET,
  type TargetInfo,
  type TargetName,
  type Mcpu,
} from "./targets/targets.js";
export {
  verifyObject,
  verifyCompiled,
  describeDecision,
  VerifierCodes,
  type VerifyOptions,
  type VerifyResult,
  type ProgramStats,
  type Rejection,
} from "./verifier/index.js";
