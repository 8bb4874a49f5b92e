// Diagnostic code blocks. Each phase defines its own codes, inside its block, in a
// `diagnostic-codes.ts` (or equivalent table) of its own folder; this file only fixes the
// blocks so that numbers never collide and a code's first digit names the phase.
//
//   E1000–E1999  language lexer and parser        (src/parser)
//   E2000–E2999  names, types, constants, layouts (src/check)
//   E3000–E3999  target context rules             (src/check, src/targets)
//   E4000–E4999  assembler                        (src/asm)
//   E5000–E5999  ELF / BTF reading and writing    (src/elf)
//   E6000–E6999  bytecode verifier                (src/verifier)
//   E7000–E7999  code generation                  (src/codegen)
//   E8000–E8999  VM, scenarios, golden runner     (src/vm)
//   E9000–E9999  command line, files, kernel oracle (cli, src/kernel)

export const CODE_BLOCKS = {
  parser: [1000, 1999],
  check: [2000, 2999],
  target: [3000, 3999],
  asm: [4000, 4999],
  elf: [5000, 5999],
  verifier: [6000, 6999],
  codegen: [7000, 7999],
  vm: [8000, 8999],
  cli: [9000, 9999],
} as const;

/** Command-line and file-system codes (block E9000). */
export const CliCodes = {
  fileNotFound: "E9001",
  fileUnreadable: "E9002",
  fileUnwritable: "E9003",
  badOption: "E9004",
  /** A text input that is an object, binary or not UTF-8. */
  binaryInput: "E9005",
  /** An input larger than docs/limits.md allows. */
  inputTooLarge: "E9006",
  /** `-o -` for binary output while stdout is a terminal. */
  stdoutIsTerminal: "E9007",
  /** An output that would overwrite an input or another output of the same run. */
  outputConflict: "E9008",
  kernelUnavailable: "E9010",
} as const;
