// `ioubpf compile a.bpf.ts [b.bpf.ts…] -o out.o [--target t] [--mcpu vN] [-O0|-O2] [-g]
// [--emit asm|obj] [-MD] [--json]` (docs/compile.md). Outputs are written atomically and only
// when there are no errors, so a failed compile leaves an existing output untouched.
import { readFileSync } from "node:fs";
import { compile } from "../../src/codegen/index.js";
import {
  DEFAULT_TARGET,
  findTarget,
  isMcpu,
  isTargetName,
  MCPU_NAMES,
  TARGET_NAMES,
} from "../../src/targets/targets.js";
import { verifyObject } from "../../src/verifier/index.js";
import type { Diagnostic, SourceFile } from "../../src/diagnostics/index.js";
import { sameFileAsAny } from "../../src/util/fs.js";
import { isDiagnostic, readTextInput, report, SourceCache, writeCommandOutputs } from "../io.js";
import type { RegisterCommand } from "./index.js";

interface CompileCliOptions {
  output?: string;
  target?: string;
  mcpu?: string;
  O?: string;
  g?: boolean;
  emit?: string;
  M?: string;
  md?: boolean;
  json?: boolean;
  reapBatch?: string;
  verify?: boolean;
}

/** `x.bpf.ts` → `x.o` (or `x.s` for assembly). */
export function defaultCompileOutput(input: string, asm: boolean): string {
  const base = input.replace(/\.bpf\.ts$/, "").replace(/\.ts$/, "");
  return base + (asm ? ".s" : ".o");
}

/** Make/Ninja depfile text: `out: in1 in2` with spaces escaped. */
export function depfileText(output: string, inputs: readonly string[]): string {
  const esc = (s: string): string => s.replace(/ /g, "\\ ");
  return `${esc(output)}: ${inputs.map(esc).join(" ")}\n`;
}

export const registerCompile: RegisterCommand = (program, ctx) => {
  program
    .command("compile")
    .description("compile *.bpf.ts programs into one BPF object")
    .argument("<files...>", "program sources (.bpf.ts)")
    .option(
      "-o, --output <file>",
      "output file (default: the first input with .o, or .s with --emit asm)",
    )
    .option("--target <name>", "iouring-v1 | iouring-v2 | linux-7.1 (default iouring-v2)")
    .option("--mcpu <v>", "cpu version v1..v4 (default: the target's)")
    // -O0 / -O2 and -MD are single-dash clang spellings: commander reads them as -O <level> and -M <D>.
    .option("-O <level>", "-O0: no optimisation (locals on the stack); -O2: optimise (default)")
    .option("-g", "line info (always emitted; accepted for clang compatibility)")
    .option("--emit <kind>", "obj (default) or asm")
    .option("-M <D>", "-MD: also write a depfile next to the output (out.d)")
    .option("--md", "same as -MD")
    .option("--reap-batch <n>", "CQEs reaped per run at most (iouring-v2; default 16)")
    .option("--no-verify", "do not run the bytecode verifier on the object (docs/verifier.md)")
    .option("--json", "print diagnostics and a summary as JSON")
    .action((files: string[], opts: CompileCliOptions) => {
      const { io } = ctx;
      const sources = new SourceCache();
      const diagnostics: Diagnostic[] = [];
      const emit = opts.emit ?? "obj";
      if (emit !== "obj" && emit !== "asm")
        return ctx.usage(`--emit must be obj or asm, not '${emit}'`);
      if (opts.O !== undefined && opts.O !== "0" && opts.O !== "2")
        return ctx.usage(`optimisation level must be -O0 or -O2, not -O${opts.O}`);
      if (opts.M !== undefined && opts.M !== "D")
        return ctx.usage(`unknown option -M${opts.M} (did you mean -MD?)`);
      if (opts.target !== undefined && !isTargetName(opts.target))
        return ctx.usage(`unknown target '${opts.target}' (targets: ${TARGET_NAMES.join(", ")})`);
      if (opts.mcpu !== undefined && !isMcpu(opts.mcpu))
        return ctx.usage(`unknown cpu version '${opts.mcpu}' (use ${MCPU_NAMES.join(", ")})`);
      const depfile = opts.M === "D" || Boolean(opts.md);
      let reapBatch: number | undefined;
      if (opts.reapBatch !== undefined) {
        reapBatch = Number(opts.reapBatch);
        if (!Number.isInteger(reapBatch) || reapBatch < 1 || reapBatch > 1024)
          return ctx.usage(`--reap-batch must be an integer in 1..1024`);
      }
      const output = opts.output ?? defaultCompileOutput(files[0]!, emit === "asm");
      const depPath = output.replace(/\.[^./]*$/, "") + ".d";
      // Outputs that would destroy an input or each other are refused before any work.
      if (output === "-" && opts.json)
        return ctx.usage("-o - and --json both want stdout; name an output file with -o");
      if (output === "-" && depfile) return ctx.usage("-MD needs an output file, not -o -");
      if (depfile && depPath === output)
        return ctx.usage(
          `the depfile would be the output itself (${output}); name the output differently`,
        );
      const clash = output === "-" ? undefined : sameFileAsAny(output, files);
      if (clash !== undefined)
        return ctx.usage(`-o ${output} names the input ${clash}; refusing to overwrite it`);
      if (depfile && sameFileAsAny(depPath, files) !== undefined)
        return ctx.usage(`the depfile ${depPath} is an input; refusing to overwrite it`);
      const inputs: SourceFile[] = [];
      for (const f of files) {
        const src = readTextInput(f);
        if (isDiagnostic(src)) diagnostics.push(src);
        else inputs.push(sources.add(src));
      }
      if (diagnostics.length > 0)
        return ctx.setExit(report(io, diagnostics, { json: opts.json, sources }));
      const result = compile(inputs, {
        ...(opts.target !== undefined ? { target: opts.target } : {}),
        ...(opts.mcpu !== undefined ? { mcpu: opts.mcpu } : {}),
        opt: opts.O === "0" ? 0 : 2,
        debug: Boolean(opts.g),
        emitAsm: emit === "asm",
        ...(reapBatch !== undefined ? { reapBatch } : {}),
      });
      diagnostics.push(...result.diagnostics);
      // Our verifier checks the object before anything is written; a rejection is an error at
      // the source line (through line_info) and leaves the output untouched.
      if (
        opts.verify !== false &&
        result.object &&
        !diagnostics.some((d) => d.severity === "error")
      ) {
        const target = opts.target ?? DEFAULT_TARGET;
        if (findTarget(target)?.context.kind !== "structOpsArgs") {
          const v = verifyObject(result.object, {
            target,
            file: files[0]!,
            readSource: (path) => sources.get(path)?.text ?? readTextFile(path),
          });
          diagnostics.push(...v.diagnostics);
        }
      }
      const payload = emit === "asm" ? result.asm : result.bytes;
      const ok = payload !== undefined && !diagnostics.some((d) => d.severity === "error");
      if (ok) {
        // The object and its depfile as one unit: a failure leaves both previous files.
        const failed = writeCommandOutputs(io, [
          { path: output, data: payload },
          ...(depfile ? [{ path: depPath, data: depfileText(output, files) }] : []),
        ]);
        if (failed) diagnostics.push(failed);
      }
      const done = ok && !diagnostics.some((d) => d.severity === "error");
      ctx.setExit(
        report(io, diagnostics, {
          json: opts.json,
          sources,
          extra: done
            ? {
                output,
                ...(result.bytes ? { size: result.bytes.length } : {}),
                programs: result.programs,
              }
            : {},
        }),
      );
    });
};

function readTextFile(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}
