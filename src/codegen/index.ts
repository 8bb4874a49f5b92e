// Public API of code generation: `compile(sources, options)` → object, bytes, assembly text
// and diagnostics (docs/compile.md). Never throws on bad input.
import { checkSource, codegenSupport, resolveTargetOptions } from "../check/index.js";
import type { CheckedProgram, GlobalSymbol, MapDef } from "../check/symbols.js";
import {
  DiagnosticBag,
  type Diagnostic,
  SourceFile,
  compareDiagnostics,
} from "../diagnostics/index.js";
import { tryWriteElf } from "../elf/writer.js";
import type { ObjFile } from "../elf/types.js";
import { objectToAsm } from "./asm.js";
import { CodegenCodes } from "./codes.js";
import { type LaidOut, layout, optimize, removeUnreachable } from "./layout.js";
import { CALLEE_SAVED_REGS, Lowerer, type RegPlan } from "./lower.js";
import { buildObject, layoutData, type ExtraVar, type ProgramOutput } from "./object.js";
import { GEOMETRY, PLUMBING_VARS, plumbingSymbol } from "../targets/linux-7.1/plumbing.js";
import { targetCodegen } from "../targets/registry.js";
import { mcpuLevel } from "../targets/types.js";

/** linux-7.1: the geometry and plumbing globals a program's step uses (docs/linux-7.1.md). */
function plumbingVars(p: CheckedProgram): ExtraVar[] {
  if (targetCodegen(p.target).entry !== "structOpsLoop") return [];
  const walk = p.entryPoints.onCompletion !== undefined;
  const submits = [...p.calls.values()].some((c) => c.kind === "submit");
  const geo: string[] = [];
  if (walk) geo.push(GEOMETRY.cqHeadOff, GEOMETRY.cqTailOff, GEOMETRY.cqesOff, GEOMETRY.cqEntries);
  if (submits) geo.push(GEOMETRY.sqEntries);
  return [
    ...geo.map((name): ExtraVar => ({ name, section: ".rodata", size: 4, signed: false })),
    ...PLUMBING_VARS.map((v): ExtraVar => ({
      name: plumbingSymbol(p.name, v.what),
      section: ".bss",
      size: v.size,
      signed: v.signed,
    })),
  ];
}

export { CodegenCodes, type CodegenCode } from "./codes.js";

export interface CompileOptions {
  /** Target name (default linux-7.1). */
  target?: string;
  /** Cpu version v1..v4 (default: the target's). */
  mcpu?: string;
  /** Optimisation level: 0 or 2 (default 2). */
  opt?: 0 | 2;
  /** Line info is always emitted; `debug` is accepted for clang compatibility. */
  debug?: boolean;
  /** Also produce the assembly text. */
  emitAsm?: boolean;
  /** CQEs reaped per run at most (iouring-v2; default 16). */
  reapBatch?: number;
  /** CQEs walked per loop_step at most (linux-7.1; default 64). */
  cqBatch?: number;
}

export interface CompiledProgram {
  name: string;
  file: string;
  section: string;
  symbol: string;
  /** Instructions (ld_imm64 counts once) and 8-byte slots. */
  insns: number;
  slots: number;
  frameSize: number;
  sleepable: boolean;
}

export interface CompileResult {
  object?: ObjFile;
  bytes?: Uint8Array;
  asm?: string;
  programs?: CompiledProgram[];
  diagnostics: Diagnostic[];
}

type Input = SourceFile | { path: string; text: string };

