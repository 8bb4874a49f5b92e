// Public API of the bytecode verifier: verifyObject(obj, { target, file }) checks every
// program of an object (ours, clang's, assembled) and explains each rejection with the rule,
// the instruction, the source line (through .BTF.ext line_info) and the branch decisions on
// the path that broke the rule. See docs/verifier.md.
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import type { Diagnostic, SourceRange } from "../diagnostics/index.js";
import { decodeBtf } from "../elf/btf.js";
import { decodeBtfExt } from "../elf/btf-ext.js";
import type { ObjFile } from "../elf/types.js";
import { DEFAULT_TARGET, findTarget, type TargetName } from "../targets/targets.js";
import { VerifierCodes } from "./codes.js";
import { analyze, type Decision } from "./engine.js";
import { indexObject, linkProgram, programEntries, type LinkedProgram } from "./program.js";
import { rulesFor } from "./rules.js";
import { prepareRodata } from "./structops.js";

export { VerifierCodes } from "./codes.js";
export { COMPLEXITY_LIMIT, MAX_CALL_FRAMES } from "./engine.js";
export { rulesFor, isGplCompatible, isSleepableSection, type ProgramRules } from "./rules.js";
export { DEFAULT_GEOMETRY_RODATA } from "./structops.js";

export interface VerifyOptions {
  target?: TargetName | string;
  /** The object's path: names it in diagnostics and anchors relative source paths. */
  file?: string;
  /** Verify only this program (function or section name). */
  program?: string;
  /** Override the sleepable flag the section name implies. */
  sleepable?: boolean;
  /**
   * Also apply the unprivileged kernel's Spectre-v1 mitigations (speculative path walk,
   * pointer-arithmetic sanitation, no partial overwrite of a spilled pointer). Default off:
   * we match the kernel as the privileged io_uring loader sees it (docs/verifier.md).
   */
  unprivileged?: boolean;
  /**
   * linux-7.1: `.rodata` values the verifier takes as known constants (the kernel sees the
   * loader's values, frozen). Default: the ring geometry of DEFAULT_GEOMETRY_RODATA; every
   * other `.rodata` variable (`declare const`) is unknown unless given here.
   */
  rodata?: Readonly<Record<string, bigint | number>>;
  /**
   * iouring-v1/v2: `.rodata` holds placeholders the loader replaces before load (`declare const` in a just
   * compiled object): read it as unknown values instead of constants, so no path that a
   * loader-set value enables is called dead (E6008). `ioubpf compile` sets it.
   */
  rodataUnknown?: boolean;
  /** Reads a source file named by line_info (default: the file system; return undefined when absent). */
  readSource?: (path: string) => string | undefined;
}

export interface ProgramStats {
  name: string;
  section: string;
  insns: number;
  statesExplored: number;
  insnsProcessed: number;
  timeMs: number;
  verdict: "accept" | "reject";
}

/** One rejection as data (what --json prints besides the diagnostic). */
export interface Rejection {
  program: string;
  code: string;
  message: string;
  insn?: number;
  text?: string;
  source?: { file: string; line: number; col: number; text: string };
  /** The last branch decisions of the failing path (at most 64: MAX_PATH in engine.ts). */
  path: Decision[];
  /** Decisions on the whole path, when more than `path` holds. */
  pathLength?: number;
}

export interface VerifyResult {
  ok: boolean;
  diagnostics: Diagnostic[];
  stats: { programs: ProgramStats[] };
  rejections: Rejection[];
}

interface LineRec {
  off: number;
  file: string;
  line: number;
  col: number;
  text: string;
}

function lineTable(obj: ObjFile): Map<string, LineRec[]> {
  const out = new Map<string, LineRec[]>();
  const btfSec = obj.sections.find((s) => s.name === ".BTF");
  const extSec = obj.sections.find((s) => s.name === ".BTF.ext");
  if (!btfSec || !extSec) return out;
  try {
    const btf = decodeBtf(btfSec.data);
    const ext = decodeBtfExt(extSec.data, (off) => btf.stringAt(off));
    for (const block of ext.lineInfo) {
      const list = out.get(block.section) ?? [];
      for (const r of block.records)
        list.push({
          off: r.insnOff,
          file: r.fileName ?? "",
          line: r.line,
          col: r.col,
          text: r.lineText ?? "",
        });
      list.sort((a, b) => a.off - b.off);
      out.set(block.section, list);
    }
  } catch {
    // unreadable line info only costs the source lines
  }
  return out;
}

