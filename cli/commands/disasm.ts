// `ioubpf disasm x.o [-r] [-S] [--no-print-imm-hex] [--mattr=+alu32] [-o out.txt]`: the text of
// `llvm-objdump-19 -d` for a BPF object (docs/disasm.md).
import { disassemble } from "../../src/disasm/objdump.js";
import { readElf } from "../../src/elf/reader.js";
import { sameFileAsAny } from "../../src/util/fs.js";
import {
  escapeListing,
  isDiagnostic,
  readBinaryInput,
  report,
  writeCommandOutputs,
} from "../io.js";
import type { RegisterCommand } from "./index.js";

interface DisasmOptions {
  reloc?: boolean;
  source?: boolean;
  printImmHex: boolean;
  mattr?: string;
  output?: string;
  json?: boolean;
  disassemble?: boolean;
}

export const registerDisasm: RegisterCommand = (program, ctx) => {
  program
    .command("disasm")
    .description("disassemble a BPF object like llvm-objdump -d")
    .argument("<file>", "BPF ELF object (.o)")
    .option("-d, --disassemble", "accepted for llvm-objdump compatibility (always on)")
    .option("-r, --reloc", "show relocations inline")
    .option("-S, --source", "interleave source lines (from .BTF.ext line info)")
    .option("--no-print-imm-hex", "print immediates in decimal")
    .option(
      "--mattr <features>",
      "target features; only +alu32 is known (w registers for narrow loads/stores)",
    )
    .option("-o, --output <file>", "write the listing to a file instead of stdout")
    .option("--json", "print diagnostics as JSON")
    .action((file: string, opts: DisasmOptions) => {
      const { io } = ctx;
      let alu32 = false;
      for (const feature of (opts.mattr ?? "").split(",").filter(Boolean)) {
        if (feature === "+alu32") alu32 = true;
        else if (feature !== "-alu32")
          return ctx.usage(`unknown --mattr feature '${feature}' (known: +alu32)`);
      }
      // `-o -` is stdout, as without -o.
      const output = opts.output === "-" ? undefined : opts.output;
      const clash = output === undefined ? undefined : sameFileAsAny(output, [file]);
      if (clash !== undefined)
        return ctx.usage(`-o ${output} names the input ${clash}; refusing to overwrite it`);
      const bytes = readBinaryInput(file);
      if (isDiagnostic(bytes)) return ctx.setExit(report(io, [bytes], { json: opts.json }));
      const { object, diagnostics } = readElf(bytes, file);
      if (!object) return ctx.setExit(report(io, diagnostics, { json: opts.json }));
      const text = disassemble(object, {
        relocs: opts.reloc ?? false,
        source: opts.source ?? false,
        hexImm: opts.printImmHex,
        fileName: file,
        alu32,
      });
      if (output) {
        const failed = writeCommandOutputs(io, [{ path: output, data: text }]);
        if (failed) return ctx.setExit(report(io, [...diagnostics, failed], { json: opts.json }));
      } else if (opts.json) {
        return ctx.setExit(report(io, diagnostics, { json: true, extra: { listing: text } }));
      } else {
        // Names in the object are input: no control characters reach the terminal.
        io.stdout(escapeListing(text));
      }
      ctx.setExit(report(io, diagnostics, { json: opts.json }));
    });
};
