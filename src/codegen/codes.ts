// Diagnostic codes of code generation (block E7000–E7999, diagnostics/codes.ts).
export const CodegenCodes = {
  /** The target has no code generator (linux-7.1 for now). */
  targetUnsupported: "E7001",
  /** The stack frame would exceed the verifier's 512 bytes. */
  stackTooLarge: "E7002",
  /** A construct the code generator does not lower yet. */
  unsupported: "E7003",
  /** A branch distance does not fit the 16-bit offset. */
  branchTooFar: "E7004",
  /** Two programs of one object have the same name. */
  duplicateProgram: "E7005",
  /** No input files. */
  noInput: "E7006",
  /** A program has no entry point to generate. */
  noEntry: "E7007",
} as const;
export type CodegenCode = (typeof CodegenCodes)[keyof typeof CodegenCodes];