function lineFor(table: Map<string, LineRec[]>, section: string, off: number): LineRec | undefined {
  const list = table.get(section);
  if (!list) return undefined;
  let best: LineRec | undefined;
  for (const r of list) {
    if (r.off > off) break;
    if (r.line > 0) best = r;
  }
  return best;
}

const defaultRead = (path: string): string | undefined => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
};

/** Formats a decision as "if r0 == 0x0 goto +0x5 at insn 12 (taken)". */
export function describeDecision(d: Decision): string {
  return `${d.text} at insn ${d.pc} (${d.taken ? "taken" : "not taken"})`;
}

export function verifyObject(obj: ObjFile, options: VerifyOptions = {}): VerifyResult {
  const file = options.file ?? "<object>";
  const diagnostics: Diagnostic[] = [];
  const rejections: Rejection[] = [];
  const programs: ProgramStats[] = [];
  const target = findTarget(options.target ?? DEFAULT_TARGET);
  if (!target) {
    diagnostics.push({
      code: VerifierCodes.targetUnsupported,
      severity: "error",
      message: `unknown target '${options.target}'`,
      file,
    });
    return { ok: false, diagnostics, stats: { programs }, rejections };
  }
  let entries = programEntries(obj);
  if (options.program)
    entries = entries.filter(
      (e) => e.name === options.program || e.section.name === options.program,
    );
  if (entries.length === 0) {
    diagnostics.push({
      code: VerifierCodes.noProgram,
      severity: "error",
      message: options.program
        ? `no program named '${options.program}'`
        : "the object has no program (a code section other than .text)",
      file,
    });
    return { ok: false, diagnostics, stats: { programs }, rejections };
  }
  const lines = lineTable(obj);
  const read = options.readSource ?? defaultRead;
  // object-wide lookups built once and shared by every program (linear in the program count)
  const index = indexObject(obj);
  for (const entry of entries) {
    const t0 = performance.now();
    let linked: LinkedProgram;
    try {
      // linux-7.1 has its own .rodata model (known geometry, unknown `declare const`s).
      const rodataUnknown =
        (options.rodataUnknown ?? false) && target.context.kind !== "structOpsArgs";
      linked = linkProgram(obj, entry, { rodataUnknown, index });
    } catch (e) {
      diagnostics.push({
        code: VerifierCodes.badInstruction,
        severity: "error",
        message: `program '${entry.name}' cannot be read: ${(e as Error).message}`,
        file,
      });
      continue;
    }
    const rules = rulesFor(
      target.name,
      entry.section.name,
      linked.license,
      options.sleepable,
      options.unprivileged ?? false,
    );
    const insnCount = linked.insns.filter(Boolean).length;
    const reject = (
      code: string,
      message: string,
      pc: number | undefined,
      path: Decision[],
      hint?: string,
      pathLength = path.length,
    ): void => {
      const insn = pc !== undefined && pc >= 0 ? linked.insns[pc] : undefined;
      const src = insn ? lineFor(lines, insn.section, insn.byteOffset) : undefined;
      let range: SourceRange | undefined;
      let sourceText: string | undefined;
      if (src?.file) {
        // a relative name is tried next to the object first, then from the working directory
        const near =
          isAbsolute(src.file) || !options.file ? src.file : join(dirname(options.file), src.file);
        let path0 = near;
        let text = read(near);
        if (text === undefined && near !== src.file) {
          text = read(src.file);
          path0 = src.file;
        }
        const col = Math.max(1, src.col);
        const lineText = text?.split(/\r?\n/)[src.line - 1];
        if (text !== undefined && lineText !== undefined) {
          const offset =
            text
              .split(/\r?\n/)
              .slice(0, src.line - 1)
              .reduce((a, l) => a + l.length + 1, 0) +
            col -
            1;
          const endCol = Math.max(col + 1, lineText.trimEnd().length + 1);
          range = {
            file: path0,
            start: { line: src.line, col, offset },
            end: { line: src.line, col: endCol, offset: offset + (endCol - col) },
          };
        } else sourceText = `${src.file}:${src.line}: ${src.text.trim()}`;
      }
      const where = insn ? `insn ${insn.pc} \`${insn.text}\`` : undefined;
      const pathText = path.slice(-8).map(describeDecision);
      const hintLines = [
        ...(hint ? [hint] : []),
        ...(sourceText ? [`source: ${sourceText}`] : []),
        ...(pathText.length ? [`path: ${path.length > 8 ? "… " : ""}${pathText.join("; ")}`] : []),
      ];
      diagnostics.push({
        code,
        severity: "error",
        message: `program '${entry.name}'${where ? `, ${where}` : ""}: ${message}`,
        ...(range ? { range } : { file }),
        ...(hintLines.length ? { hint: hintLines.join("\n  ") } : {}),
      });
      rejections.push({
        program: entry.name,
        code,
        message,
        ...(insn ? { insn: insn.pc, text: insn.text } : {}),
        ...(src
          ? { source: { file: src.file, line: src.line, col: src.col, text: src.text } }
          : {}),
        path,
        ...(pathLength > path.length ? { pathLength } : {}),
      });
    };
    /** Stats of a program rejected before any path was explored. */
    const rejectedUnexplored = (): void => {
      programs.push({
        name: entry.name,
        section: entry.section.name,
        insns: insnCount,
        statesExplored: 0,
        insnsProcessed: 0,
        timeMs: performance.now() - t0,
        verdict: "reject",
      });
    };
    if (Object.keys(target.kfuncs).length > 0) {
      // Targets with kfuncs: the engine checks each kfunc call on the paths that reach it.
      linked.problems = linked.problems.filter((pr) => pr.kfunc === undefined);
      prepareRodata(obj, linked, options.rodata, index);
    }
    if (linked.problems.length) {
      for (const pr of linked.problems.slice(0, 10))
        reject(pr.code, pr.message, pr.pc, [], pr.hint);
      rejectedUnexplored();
      continue;
    }
    if (target.requiresGplLicense && !rules.gplLicense) {
      reject(
        VerifierCodes.gplOnly,
        `${target.name} programs must have a GPL-compatible license (struct_ops programs and the io_uring kfuncs are GPL-only); the license is ${linked.license ? `'${linked.license}'` : "missing"}`,
        undefined,
        [],
        'add a `license` section with "GPL" (or "Dual MIT/GPL")',
      );
      rejectedUnexplored();
      continue;
    }
    if (rules.ctx.kind === "unsupported") {
      reject(
        VerifierCodes.targetUnsupported,
        `verification of ${target.name} programs (struct_ops with BTF arguments) is not implemented`,
        undefined,
        [],
      );
      rejectedUnexplored();
      continue;
    }
    let r: ReturnType<typeof analyze>;
    try {
      r = analyze(linked, rules);
    } catch (e) {
      // an internal fault must not escape the public API
      reject(
        VerifierCodes.unsupportedInsn,
        `internal verifier error: ${(e as Error).message}`,
        undefined,
        [],
      );
      rejectedUnexplored();
      continue;
    }
    if (r.failure)
      reject(
        r.failure.code,
        r.failure.message,
        r.failure.pc,
        r.failure.path,
        r.failure.hint,
        r.failure.pathLength,
      );
    else if (r.dead.length) {
      const first = linked.insns[r.dead[0]!]!;
      diagnostics.push({
        code: VerifierCodes.deadCode,
        severity: "warning",
        message: `program '${entry.name}': ${r.dead.length} instruction${r.dead.length === 1 ? "" : "s"} can never run (first: insn ${first.pc} \`${first.text}\`); the kernel removes them`,
        file,
      });
    }
    programs.push({
      name: entry.name,
      section: entry.section.name,
      insns: insnCount,
      statesExplored: r.statesExplored,
      insnsProcessed: r.insnsProcessed,
      timeMs: performance.now() - t0,
      verdict: r.failure ? "reject" : "accept",
    });
  }
  return {
    ok: !diagnostics.some((d) => d.severity === "error"),
    diagnostics,
    stats: { programs },
    rejections,
  };
}

/**
 * For the compile command: verifies the object it is about to write. Returns only the
 * diagnostics (errors mean: do not write the object unless the user opted out).
 */
export function verifyCompiled(obj: ObjFile, target: TargetName, file?: string): Diagnostic[] {
  return verifyObject(obj, { target, ...(file ? { file } : {}) }).diagnostics;
}
