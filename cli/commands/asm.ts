// `ioubpf asm in.s [-o out.o] [--json]`: assemble llvm-mc-syntax BPF assembly into an ELF
// object (docs/asm.md). The output is written only when there are no errors.
import { assemble } from "../../src/asm/index.js";
import { sameFileAsAny } from "../../src/util/fs.js";
import { isDiagnostic, readTextInput, report, SourceCache, writeCommandOutputs } from "../io.js";
import type { RegisterCommand } from "./index.js";

interface AsmOptions {
  output?: string;
  json?: boolean;
}

/** `x.s` → `x.o`; other names get `.o` appended. */
export function defaultAsmOutput(input: string): string {
  return /\.(s|S|asm)$/.test(input) ? input.replace(/\.(s|S|asm)$/, ".o") : input + ".o";
}

export const registerAsm: RegisterCommand = (program, ctx) => {
  program
    .command("asm")
    .description("assemble BPF assembly (llvm-mc syntax) into an ELF object")
    .argument("<file>", "assembly source (.s)")
    .option("-o, --output <file>", "output object (default: the input with .o)")
    .option("--json", "print diagnostics as JSON")
    .action((file: string, opts: AsmOptions) => {
      const { io } = ctx;
      const output = opts.output ?? defaultAsmOutput(file);
      if (output === "-" && opts.json)
        return ctx.usage("-o - and --json both want stdout; name an output file with -o");
      const clash = output === "-" ? undefined : sameFileAsAny(output, [file]);
      if (clash !== undefined)
        return ctx.usage(`-o ${output} names the input ${clash}; refusing to overwrite it`);
      const sources = new SourceCache();
      const src = readTextInput(file, "assembly text");
      if (isDiagnostic(src)) return ctx.setExit(report(io, [src], { json: opts.json }));
      sources.add(src);
      const result = assemble(src);
      const diagnostics = [...result.diagnostics];
      if (result.bytes && !diagnostics.some((d) => d.severity === "error")) {
        const failed = writeCommandOutputs(io, [{ path: output, data: result.bytes }]);
        if (failed) diagnostics.push(failed);
      }
      const ok = result.bytes !== undefined && !diagnostics.some((d) => d.severity === "error");
      ctx.setExit(
        report(io, diagnostics, {
          json: opts.json,
          sources,
          extra: ok ? { output, size: result.bytes!.length } : {},
        }),
      );
    });
};
