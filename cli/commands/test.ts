// `ioubpf test [paths…] [--update] [-v]`: the golden-file runner (docs/golden.md). Compiles
// every `x.bpf.ts` that has expectation files beside it and compares its disassembly,
// diagnostics and VM trace with them; prints a diff per mismatch and "N passed, M failed".
// Exit 0 when all pass (or were updated), 1 on any failure.
import { findGoldenSources, goldenReport, runGolden } from "../../src/golden/index.js";
import { Exit, report } from "../io.js";
import type { RegisterCommand } from "./index.js";

interface TestOptions {
  update?: boolean;
  verbose?: boolean;
}

export const registerTest: RegisterCommand = (program, ctx) => {
  program
    .command("test")
    .description("golden-file tests: compare compiled programs with their .expected files")
    .argument("[paths...]", "directories (searched recursively) or .bpf.ts files", ["."])
    .option("-u, --update", "rewrite the expectation files instead of comparing")
    .option("-v, --verbose", "also list the checks that passed")
    .action((paths: string[], opts: TestOptions) => {
      const { io } = ctx;
      const found = findGoldenSources(paths);
      if (found.diagnostics.length) return ctx.setExit(report(io, found.diagnostics));
      if (found.sources.length === 0) {
        io.stderr(`ioubpf test: no .bpf.ts file with expectations under ${paths.join(", ")}\n`);
        return ctx.setExit(Exit.badInput);
      }
      const r = runGolden(found.sources, { update: opts.update ?? false });
      io.stdout(goldenReport(r, { verbose: opts.verbose ?? false }));
      ctx.setExit(r.failed ? Exit.badInput : Exit.ok);
    });
};
