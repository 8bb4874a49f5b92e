// Every subcommand registers itself here: one import and one list entry per command.
import type { Command } from "commander";
import type { CommandContext } from "../main.js";
import { registerAsm } from "./asm.js";
import { registerCheck } from "./check.js";
import { registerDisasm } from "./disasm.js";
import { registerVerify } from "./verify.js";
import { registerRun } from "./run.js";
import { registerCompile } from "./compile.js";
import { registerTest } from "./test.js";
import { registerExec } from "./exec.js";
import { registerGen } from "./gen.js";

export type RegisterCommand = (program: Command, ctx: CommandContext) => void;

export const commands: RegisterCommand[] = [
  registerAsm,
  registerCheck,
  registerDisasm,
  registerVerify,
  registerRun,
  registerCompile,
  registerTest,
  registerExec,
  registerGen,
];
