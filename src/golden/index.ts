// The golden-file runner behind `ioubpf test` (docs/golden.md). For each `x.bpf.ts` with
// expectation files beside it, compile and compare:
//   x.disasm.expected  our disassembly (`disasm -r`) of the compiled object
//   x.diag.expected    the compile diagnostics (code, range, message), for programs that must fail
//   x.trace.expected   the VM trace of the compiled object run on x.scenario.yaml
// With `update`, the expectations are rewritten instead of compared.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { errnoText, OutputError, writeOutput } from "../util/fs.js";
import { basename, dirname, join } from "node:path";
import { loadYaml } from "../util/yaml.js";
import {
  compile as defaultCompile,
  type CompileOptions,
  type CompileResult,
} from "../codegen/index.js";
import type { Diagnostic } from "../diagnostics/index.js";
import { disassemble } from "../disasm/objdump.js";
import { readElf } from "../elf/reader.js";
import { findTarget, type TargetName } from "../targets/targets.js";
import { parseScenario } from "../vm/scenario.js";
import { simulate } from "../vm/simulate.js";
import { formatTrace } from "../vm/trace.js";
import { VmCodes } from "../vm/codes.js";
import { unifiedDiff } from "./diff.js";

export { unifiedDiff } from "./diff.js";

export type GoldenKind = "disasm" | "diag" | "trace";
const KINDS: readonly GoldenKind[] = ["disasm", "diag", "trace"];

export interface GoldenCheck {
  source: string;
  kind: GoldenKind;
  /** The expectation file. */
  file: string;
  status: "pass" | "fail" | "updated";
  /** Unified diff (expected → actual) or the reason for a failure. */
  detail?: string;
}

export interface GoldenResult {
  checks: GoldenCheck[];
  passed: number;
  failed: number;
  updated: number;
}

export type CompileFn = (
  sources: { path: string; text: string }[],
  options: CompileOptions,
) => CompileResult;

export interface GoldenOptions {
  update?: boolean;
  /** Replaces the compiler (tests). */
  compile?: CompileFn;
}

const SUFFIX = ".bpf.ts";
const expectation = (source: string, kind: GoldenKind): string =>
  source.slice(0, -SUFFIX.length) + `.${kind}.expected`;
export const scenarioFile = (source: string): string =>
  source.slice(0, -SUFFIX.length) + ".scenario.yaml";

/** Whether `source` takes part: some expectation or a scenario beside it. */
function isCase(source: string): boolean {
  return KINDS.some((k) => existsSync(expectation(source, k))) || existsSync(scenarioFile(source));
}

/** Every `*.bpf.ts` under the paths (files are taken as given) that has expectations. */
export function findGoldenSources(paths: readonly string[]): {
  sources: string[];
  diagnostics: Diagnostic[];
} {
  const sources: string[] = [];
  const diagnostics: Diagnostic[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      if (name === "node_modules" || name.startsWith(".")) continue;
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith(SUFFIX) && isCase(p)) sources.push(p);
    }
  };
  for (const p of paths) {
    try {
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith(SUFFIX)) sources.push(p);
      else throw new Error(`not a directory or ${SUFFIX} file`);
    } catch (e) {
      diagnostics.push({
        code: VmCodes.golden,
        severity: "error",
        message: `${p}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or directory" : (e as Error).message}`,
        file: p,
      });
    }
  }
  return { sources, diagnostics };
}

/** One diagnostic per line: `file:line:col-line:col: severity CODE: message`. */
export function diagnosticsText(ds: readonly Diagnostic[]): string {
  return ds
    .map((d) => {
      const r = d.range;
      const where = r
        ? `${basename(r.file)}:${r.start.line}:${r.start.col}-${r.end.line}:${r.end.col}`
        : basename(d.file ?? "-");
      return `${where}: ${d.severity} ${d.code}: ${d.message}\n`;
    })
    .join("");
}

