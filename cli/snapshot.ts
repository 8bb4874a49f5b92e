// The start-up snapshot of `ioubpf compile` and `ioubpf check` (docs/plugins.md, "Start-up").
// scripts/bundle.mjs bundles this file as one CommonJS script and runs it under
// `node --build-snapshot`: the modules are loaded, the chevrotain grammar is built and the
// compiler has run once on the examples, all before the snapshot is taken; the `ioubpf`
// wrapper then starts `node --snapshot-blob` and only the command itself runs. Anything that
// depends on the run (terminal, environment, arguments) is read in the main function.
import v8 from "node:v8";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "./main.js";
import { registerCheck } from "./commands/check.js";
import { registerCompile } from "./commands/compile.js";
import { compile } from "../src/compile.js";
import { checkSource } from "../src/check/index.js";
import { SourceFile, formatDiagnostics } from "../src/diagnostics/index.js";

/** Example sources, inlined by the bundler (`define`). */
declare const __IOUBPF_WARM_SOURCES__: { path: string; text: string }[];

// Warm-up: every phase runs once, so its bytecode is in the snapshot; the commands too, on
// files in a temporary directory, their output thrown away.
// (An async function, not top-level await: the snapshot script is CommonJS. The snapshot is
// taken once the event loop is empty, so after it.)
const quiet = { stdout: () => {}, stderr: () => {}, color: false };
async function warmUp(): Promise<void> {
  const warmDir = mkdtempSync(join(tmpdir(), "ioubpf-snapshot-"));
  for (const s of __IOUBPF_WARM_SOURCES__) {
    for (const target of ["linux-7.1", "iouring-v2", "iouring-v1"]) {
      const r = compile(s, { target, globals: false });
      formatDiagnostics(r.diagnostics, { sources: () => new SourceFile(s.path, s.text) });
      checkSource(new SourceFile(s.path, s.text), { target });
    }
    const file = join(warmDir, s.path.replace(/^.*\//, ""));
    writeFileSync(file, s.text);
    const cmds = [registerCheck, registerCompile];
    // The default target (linux-7.1) as the commands are usually run, and iouring-v2.
    for (const target of [[], ["--target", "iouring-v2"]]) {
      await runCli(["compile", file, "-o", join(warmDir, "out.o"), ...target], quiet, cmds);
      await runCli(["check", file, ...target], quiet, cmds);
    }
  }
  rmSync(warmDir, { recursive: true, force: true });
}
void warmUp();

v8.startupSnapshot.setDeserializeMainFunction(async () => {
  // `node --snapshot-blob b -- args`: argv is [node, "--", ...args].
  const argv = process.argv.slice(process.argv[1] === "--" ? 2 : 1);
  process.exitCode = await runCli(
    argv,
    {
      stdout: (t) => process.stdout.write(t),
      stderr: (t) => process.stderr.write(t),
      color: Boolean(process.stderr.isTTY) && !process.env.NO_COLOR,
    },
    [registerCheck, registerCompile],
  );
});
