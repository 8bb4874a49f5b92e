#!/usr/bin/env node
// The `ioubpf` binary. Start-up loads only what the command needs (docs/plugins.md,
// "Start-up"): `--version` loads nothing but the version; a known subcommand loads its own
// module only (no koffi, VM or verifier for `check`); help and anything else load them all.
const argv = process.argv.slice(2);

// A reader that goes away (`ioubpf disasm x.o | head -1`) is not an error: stop quietly.
for (const stream of [process.stdout, process.stderr])
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });

/** Subcommand → its module, loaded on demand. */
const lazy: Record<string, () => Promise<unknown>> = {
  asm: () => import("./commands/asm.js").then((m) => m.registerAsm),
  check: () => import("./commands/check.js").then((m) => m.registerCheck),
  compile: () => import("./commands/compile.js").then((m) => m.registerCompile),
  disasm: () => import("./commands/disasm.js").then((m) => m.registerDisasm),
  run: () => import("./commands/run.js").then((m) => m.registerRun),
  test: () => import("./commands/test.js").then((m) => m.registerTest),
  verify: () => import("./commands/verify.js").then((m) => m.registerVerify),
  exec: () => import("./commands/exec.js").then((m) => m.registerExec),
  gen: () => import("./commands/gen.js").then((m) => m.registerGen),
};

if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
  const { VERSION } = await import("./version.js");
  process.stdout.write(VERSION + "\n");
} else {
  const { runCli } = await import("./main.js");
  const first = argv[0];
  const only =
    first !== undefined &&
    Object.hasOwn(lazy, first) &&
    !argv.includes("--help") &&
    !argv.includes("-h")
      ? [(await lazy[first]!()) as import("./commands/index.js").RegisterCommand]
      : undefined;
  process.exitCode = await runCli(argv, undefined, only);
}
