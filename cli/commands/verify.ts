// `ioubpf verify --kernel x.o [--target iouring-v2] [--lenient] [--program name] [--json]`:
// the kernel verifier's verdict on an object, through the kernel oracle (docs/kernel-oracle.md).
// Without --kernel, verify runs our own verifier (src/verifier, cli/commands/verify-ours.ts).
import type { Diagnostic } from "../../src/diagnostics/index.js";
import { CliCodes } from "../../src/diagnostics/codes.js";
import { readElf } from "../../src/elf/reader.js";
import { KernelCodes } from "../../src/kernel/codes.js";
import { kernelVerify } from "../../src/kernel/oracle.js";
import { DEFAULT_TARGET, findTarget, getTarget, TARGET_NAMES } from "../../src/targets/targets.js";
import { inferTarget } from "../../src/targets/registry.js";
import { capLog, isDiagnostic, readBinaryInput, report } from "../io.js";
import type { RegisterCommand } from "./index.js";
import { runOurVerifier } from "./verify-ours.js";

interface VerifyOptions {
  kernel?: boolean;
  target?: string;
  lenient?: boolean;
  program?: string;
  logLevel?: string;
  log?: boolean;
  json?: boolean;
}

export const registerVerify: RegisterCommand = (program, ctx) => {
  program
    .command("verify")
    .description("check a BPF object with ioubpf's verifier (or the running kernel's: --kernel)")
    .argument("<file>", "BPF ELF object (.o)")
    .option("--kernel", "use the running kernel's verifier (the kernel oracle; needs CAP_BPF)")
    .option(
      "--target <target>",
      `target ABI (${TARGET_NAMES.join(", ")}; default: from the object's sections, else ${DEFAULT_TARGET})`,
    )
    .option(
      "--lenient",
      "load with this process's capabilities instead of dropping CAP_SYS_ADMIN/CAP_PERFMON",
    )
    .option(
      "--program <name>",
      "program to load: section or function name (default: the first program)",
    )
    .option("--log-level <n>", "verifier log level (1: branches, 2: every instruction)", "1")
    .option("--log", "print the verifier log also when the program is accepted")
    .option("--json", "print the result as JSON")
    .action(async (file: string, opts: VerifyOptions) => {
      const { io } = ctx;
      const given = opts.target === undefined ? undefined : findTarget(opts.target);
      if (opts.target !== undefined && !given)
        return ctx.usage(`unknown target '${opts.target}' (targets: ${TARGET_NAMES.join(", ")})`);
      const logLevel = Number(opts.logLevel ?? "1");
      if (!Number.isInteger(logLevel) || logLevel < 0 || logLevel > 7)
        return ctx.usage(`--log-level must be 0..7`);
      const bytes = readBinaryInput(file);
      if (isDiagnostic(bytes)) return ctx.setExit(report(io, [bytes], { json: opts.json }));
      const { object, diagnostics } = readElf(bytes, file);
      if (!object) return ctx.setExit(report(io, diagnostics, { json: opts.json }));
      const target = given ?? getTarget(inferTarget(object.sections.map((s) => s.name)));
      if (!opts.kernel)
        return ctx.setExit(runOurVerifier(io, object, diagnostics, file, target.name, opts));
      const r = await kernelVerify(object, {
        target: target.name,
        strict: !opts.lenient,
        logLevel,
        file,
        ...(opts.program ? { program: opts.program } : {}),
      });
      const all: Diagnostic[] = [...diagnostics, ...r.diagnostics];
      if (r.verdict === "unavailable" && r.diagnostics.length === 0)
        all.push({
          code: CliCodes.kernelUnavailable,
          severity: "error",
          message: `the kernel oracle cannot run: ${r.reason ?? "unknown reason"}`,
          file,
          hint: "run as a user with CAP_BPF on Linux (bpf() must be permitted)",
        });
      if (r.verdict === "reject")
        all.push({
          code: KernelCodes.rejected,
          severity: "error",
          message: `the kernel verifier rejected the program (${r.mode} mode): ${r.reason ?? ""}`,
          file,
        });
      // Level-2 logs reach megabytes: the start and the end (the error) are printed.
      const log = capLog(r.log);
      const summary = {
        verdict: r.verdict,
        mode: r.mode,
        target: target.name,
        ...(r.processedInsns !== undefined ? { processedInsns: r.processedInsns } : {}),
        ...(r.programInsns !== undefined
          ? { programInsns: r.programInsns, shimInsns: r.shimInsns }
          : {}),
        ...(r.sleepable !== undefined ? { sleepable: r.sleepable } : {}),
        ...(r.reason !== undefined ? { reason: r.reason } : {}),
        ...(r.errno !== undefined ? { errno: r.errno } : {}),
        log: log.text,
        ...(log.cut ? { logCut: log.cut, logLength: r.log.length } : {}),
      };
      if (opts.json) return ctx.setExit(report(io, all, { json: true, extra: summary }));
      if (r.verdict !== "unavailable") {
        const counts =
          r.processedInsns !== undefined
            ? `, processed ${r.processedInsns} insns (program ${r.programInsns} + shims ${r.shimInsns} instructions loaded)`
            : "";
        io.stdout(
          `${file}: ${r.verdict === "accept" ? "accepted" : "rejected"} by the kernel verifier` +
            ` (${r.mode} mode, target ${target.name}, ${r.sleepable ? "sleepable" : "non-sleepable"} program)${counts}\n`,
        );
        if (r.verdict === "reject" || opts.log)
          io.stdout(log.text.endsWith("\n") || log.text === "" ? log.text : log.text + "\n");
      }
      ctx.setExit(report(io, all));
    });
};