/**
 * The golden-only scenario key `sources` (more `.bpf.ts` files compiled into the same
 * object, e.g. the other half of a ping-pong) and the scenario's `target` (for compiling).
 * The VM reads the scenario text itself, unchanged (so its diagnostics have the file's own
 * positions), ignoring `sources`; `globals` is a VM scenario key (docs/vm.md).
 */
interface GoldenScenario {
  text: string;
  sources: string[];
  target?: TargetName;
  error?: string;
}

const GOLDEN_KEYS = ["sources"] as const;

function readGoldenScenario(path: string): GoldenScenario {
  let raw: string;
  try {
    raw = readFileSync(path, "utf8");
  } catch (e) {
    return { text: "", sources: [], error: `cannot read it: ${(e as Error).message}` };
  }
  const out: GoldenScenario = { text: raw, sources: [] };
  // Every YAML problem is E8010 at its line (never an exception out of the runner).
  const loaded = loadYaml(raw, path, VmCodes.badScenario);
  if (!loaded.doc) return { ...out, error: `\n${diagnosticsText(loaded.diagnostics)}` };
  const js = loaded.value as Record<string, unknown> | null;
  if (!js || typeof js !== "object") return out;
  if (js.sources !== undefined) {
    if (!Array.isArray(js.sources) || js.sources.some((s) => typeof s !== "string"))
      return { ...out, error: "sources: expected a list of file names" };
    out.sources = (js.sources as string[]).map((s) => join(dirname(path), s));
  }
  if (typeof js.target === "string") {
    const t = findTarget(js.target);
    if (t) out.target = t.name;
  }
  return out;
}

/** Compiles and checks (or updates) every expectation of every source. */
export function runGolden(sources: readonly string[], options: GoldenOptions = {}): GoldenResult {
  const compile: CompileFn = options.compile ?? ((s, o) => defaultCompile(s, o));
  const checks: GoldenCheck[] = [];
  for (const source of sources) checks.push(...runCase(source, compile, options.update ?? false));
  return {
    checks,
    passed: checks.filter((c) => c.status === "pass").length,
    failed: checks.filter((c) => c.status === "fail").length,
    updated: checks.filter((c) => c.status === "updated").length,
  };
}

