// `ioubpf compile a.bpf.ts [b.bpf.ts…] -o out.o [--target t] [--mcpu vN] [-O0|-O2] [-g]
// [--emit asm|obj] [-MD] [--json] [--out-dir dir] [--watch]` (docs/compile.md). Outputs are
// written atomically and only when there are no errors, so a failed compile leaves an existing
// output untouched (in watch mode: the last good output stays).
import { mkdirSync, watch, type FSWatcher } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { compile, type LibraryCompileOptions } from "../../src/compile.js";
import { CliCodes } from "../../src/diagnostics/codes.js";
import type { Diagnostic, SourceFile } from "../../src/diagnostics/index.js";
import { isMcpu, isTargetName, MCPU_NAMES, TARGET_NAMES } from "../../src/targets/targets.js";
import { sameFileAsAny } from "../../src/util/fs.js";
import {
  type CliIO,
  Exit,
  isDiagnostic,
  readTextInput,
  report,
  SourceCache,
  writeCommandOutputs,
} from "../io.js";
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
  cqBatch?: string;
  verify?: boolean;
  outDir?: string;
  watch?: boolean;
}

/** `x.bpf.ts` → `x.o` (or `x.s` for assembly), in the input's directory. */
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
    .description("compile *.bpf.ts programs into one BPF object (or one each with --out-dir)")
    .argument("<files...>", "program sources (.bpf.ts)")
    .option(
      "-o, --output <file>",
      "output file (default: the first input with .o, or .s with --emit asm)",
    )
    .option("--out-dir <dir>", "compile each input on its own into <dir>/<name>.o (one process)")
    .option("--target <name>", "iouring-v1 | iouring-v2 | linux-7.1 (default linux-7.1)")
    .option("--mcpu <v>", "cpu version v1..v4 (default: the target's)")
    // -O0 / -O2 and -MD are single-dash clang spellings: commander reads them as -O <level> and -M <D>.
    .option("-O <level>", "-O0: no optimisation (locals on the stack); -O2: optimise (default)")
    .option("-g", "line info (always emitted; accepted for clang compatibility)")
    .option("--emit <kind>", "obj (default) or asm")
    .option("-M <D>", "-MD: also write a depfile next to the output (out.d)")
    .option("--md", "same as -MD")
    .option("--reap-batch <n>", "CQEs reaped per run at most (iouring-v2; default 16)")
    .option("--cq-batch <n>", "CQEs walked per loop_step at most (linux-7.1; default 64)")
    .option("--no-verify", "do not run the bytecode verifier on the object (docs/verifier.md)")
    .option("--watch", "recompile when an input changes; keep the last good output")
    .option("--json", "print diagnostics and a summary as JSON")
    .action(async (files: string[], opts: CompileCliOptions) => {
      const { io } = ctx;
      const emit = opts.emit ?? "obj";
      const usage = (message: string): void => ctx.usage(message);
      if (emit !== "obj" && emit !== "asm")
        return usage(`--emit must be obj or asm, not '${emit}'`);
      if (opts.O !== undefined && opts.O !== "0" && opts.O !== "2")
        return usage(`optimisation level must be -O0 or -O2, not -O${opts.O}`);
      if (opts.M !== undefined && opts.M !== "D")
        return usage(`unknown option -M${opts.M} (did you mean -MD?)`);
      if (opts.target !== undefined && !isTargetName(opts.target))
        return usage(`unknown target '${opts.target}' (targets: ${TARGET_NAMES.join(", ")})`);
      if (opts.mcpu !== undefined && !isMcpu(opts.mcpu))
        return usage(`unknown cpu version '${opts.mcpu}' (use ${MCPU_NAMES.join(", ")})`);
      let reapBatch: number | undefined;
      if (opts.reapBatch !== undefined) {
        reapBatch = Number(opts.reapBatch);
        if (!Number.isInteger(reapBatch) || reapBatch < 1 || reapBatch > 1024)
          return usage("--reap-batch must be an integer in 1..1024");
      }
      let cqBatch: number | undefined;
      if (opts.cqBatch !== undefined) {
        cqBatch = Number(opts.cqBatch);
        if (!Number.isInteger(cqBatch) || cqBatch < 1 || cqBatch > 1024)
          return usage("--cq-batch must be an integer in 1..1024");
      }
      if (opts.outDir !== undefined && opts.output !== undefined)
        return usage("-o and --out-dir cannot be used together");
      if (opts.watch && opts.output === "-") return usage("--watch cannot write to stdout");
      const plan: Build = {
        files,
        emit,
        depfile: opts.M === "D" || Boolean(opts.md),
        json: Boolean(opts.json),
        options: {
          ...(opts.target !== undefined ? { target: opts.target } : {}),
          ...(opts.mcpu !== undefined ? { mcpu: opts.mcpu } : {}),
          opt: opts.O === "0" ? 0 : 2,
          debug: Boolean(opts.g),
          emitAsm: emit === "asm",
          ...(reapBatch !== undefined ? { reapBatch } : {}),
          ...(cqBatch !== undefined ? { cqBatch } : {}),
          verify: opts.verify !== false,
          globals: false,
        },
        ...(opts.output !== undefined ? { output: opts.output } : {}),
        ...(opts.outDir !== undefined ? { outDir: opts.outDir } : {}),
      };
      // Outputs that would destroy an input or each other are refused before any work.
      const outputs =
        plan.outDir !== undefined
          ? files.map((f) => outDirOutput(plan.outDir!, f, emit === "asm"))
          : [plan.output ?? defaultCompileOutput(files[0]!, emit === "asm")];
      for (const output of outputs) {
        const depPath = depfilePath(output);
        if (output === "-" && opts.json)
          return usage("-o - and --json both want stdout; name an output file with -o");
        if (output === "-" && plan.depfile) return usage("-MD needs an output file, not -o -");
        if (plan.depfile && depPath === output)
          return usage(
            `the depfile would be the output itself (${output}); name the output differently`,
          );
        const clash = output === "-" ? undefined : sameFileAsAny(output, files);
        if (clash !== undefined)
          return usage(`-o ${output} names the input ${clash}; refusing to overwrite it`);
        if (plan.depfile && sameFileAsAny(depPath, files) !== undefined)
          return usage(`the depfile ${depPath} is an input; refusing to overwrite it`);
      }
      if (plan.outDir !== undefined) {
        // One object per input: two inputs with one base name would overwrite each other.
        const seen = new Map<string, string>();
        for (const f of files) {
          const out = outDirOutput(plan.outDir, f, emit === "asm");
          const other = seen.get(out);
          if (other !== undefined)
            return usage(`${other} and ${f} would both be written to ${out}`);
          seen.set(out, f);
        }
      }
      const code = buildAll(io, plan);
      if (!opts.watch) return ctx.setExit(code);
      ctx.setExit(await watchLoop(io, plan, code));
    });
};