export function compile(
  sources: Input | readonly Input[],
  options: CompileOptions = {},
): CompileResult {
  const files = (Array.isArray(sources) ? sources : [sources]).map((s: Input) =>
    s instanceof SourceFile ? s : new SourceFile(s.path, s.text),
  );
  const diagnostics: Diagnostic[] = [];
  if (files.length === 0) {
    return {
      diagnostics: [{ code: CodegenCodes.noInput, severity: "error", message: "no input files" }],
    };
  }
  const bag = new DiagnosticBag();
  const resolved = resolveTargetOptions(
    {
      ...(options.target !== undefined ? { target: options.target } : {}),
      ...(options.mcpu !== undefined ? { mcpu: options.mcpu } : {}),
    },
    bag,
  );
  if (!resolved) return { diagnostics: bag.items };
  const unsupported = codegenSupport(resolved.target);
  if (unsupported) return { diagnostics: [unsupported] };

  const checked: { p: CheckedProgram; src: SourceFile }[] = [];
  for (const src of files) {
    const r = checkSource(src, { target: resolved.target, mcpu: resolved.mcpu });
    diagnostics.push(...r.diagnostics);
    if (r.checked) checked.push({ p: r.checked, src });
  }
  // Target-level warnings (mcpu) appear once per file from the checker; keep them.
  if (diagnostics.some((d) => d.severity === "error")) return { diagnostics: dedupe(diagnostics) };

  const seen = new Map<string, string>();
  for (const { p } of checked) {
    const other = seen.get(p.name);
    if (other !== undefined) {
      diagnostics.push({
        code: CodegenCodes.duplicateProgram,
        severity: "error",
        message: `programs in ${other} and ${p.file} are both named '${p.name}'`,
        file: p.file,
        hint: 'give one of them another name with `export const name = "…"`',
      });
    }
    seen.set(p.name, p.file);
  }
  if (diagnostics.some((d) => d.severity === "error")) return { diagnostics: dedupe(diagnostics) };

  // Symbol names: plain, unless two programs use the same one (then `<program>_<name>`).
  const count = new Map<string, number>();
  for (const { p } of checked) {
    for (const n of new Set([
      ...p.globals.map((g) => g.name),
      ...p.maps.map((m) => m.name),
      p.name,
    ]))
      count.set(n, (count.get(n) ?? 0) + 1);
  }
  const symName = (p: CheckedProgram, n: string): string =>
    (count.get(n) ?? 0) > 1 ? `${p.name}_${n}` : n;

  const outputs: ProgramOutput[] = [];
  const infos: CompiledProgram[] = [];
  const opt = options.opt ?? 2;
  // The started flag exists exactly when the lowering uses it (v2 with both entry points).
  const usesStarted = (p: CheckedProgram): boolean =>
    p.target.context.kind === "struct" &&
    p.entryPoints.onStart !== undefined &&
    p.entryPoints.onCompletion !== undefined;
  const named = checked.map(({ p, src }) => ({
    p,
    src,
    globalNames: new Map<GlobalSymbol, string>(p.globals.map((g) => [g, symName(p, g.name)])),
    mapNames: new Map<MapDef, string>(p.maps.map((m) => [m, symName(p, m.name)])),
    startedFlag: `${p.name}__started`,
  }));
  const data = layoutData(
    named.map((n) => ({
      checked: n.p,
      globalNames: n.globalNames,
      ...(usesStarted(n.p) ? { startedFlag: n.startedFlag } : {}),
      extraVars: plumbingVars(n.p),
    })),
  );
  for (const { p, src, globalNames, mapNames, startedFlag } of named) {
    const lowerWith = (
      regs?: RegPlan,
    ): {
      r: ReturnType<Lowerer["run"]>;
      laid?: LaidOut | { error: string; line?: number; col?: number };
    } => {
      const lowerer = new Lowerer(
        p,
        { global: (g) => globalNames.get(g)!, map: (m) => mapNames.get(m)!, startedFlag, data },
        {
          opt,
          ...(options.reapBatch !== undefined ? { reapBatch: options.reapBatch } : {}),
          ...(options.cqBatch !== undefined ? { cqBatch: options.cqBatch } : {}),
          ...(regs ? { regs } : {}),
          ...(counterInRegister ? { counterInRegister } : {}),
        },
        src.text,
      );
      const r = lowerer.run();
      if (!r.lowered) return { r };
      const items = opt >= 2 ? optimize(r.lowered.items) : removeUnreachable(r.lowered.items);
      return { r, laid: layout(items, { cpu: mcpuLevel(resolved.mcpu) }) };
    };
    let counterInRegister = false;
    let best = lowerWith();
    if (opt >= 2 && best.r.lowered?.needsPerfmon) {
      counterInRegister = true;
      best = lowerWith();
    }
    if (opt >= 2 && best.r.lowered && best.laid && !("error" in best.laid)) {
      // r7–r9 hold locals by default; try giving some to the base addresses of data
      // sections instead (every subset of the sections with two or more global accesses),
      // and keep the smallest code (ties: the earlier, fewer bases).
      const extras: string[] = [];
      for (const [section, n] of [...best.r.lowered.dataRefs].sort((x, y) => y[1] - x[1]))
        if (n >= 2 && data.anchors.has(section)) extras.push(section);
      let bestSlots = slotsOf(best.laid);
      for (let mask = 1; mask < 1 << extras.length; mask++) {
        const chosen = extras.filter((_, i) => mask & (1 << i));
        if (chosen.length > CALLEE_SAVED_REGS.length) continue;
        const bases = new Map<string, number>(chosen.map((sec, i) => [sec, CALLEE_SAVED_REGS[i]!]));
        const tryIt = lowerWith({ bases });
        if (!tryIt.r.lowered || !tryIt.laid || "error" in tryIt.laid) continue;
        const n = slotsOf(tryIt.laid);
        if (n < bestSlots) {
          best = tryIt;
          bestSlots = n;
        }
      }
    }
    const r = best.r;
    diagnostics.push(...r.diagnostics);
    if (!r.lowered) continue;
    if (r.lowered.usesStartedFlag !== usesStarted(p))
      throw new Error("codegen: the started flag's placement disagrees with the lowering");
    const laid = best.laid!;
    if ("error" in laid) {
      // At the statement whose code holds the branch (from the line items), when known.
      const lineStart =
        laid.line !== undefined
          ? src.text
              .split("\n")
              .slice(0, laid.line - 1)
              .reduce((n, l) => n + l.length + 1, 0)
          : undefined;
      diagnostics.push({
        code: CodegenCodes.branchTooFar,
        severity: "error",
        message: laid.error,
        ...(lineStart !== undefined
          ? { range: src.range(lineStart + (laid.col ?? 1) - 1, lineStart + (laid.col ?? 1)) }
          : { file: p.file }),
      });
      continue;
    }
    const sleepable = p.needsSleepable && p.target.sections.sleepable !== undefined;
    const secTemplate = (
      sleepable
        ? p.target.sections.sleepable
        : (p.target.sections.normal ?? p.target.sections.sleepable)
    )!;
    const section = secTemplate.includes("<name>")
      ? secTemplate.replace("<name>", p.name)
      : secTemplate.endsWith("/")
        ? secTemplate + p.name
        : secTemplate;
    const symbol = symName(p, p.name);
    outputs.push({
      checked: p,
      section,
      symbol,
      code: laid,
      sourceLines: src.text.split(/\r?\n/),
      globalNames,
      mapNames,
      ...(usesStarted(p) ? { startedFlag } : {}),
      extraVars: plumbingVars(p),
      strings: r.lowered.strings,
    });
    infos.push({
      name: p.name,
      file: p.file,
      section,
      symbol,
      insns: laid.insns.length,
      slots: slotsOf(laid),
      frameSize: r.lowered.frameSize,
      sleepable,
    });
  }
  if (diagnostics.some((d) => d.severity === "error")) return { diagnostics: dedupe(diagnostics) };

  const license = checked[0]!.p.license;
  const object = buildObject(outputs, license);
  const written = tryWriteElf(object);
  diagnostics.push(...written.diagnostics);
  const result: CompileResult = { object, programs: infos, diagnostics: dedupe(diagnostics) };
  if (written.bytes) result.bytes = written.bytes;
  if (options.emitAsm) result.asm = objectToAsm(object, outputs);
  return result;
}

function slotsOf(laid: LaidOut): number {
  return laid.insns.reduce((n, i) => n + (i.opcode === 0x18 ? 2 : 1), 0);
}

function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const d of ds) {
    const k = JSON.stringify([d.code, d.message, d.range?.file, d.range?.start.offset, d.file]);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(d);
  }
  return out.sort(compareDiagnostics);
}