function runCase(source: string, compile: CompileFn, update: boolean): GoldenCheck[] {
  const out: GoldenCheck[] = [];
  const scenarioPath = scenarioFile(source);
  const hasScenario = existsSync(scenarioPath);
  const wanted = KINDS.filter(
    (k) => existsSync(expectation(source, k)) || (k === "trace" && hasScenario),
  );
  const fail = (kind: GoldenKind, detail: string): void => {
    out.push({ source, kind, file: expectation(source, kind), status: "fail", detail });
  };
  // Compare with (or, updating, rewrite) one expectation.
  const settle = (kind: GoldenKind, actual: string): void => {
    try {
      settleOne(kind, actual);
    } catch (e) {
      // An expectation path that cannot be read (a directory, no permission) is a failure.
      if (!(e as NodeJS.ErrnoException).code) throw e;
      fail(kind, `cannot read ${expectation(source, kind)}: ${errnoText(e)}`);
    }
  };
  const settleOne = (kind: GoldenKind, actual: string): void => {
    const file = expectation(source, kind);
    if (update) {
      const old = existsSync(file) ? readFileSync(file, "utf8") : undefined;
      // Through the shared output writer: atomic, symlinks followed, user paths in errors.
      if (old !== actual)
        try {
          writeOutput(file, actual);
        } catch (e) {
          if (!(e instanceof OutputError)) throw e;
          return fail(kind, e.message);
        }
      out.push({ source, kind, file, status: old === actual ? "pass" : "updated" });
      return;
    }
    if (!existsSync(file))
      return fail(kind, `${basename(file)} is missing (create it with --update)`);
    const expected = readFileSync(file, "utf8");
    const diff = unifiedDiff(expected, actual, { expected: file, actual: `actual ${kind}` });
    out.push(
      diff
        ? { source, kind, file, status: "fail", detail: diff }
        : { source, kind, file, status: "pass" },
    );
  };

  let scenario: GoldenScenario | undefined;
  if (hasScenario) {
    scenario = readGoldenScenario(scenarioPath);
    if (scenario.error) {
      fail("trace", `${scenarioPath}: ${scenario.error}`);
      return out;
    }
  }
  const inputs: { path: string; text: string }[] = [];
  for (const p of [source, ...(scenario?.sources ?? [])]) {
    try {
      // Base names keep the expectations independent of where the tree is checked out.
      inputs.push({ path: basename(p), text: readFileSync(p, "utf8") });
    } catch (e) {
      for (const k of wanted) fail(k, `cannot read ${p}: ${(e as Error).message}`);
      return out;
    }
  }
  const compiled = compile(inputs, scenario?.target ? { target: scenario.target } : {});
  const failedCompile = compiled.diagnostics.some((d) => d.severity === "error") || !compiled.bytes;

  if (wanted.includes("diag")) settle("diag", diagnosticsText(compiled.diagnostics));
  const needsObject = wanted.filter((k) => k !== "diag");
  if (needsObject.length === 0) return out;
  if (failedCompile) {
    for (const k of needsObject)
      fail(k, `compilation failed:\n${diagnosticsText(compiled.diagnostics)}`);
    return out;
  }
  const name = basename(source).slice(0, -SUFFIX.length);
  // Through the bytes, so the ELF writer and reader are part of what is checked.
  const read = readElf(compiled.bytes!, `${name}.o`);
  if (!read.object) {
    for (const k of needsObject)
      fail(k, `the compiled object cannot be read:\n${diagnosticsText(read.diagnostics)}`);
    return out;
  }
  if (wanted.includes("disasm"))
    settle(
      "disasm",
      disassemble(read.object, { relocs: true, hexImm: true, fileName: `${name}.o` }),
    );
  if (wanted.includes("trace")) {
    if (!scenario) return (fail("trace", `${basename(scenarioPath)} is missing`), out);
    const parsed = parseScenario(scenario.text, scenarioPath, { extraKeys: GOLDEN_KEYS });
    if (!parsed.scenario) {
      fail("trace", `${scenarioPath}:\n${diagnosticsText(parsed.diagnostics)}`);
      return out;
    }
    const sim = simulate(read.object, parsed.scenario, { file: `${name}.o` });
    const bad = sim.diagnostics.filter((d) => d.code === VmCodes.badScenario);
    if (bad.length) {
      // The scenario does not fit the object (`globals`, `maps`): nothing to compare.
      fail("trace", `${scenarioPath}:\n${diagnosticsText(bad)}`);
      return out;
    }
    const diags = diagnosticsText(sim.diagnostics);
    settle(
      "trace",
      withoutInsnCounts(formatTrace(sim, { helpers: true })) + (diags ? `\n${diags}` : ""),
    );
  }
  return out;
}

/**
 * Traces pin behaviour (helper calls, SQEs, CQEs), not code size: instruction counts change
 * with every code-generation improvement, and disasm expectations pin the code itself.
 */
function withoutInsnCounts(trace: string): string {
  return trace.replace(/ \(\d+ insns\)/g, "").replace(/, \d+ instructions,/g, ",");
}

/** The text `ioubpf test` prints: diffs of failures, then "N passed, M failed". */
export function goldenReport(r: GoldenResult, options: { verbose?: boolean } = {}): string {
  const lines: string[] = [];
  for (const c of r.checks) {
    if (c.status === "fail") lines.push(`FAIL ${c.file}`, c.detail?.trimEnd() ?? "", "");
    else if (c.status === "updated") lines.push(`updated ${c.file}`);
    else if (options.verbose) lines.push(`ok   ${c.file}`);
  }
  lines.push(`${r.passed} passed, ${r.failed} failed${r.updated ? `, ${r.updated} updated` : ""}`);
  return lines.join("\n") + "\n";
}
