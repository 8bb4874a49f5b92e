// Diagnostic codes of the VM, the scenario reader and `ioubpf run` (block E8000–E8999,
// src/diagnostics/codes.ts). One table; every VM diagnostic takes its code from here.
export const VmCodes = {
  /** A fault while executing: bad memory access, bad opcode, call depth, … (message has the pc). */
  fault: "E8001",
  /** The per-run instruction limit was reached. */
  insnLimit: "E8002",
  /** The object has no program the VM can run, or the named program is missing. */
  noProgram: "E8003",
  /** The object cannot be loaded (unresolvable relocation, bad map definition, bad code). */
  badObject: "E8004",
  /** The scenario file is not valid YAML/JSON or does not follow docs/vm.md. */
  badScenario: "E8010",
  /** A simulation limit (runs or steps) stopped the simulation (warning). */
  simLimit: "E8020",
  /** The program returned a value its target does not accept (warning). */
  badReturn: "E8021",
  /** A BPF request is still waiting when nothing else can happen (note). */
  stuck: "E8022",
  /** A sleepable-only helper was called from a program not loaded sleepable (warning). */
  notSleepable: "E8023",
  /** A conformance case failed its expectation. */
  conformance: "E8030",
  /** `ioubpf test`: a path that is neither a directory nor a .bpf.ts file. */
  golden: "E8040",
} as const;
