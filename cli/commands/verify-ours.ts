// `ioubpf verify x.o [--target …] [--program name] [--json]` without --kernel: our own
// verifier (src/verifier, docs/verifier.md). Prints one line per program and the
// diagnostics (with source code frames when line_info names a readable file).
import type { Diagnostic } from "../../src/diagnostics/index.js";
import { SourceFile } from "../../src/diagnostics/index.js";
import type { ObjFile } from "../../src/elf/types.js";
import type { TargetName } from "../../src/targets/targets.js";
import { verifyObject } from "../../src/verifier/index.js";
import { type CliIO, escapeListing, report, SourceCache } from "../io.js";
import { readFileSync } from "node:fs";

export function runOurVerifier(
  io: CliIO,
  object: ObjFile,
  readDiagnostics: Diagnostic[],
  file: string,
  target: TargetName,
  opts: { program?: string; json?: boolean },
): number {
  const sources = new SourceCache();
  const r = verifyObject(object, {
    target,
    file,
    ...(opts.program ? { program: opts.program } : {}),
    readSource: (path) => {
      const have = sources.get(path);
      if (have) return have.text;
      const text = readText(path);
      if (text !== undefined) sources.add(new SourceFile(path, text));
      return text;
    },
  });
  const all = [...readDiagnostics, ...r.diagnostics];
  if (opts.json)
    return report(io, all, {
      json: true,
      extra: {
        verifier: "ioubpf",
        target,
        programs: r.stats.programs,
        // A path can have one decision per instruction processed: the verifier keeps the last
        // 64 (docs/limits.md); say how many were cut.
        rejections: r.rejections.map((x) =>
          x.pathLength !== undefined ? { ...x, pathCut: x.pathLength - x.path.length } : x,
        ),
      },
    });
  for (const p of r.stats.programs)
    io.stdout(
      escapeListing(
        `${file}: ${p.name}: ${p.verdict === "accept" ? "accepted" : "rejected"} (target ${target}, ${p.insns} insns, ${p.insnsProcessed} processed, ${p.statesExplored} states, ${p.timeMs.toFixed(1)} ms)\n`,
      ),
    );
  return report(io, all, { sources });
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}
