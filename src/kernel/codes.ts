// Diagnostic codes of the kernel oracle (E9010–E9099 of the cli block, src/diagnostics/codes.ts).
import { CliCodes } from "../diagnostics/codes.js";

export const KernelCodes = {
  /** The oracle cannot run here (not Linux, no CAP_BPF, bpf() refused). */
  unavailable: CliCodes.kernelUnavailable, // E9010
  /** No program section to load, or the named program does not exist. */
  noProgram: "E9011",
  /** A relocation the oracle cannot apply (unknown symbol, bad offset, unsupported kind). */
  badRelocation: "E9012",
  /** The object needs something the oracle does not support yet (.maps, kfuncs, BTF). */
  unsupported: "E9013",
  /** A call or jump that leaves the program's code. */
  badCall: "E9014",
  /** The target cannot be checked by the oracle (linux-7.1 needs struct_ops). */
  unsupportedTarget: "E9015",
  /** The kernel rejected the program (the verdict, as a diagnostic for the CLI). */
  rejected: "E9020",
  /** Setting up maps or running the program failed. */
  setupFailed: "E9021",
  /** The strict-mode child process failed. */
  childFailed: "E9022",
} as const;
