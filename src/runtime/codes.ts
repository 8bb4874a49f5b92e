// Diagnostic codes of the runtime (`ioubpf exec`, `ioubpf/runtime`): E9100–E9149 of the cli
// block (src/diagnostics/codes.ts).
export const RuntimeCodes = {
  /** The file is not a linux-7.1 object (no `struct_ops.s/*` program, no `.struct_ops.link` map). */
  notLinux71: "E9101",
  /** The named program is not in the object, or several exist and none was named. */
  noProgram: "E9102",
  /** A `--set`/`--fd`/`--buf` name that is not a `declare const` (.rodata) global. */
  unknownGlobal: "E9103",
  /** A bad option value (`--set X=abc`, `--sq 0`, a port out of range, …). */
  badValue: "E9104",
  /** A `--fd` path that cannot be opened. */
  badPath: "E9105",
  /** io_uring_setup, mmap or io_uring_register failed. */
  ringSetup: "E9110",
  /** Native mode was asked for but the kernel has no io_uring_bpf_ops. */
  noNative: "E9111",
  /** Emulation is unavailable (no VM step model in this build). */
  noEmulation: "E9112",
  /** Loading BTF, a map or the program failed (message has the kernel's log). */
  loadFailed: "E9120",
  /** A kfunc the object calls is not in the kernel's BTF. */
  unknownKfunc: "E9121",
  /** Creating the struct_ops map or its link failed. */
  attachFailed: "E9122",
  /** The program did not stop within the timeout. */
  timeout: "E9130",
  /** The run ended with an error (a bad return value, a failed submission, a VM fault). */
  runFailed: "E9131",
  /** The object is malformed in a way the loader cannot use (a relocation, the .maps BTF). */
  badObject: "E9140",
} as const;
