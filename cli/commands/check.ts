// `ioubpf check file.bpf.ts… [--target t] [--mcpu v1..v4] [--json]`: parse and check
// programs without generating code (docs/check.md). Exit 0 when no file has errors
// (warnings do not fail), 1 when any has, 2 for an unknown target or cpu.
import { checkSource } from "../../src/check/index.js";
import type { Diagnostic } from "../../src/diagnostics/index.js";
import {
  DEFAULT_TARGET,
  MCPU_NAMES,
  TARGET_NAMES,
  isMcpu,
  isTargetName,
} from "../../src/targets/targets.js";
import { isDiagnostic, readTextInput, report, SourceCache } from "../io.js";
import type { RegisterCommand } from "./index.js";

interface CheckCliOptions {
  target: string;
  mcpu?: string;
  json?: boolean;
}

export const registerCheck: RegisterCommand = (program, ctx) => {
  program
    .command("check")
    .description("check programs (names, types, constants, target rules) without compiling")
    .argument("<files...>", "program sources (.bpf.ts)")
    .option("--target <target>", `target: ${TARGET_NAMES.join(", ")}`, DEFAULT_TARGET)
    .option("--mcpu <version>", `cpu version: ${MCPU_NAMES.join(", ")} (default: the target's)`)
    .option("--json", "print diagnostics as JSON on stdout")
    .action((files: string[], opts: CheckCliOptions) => {
      const { io } = ctx;
      if (!isTargetName(opts.target))
        return ctx.usage(`unknown target '${opts.target}' (targets: ${TARGET_NAMES.join(", ")})`);
      if (opts.mcpu !== undefined && !isMcpu(opts.mcpu))
        return ctx.usage(`unknown cpu version '${opts.mcpu}' (use ${MCPU_NAMES.join(", ")})`);
      const sources = new SourceCache();
      const diagnostics: Diagnostic[] = [];
      const checked: { file: string; name: string; ok: boolean }[] = [];
      for (const file of files) {
        const src = readTextInput(file);
        if (isDiagnostic(src)) {
          diagnostics.push(src);
          continue;
        }
        sources.add(src);
        const r = checkSource(src, {
          target: opts.target,
          ...(opts.mcpu ? { mcpu: opts.mcpu } : {}),
        });
        diagnostics.push(...r.diagnostics);
        checked.push({ file, name: r.checked?.name ?? "", ok: r.checked !== undefined });
      }
      ctx.setExit(
        report(io, diagnostics, {
          json: opts.json,
          sources,
          extra: { target: opts.target, files: checked },
        }),
      );
    });
};
