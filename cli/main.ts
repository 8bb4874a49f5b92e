// The `ioubpf` command: one commander program whose subcommands live in cli/commands/.
// `runCli` is what the binary calls and what tests call in-process.
import { Command, CommanderError } from "commander";
import { type CliIO, Exit, processIO } from "./io.js";
import type { RegisterCommand } from "./commands/index.js";
import { VERSION } from "./version.js";

export interface CommandContext {
  io: CliIO;
  /** Set by an action to the exit code it wants. */
  setExit(code: number): void;
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
  const ctx: CommandContext = { io, setExit: (c) => (exitCode = c) };
  const program = new Command("ioubpf")
    .description("Compile io_uring completion logic written in TypeScript into eBPF objects")
    .version(VERSION, "-V, --version")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError("(run with --help for usage)");
  for (const register of registers ?? (await import("./commands/index.js")).commands)
    register(program, ctx);
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit 0; anything else commander rejects is a usage error.
      return e.exitCode === 0 ? Exit.ok : Exit.usage;
    }
    io.stderr(`ioubpf: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    io.stderr("This is a bug in ioubpf; please report it with the input that caused it.\n");
    return Exit.internal;
  }
  return exitCode;
}

export { VERSION };