interface Build {
  files: string[];
  emit: "obj" | "asm";
  depfile: boolean;
  json: boolean;
  options: LibraryCompileOptions;
  output?: string;
  outDir?: string;
}

/** `x.o` → `x.d`. */
function depfilePath(output: string): string {
  return output.replace(/\.[^./]*$/, "") + ".d";
}

/** `--out-dir d`: `d/<input base name>.o` (or `.s`). */
export function outDirOutput(dir: string, input: string, asm: boolean): string {
  return join(dir, basename(defaultCompileOutput(input, asm)));
}

/** One build: every file into one object, or (--out-dir) one object per file. Exit code. */
function buildAll(io: CliIO, plan: Build): number {
  if (plan.outDir === undefined) {
    const output = plan.output ?? defaultCompileOutput(plan.files[0]!, plan.emit === "asm");
    return buildOne(io, plan, plan.files, output);
  }
  try {
    mkdirSync(plan.outDir, { recursive: true });
  } catch (e) {
    return report(
      io,
      [
        {
          code: CliCodes.fileUnwritable,
          severity: "error",
          message: `cannot create ${plan.outDir}: ${(e as Error).message}`,
          file: plan.outDir,
        },
      ],
      { json: plan.json },
    );
  }
  let worst: number = Exit.ok;
  for (const f of plan.files) {
    const code = buildOne(io, plan, [f], outDirOutput(plan.outDir, f, plan.emit === "asm"));
    worst = Math.max(worst, code);
  }
  return worst;
}

