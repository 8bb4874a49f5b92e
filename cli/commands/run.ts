// `ioubpf run x.o [--scenario s.yaml] [--trace] [--json] [--target t] [--program name]`:
// executes an object in the VM against a scripted ring and prints what happened (docs/vm.md).
import { readElf } from "../../src/elf/reader.js";
import { findTarget, TARGET_NAMES } from "../../src/targets/targets.js";
import { defaultScenario, locateInScenario, parseScenario } from "../../src/vm/scenario.js";
import type { Diagnostic } from "../../src/diagnostics/index.js";
import { loadYaml } from "../../src/util/yaml.js";
import { VmCodes } from "../../src/vm/codes.js";
import { simulate } from "../../src/vm/simulate.js";
import { prepassObject } from "../../src/verifier/prepass.js";
import { formatTrace, traceToJson } from "../../src/vm/trace.js";
import {
  escapeListing,
  isDiagnostic,
  readBinaryInput,
  readTextInput,
  report,
  SourceCache,
} from "../io.js";
import type { RegisterCommand } from "./index.js";

interface RunOptions {
  scenario?: string;
  trace?: boolean;
  json?: boolean;
  target?: string;
  program?: string;
}

export const registerRun: RegisterCommand = (program, ctx) => {
  program
    .command("run")
    .description("run a BPF object in the VM against a simulated io_uring")
    .argument("<file>", "BPF ELF object (.o)")
    .option(
      "-s, --scenario <file>",
      "scenario (YAML or JSON) scripting the ring; default: one BPF request, defaults for every SQE",
    )
    .option(
      "--trace",
      "also print every helper call (default: submissions, runs, exits, CQEs, final state)",
    )
    .option("--json", "print the trace and diagnostics as JSON")
    .option(
      "--target <name>",
      `target (${TARGET_NAMES.join(", ")}); default: the scenario's, else linux-7.1 for a struct_ops object, else iouring-v2`,
    )
    .option("-p, --program <name>", "program (function or section name) the first BPF request runs")
    .action((file: string, opts: RunOptions) => {
      const { io } = ctx;
      if (opts.target !== undefined && !findTarget(opts.target))
        return ctx.usage(`unknown target '${opts.target}' (targets: ${TARGET_NAMES.join(", ")})`);
      const sources = new SourceCache();
      let scenario = defaultScenario();
      if (opts.scenario) {
        const text = readTextInput(opts.scenario, "a scenario (YAML or JSON)");
        if (isDiagnostic(text)) return ctx.setExit(report(io, [text], { json: opts.json }));
        sources.add(text);
        // A golden scenario's `sources:` (the files compiled with it) is accepted and ignored.
        const parsed = parseScenario(text.text, opts.scenario, { extraKeys: ["sources"] });
        if (!parsed.scenario)
          return ctx.setExit(report(io, parsed.diagnostics, { json: opts.json, sources }));
        scenario = parsed.scenario;
      }
      const bytes = readBinaryInput(file);
      if (isDiagnostic(bytes)) return ctx.setExit(report(io, [bytes], { json: opts.json }));
      const { object, diagnostics } = readElf(bytes, file);
      if (!object) return ctx.setExit(report(io, diagnostics, { json: opts.json }));
      // An object no kernel loads (an invalid instruction anywhere, even where no path
      // reaches) is refused before it runs, with the verifier's pre-pass codes.
      const bad = prepassObject(object);
      if (bad.length)
        return ctx.setExit(
          report(
            io,
            bad.slice(0, 10).map((b) => ({
              code: b.code,
              severity: "error" as const,
              message: `${b.section}+0x${b.byteOffset.toString(16)} (insn ${b.byteOffset / 8}): ${b.message}`,
              file,
            })),
            { json: opts.json },
          ),
        );
      const result = simulate(object, scenario, {
        ...(opts.target ? { target: findTarget(opts.target)!.name } : {}),
        ...(opts.program ? { program: opts.program } : {}),
        file,
      });
      const all = [
        ...diagnostics,
        ...result.diagnostics.map((d) =>
          opts.scenario && !d.range
            ? atScenarioKey(
                d,
                sources.get(opts.scenario)?.text ?? "",
                opts.scenario,
                opts.program !== undefined,
              )
            : d,
        ),
      ];
      if (opts.json)
        return ctx.setExit(report(io, all, { json: true, extra: { trace: traceToJson(result) } }));
      if (result.final || result.events.length) {
        io.stdout(escapeListing(formatTrace(result, { helpers: opts.trace ?? false })));
      }
      ctx.setExit(report(io, all, { sources }));
    });
};

/**
 * Problems the VM finds when it applies the scenario to the object (a map or program the
 * object lacks) are located at the scenario key that names them, not at the object.
 */
function atScenarioKey(
  d: Diagnostic,
  text: string,
  file: string,
  programFromCli: boolean,
): Diagnostic {
  let path: string | undefined;
  let atKey = false;
  const m = /^(maps\.[^:\s]+|globals\.[^:\s]+):/.exec(d.message);
  if (m) {
    path = m[1]!;
    atKey = true;
  } else {
    const p = /^program (\S+) \(scenario programs\)/.exec(d.message);
    if (p) {
      const top = loadYaml(text, file, VmCodes.badScenario).value as { programs?: unknown } | null;
      const names = Array.isArray(top?.programs) ? (top.programs as unknown[]) : [];
      const i = names.indexOf(p[1]!);
      path = i >= 0 ? `programs[${i}]` : "programs";
    } else if (/^no program named /.test(d.message) && !programFromCli) path = "program";
  }
  if (!path) return d;
  const range = locateInScenario(text, file, path, atKey);
  if (!range) return d;
  const { file: _drop, ...rest } = d;
  void _drop;
  return { ...rest, range };
}
