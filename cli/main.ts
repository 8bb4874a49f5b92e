// The `ioubpf` command: one commander program whose subcommands live in cli/commands/.
// `runCli` is what the binary calls and what tests call in-process.
// One rule for every command (docs/limits.md): a usage error (unknown option, command,
// target or cpu; a missing argument) is exit 2 and one E9004 diagnostic, as JSON on stdout
// when --json is among the arguments; bad input is exit 1; a bug is exit 3.
import { Command, CommanderError } from "commander";
import { type CliIO, Exit, processIO, usageError } from "./io.js";
import type { RegisterCommand } from "./commands/index.js";
import { VERSION } from "./version.js";

export interface CommandContext {
  io: CliIO;
  /** Set by an action to the exit code it wants. */
  setExit(code: number): void;
  /** Reports a usage error (E9004, exit 2) in the one format, JSON with `json`. */
  usage(message: string, json?: boolean, hint?: string): void;
}

/**
 * `registers`: the subcommands to offer (cli/ioubpf.ts passes only the one named, so start-up
 * loads nothing else); default all of them, loaded here.
 */
export async function runCli(
  argv: readonly string[],
  io: CliIO = processIO,
  registers?: readonly RegisterCommand[],
): Promise<number> {
  let exitCode: number = Exit.ok;
  const end = argv.indexOf("--");
  const json = (end < 0 ? argv : argv.slice(0, end)).includes("--json");
  const ctx: CommandContext = {
    io,
    setExit: (c) => (exitCode = c),
    usage: (message, j, hint) => (exitCode = usageError(io, message, j ?? json, hint)),
  };
  // Commander's own error text is kept (not printed) and reported as a diagnostic below.
  let commanderError = "";
  const program = new Command("ioubpf")
    .description("Compile io_uring completion logic written in TypeScript into eBPF objects")
    .version(VERSION, "-V, --version")
    .exitOverride()
    .configureOutput({
      writeOut: io.stdout,
      writeErr: (t) => void (commanderError ||= t),
      outputError: (t) => void (commanderError = t),
    });
  for (const register of registers ?? (await import("./commands/index.js")).commands)
    register(program, ctx);
  for (const c of program.commands)
    c.exitOverride().configureOutput({
      writeOut: io.stdout,
      writeErr: (t) => void (commanderError ||= t),
      outputError: (t) => void (commanderError = t),
    });
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit 0; anything else commander rejects is a usage error.
      if (e.exitCode === 0) return Exit.ok;
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version") return Exit.ok;
      if (e.code === "commander.help" || e.code === "commander.executeSubCommandAsync") {
        // No command given: the help, on stderr, as a usage error (JSON says so in one diagnostic).
        if (json) return usageError(io, "no command given", json, "run 'ioubpf --help' for usage");
        io.stderr(commanderError);
        return Exit.usage;
      }
      const message = (commanderError || e.message)
        .trim()
        .replace(/^error: /, "")
        .split("\n")[0]!;
      const sub = program.commands.find((c) => argv.includes(c.name()));
      return usageError(
        io,
        message,
        json,
        `run 'ioubpf ${sub ? sub.name() + " " : ""}--help' for usage`,
      );
    }
    // Even a bug gives JSON with --json (the stack stays on stderr for the report).
    if (json)
      io.stdout(
        JSON.stringify(
          { ok: false, internalError: String((e as Error)?.message ?? e), diagnostics: [] },
          null,
          2,
        ) + "\n",
      );
    io.stderr(`ioubpf: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    io.stderr("This is a bug in ioubpf; please report it with the input that caused it.\n");
    return Exit.internal;
  }
  return exitCode;
}

export { VERSION };