function buildOne(io: CliIO, plan: Build, files: readonly string[], output: string): number {
  const sources = new SourceCache();
  const diagnostics: Diagnostic[] = [];
  const inputs: SourceFile[] = [];
  for (const f of files) {
    const src = readTextInput(f);
    if (isDiagnostic(src)) diagnostics.push(src);
    else inputs.push(sources.add(src));
  }
  if (diagnostics.length > 0) return report(io, diagnostics, { json: plan.json, sources });
  // The library compile runs our verifier too (unless --no-verify): a rejection is an error
  // at the source line (through line_info) and leaves the output untouched.
  const result = compile(inputs, plan.options);
  diagnostics.push(...result.diagnostics);
  const payload = plan.emit === "asm" ? result.asm : result.bytes;
  const ok = payload !== undefined && !diagnostics.some((d) => d.severity === "error");
  if (ok) {
    // The object and its depfile as one unit: a failure leaves both previous files.
    const failed = writeCommandOutputs(io, [
      { path: output, data: payload },
      ...(plan.depfile ? [{ path: depfilePath(output), data: depfileText(output, files) }] : []),
    ]);
    if (failed) diagnostics.push(failed);
  }
  const done = ok && !diagnostics.some((d) => d.severity === "error");
  return report(io, diagnostics, {
    json: plan.json,
    sources,
    extra: done
      ? {
          output,
          ...(result.bytes ? { size: result.bytes.length } : {}),
          programs: result.programs,
        }
      : {},
  });
}

/**
 * `--watch`: rebuild whenever an input changes, until SIGINT/SIGTERM. Directories are
 * watched (not the files) so editors that save by rename keep being seen. A failed build
 * writes nothing, so the last good output stays.
 */
function watchLoop(io: CliIO, plan: Build, first: number): Promise<number> {
  const wanted = new Map<string, Set<string>>();
  for (const f of plan.files) {
    const abs = resolve(f);
    const dir = dirname(abs);
    if (!wanted.has(dir)) wanted.set(dir, new Set());
    wanted.get(dir)!.add(basename(abs));
  }
  const status = (code: number): void =>
    io.stderr(
      code === Exit.ok
        ? `[watch] built ${new Date().toISOString().slice(11, 19)}; waiting for changes\n`
        : `[watch] build failed; the last good output is kept; waiting for changes\n`,
    );
  status(first);
  return new Promise((done) => {
    let timer: NodeJS.Timeout | undefined;
    let last = first;
    const rebuild = (): void => {
      timer = undefined;
      last = buildAll(io, plan);
      status(last);
    };
    const watchers: FSWatcher[] = [];
    for (const [dir, names] of wanted) {
      try {
        watchers.push(
          watch(dir, (_event, name) => {
            if (name !== null && !names.has(basename(name.toString()))) return;
            // Editors write in several steps: one rebuild after they settle.
            if (timer) clearTimeout(timer);
            timer = setTimeout(rebuild, 50);
          }),
        );
      } catch (e) {
        io.stderr(`[watch] cannot watch ${dir}: ${(e as Error).message}\n`);
      }
    }
    const stop = (): void => {
      for (const w of watchers) w.close();
      if (timer) clearTimeout(timer);
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      done(last);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
