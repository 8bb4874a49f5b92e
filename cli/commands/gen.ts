// `ioubpf gen skeleton prog.o [--lang c|ts] [-o file]`: a C header in the style of
// `bpftool gen skeleton` (libbpf) or a TypeScript module for `ioubpf/runtime` (docs/runtime.md).
import { writeFileSync } from "node:fs";
import { CliCodes } from "../../src/diagnostics/codes.js";
import { generateSkeleton } from "../../src/runtime/skeleton.js";
import { isDiagnostic, readBinaryInput, report } from "../io.js";
import type { RegisterCommand } from "./index.js";

export const registerGen: RegisterCommand = (program, ctx) => {
  const gen = program.command("gen").description("generate code from a compiled object");
  gen
    .command("skeleton")
    .description(
      "a C skeleton header (libbpf) or, with --lang ts, a typed module for ioubpf/runtime",
    )
    .argument("<file>", "BPF ELF object compiled for --target linux-7.1")
    .option("--lang <lang>", "c (default) or ts", "c")
    .option("-o, --output <file>", "write here instead of stdout")
    .option("-p, --program <name>", "program, when the object has several")
    .option("--json", "diagnostics as JSON")
    .action(
      (file: string, opts: { lang: string; output?: string; program?: string; json?: boolean }) => {
        const { io } = ctx;
        if (opts.lang !== "c" && opts.lang !== "ts")
          return ctx.setExit(
            report(
              io,
              [
                {
                  code: CliCodes.badOption,
                  severity: "error",
                  message: `--lang ${opts.lang}: expected c or ts`,
                },
              ],
              { json: opts.json },
            ),
          );
        const bytes = readBinaryInput(file);
        if (isDiagnostic(bytes)) return ctx.setExit(report(io, [bytes], { json: opts.json }));
        const r = generateSkeleton(bytes, file, opts.lang, opts.program);
        if (r.text === undefined)
          return ctx.setExit(report(io, r.diagnostics, { json: opts.json }));
        if (opts.output) {
          try {
            writeFileSync(opts.output, r.text);
          } catch (e) {
            return ctx.setExit(
              report(
                io,
                [
                  {
                    code: CliCodes.fileUnwritable,
                    severity: "error",
                    message: `cannot write ${opts.output}: ${(e as Error).message}`,
                    file: opts.output,
                  },
                ],
                { json: opts.json },
              ),
            );
          }
        } else io.stdout(r.text);
        ctx.setExit(report(io, r.diagnostics, { json: opts.json }));
      },
    );
};
