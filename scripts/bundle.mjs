#!/usr/bin/env node
// Bundles the CLI, the bundler plugins and the module hook with esbuild into dist/bundle/
// (docs/plugins.md, "Start-up"): one file per entry plus shared chunks, so the binary reads a
// handful of files instead of ~150 modules, and each subcommand's code stays in its own lazily
// imported chunk. koffi (native), unplugin (the bundlers') and elfy stay external packages.
import { build } from "esbuild";
import { chmodSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// `--outdir d` (tests build their own copy, so two test files never race on dist/).
const at = process.argv.indexOf("--outdir");
const outdir = at > 0 ? process.argv[at + 1] : join(root, "dist", "bundle");
rmSync(outdir, { recursive: true, force: true });
const started = performance.now();
const result = await build({
  absWorkingDir: root,
  entryPoints: {
    ioubpf: "cli/ioubpf.ts",
    index: "src/index.ts",
    register: "src/register.ts",
    "register-hooks": "src/register-hooks.ts",
    "plugin/vite": "src/plugin/vite.ts",
    "plugin/rollup": "src/plugin/rollup.ts",
    "plugin/esbuild": "src/plugin/esbuild.ts",
    "plugin/webpack": "src/plugin/webpack.ts",
    "plugin/rspack": "src/plugin/rspack.ts",
  },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  chunkNames: "chunks/[name]-[hash]",
  external: ["koffi", "unplugin", "elfy"],
  // Bundled CommonJS (commander) calls require() for Node built-ins.
  banner: {
    js: 'import { createRequire as __ioubpfCreateRequire } from "node:module"; const require = __ioubpfCreateRequire(import.meta.url);',
  },
  sourcemap: false,
  metafile: true,
  logLevel: "warning",
});
chmodSync(join(outdir, "ioubpf.js"), 0o755);
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(
  `${outdir}: ${Object.keys(result.metafile.outputs).length} files, ${(bytes / 1024).toFixed(0)} KiB, ${(performance.now() - started).toFixed(0)} ms`,
);
