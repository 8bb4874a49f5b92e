#!/usr/bin/env node
// Bundles the CLI, the bundler plugins and the module hook with esbuild into dist/bundle/
// (docs/plugins.md, "Start-up"): one file per entry plus shared chunks, so the binary reads a
// handful of files instead of ~150 modules, and each subcommand's code stays in its own lazily
// imported chunk. koffi (native), unplugin (the bundlers') and elfy stay external packages.
// Then the start-up snapshot of `compile` and `check` (cli/snapshot.ts) for this Node binary,
// and `ioubpf`, the shell wrapper the package's bin names, which uses it when it fits.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { chmodSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
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

// The snapshot: one CommonJS script (a snapshot cannot load modules at run time), warmed up
// on the examples. Built with the Node that runs this script; the stamp names that binary.
// V8 flags of the snapshot (a snapshot only loads under the flags it was built with):
// no TurboFan. A compile is a short run; measured, optimising compiles cost more CPU than
// they return (bench/startup.ts), and Maglev still optimises long runs such as --out-dir.
const SNAPSHOT_FLAGS = ["--max-opt=2"];
const warm = [
  "examples/copy/copy.bpf.ts",
  "examples/echo/echo.bpf.ts",
  "examples/nop-pump/nop-pump.bpf.ts",
  "examples/open-read-close/orc.bpf.ts",
  "examples/ticker/ticker.bpf.ts",
].map((path) => ({ path, text: readFileSync(join(root, path), "utf8") }));
await build({
  absWorkingDir: root,
  entryPoints: ["cli/snapshot.ts"],
  outfile: join(outdir, "snapshot.cjs"),
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  external: ["koffi"],
  define: { __IOUBPF_WARM_SOURCES__: JSON.stringify(warm) },
  // The snapshot always names its two commands, so runCli never imports the list of all of
  // them: leaving it (and the VM, assembler, kernel oracle and yaml behind it) out of the
  // script makes a smaller heap to load at every start.
  plugins: [
    {
      name: "no-command-list",
      setup(b) {
        b.onResolve({ filter: /^\.\/commands\/index\.js$/ }, (args) =>
          args.importer.endsWith(join("cli", "main.ts"))
            ? { path: "command-list", namespace: "ioubpf-stub" }
            : undefined,
        );
        b.onLoad({ filter: /.*/, namespace: "ioubpf-stub" }, () => ({
          contents: "export const commands = [];",
          loader: "js",
        }));
      },
    },
  ],
  // Less source text in the heap: a smaller snapshot to map and deserialise.
  minify: process.env.IOUBPF_SNAPSHOT_MINIFY !== "0",
  logLevel: "error",
});
const wantSnapshot = !process.argv.includes("--no-snapshot");
const snap = !wantSnapshot
  ? { status: 1, stderr: "" }
  : spawnSync(
      process.execPath,
      [
        ...SNAPSHOT_FLAGS,
        "--snapshot-blob",
        join(outdir, "ioubpf.blob"),
        "--build-snapshot",
        join(outdir, "snapshot.cjs"),
      ],
      { cwd: outdir, encoding: "utf8" },
    );
if (snap.status === 0) {
  // Names the Node binary that built the blob: the wrapper loads the blob only in that file.
  symlinkSync(realpathSync(process.execPath), join(outdir, "ioubpf.node"));
} else if (wantSnapshot) {
  // Not fatal: the wrapper then always runs ioubpf.js.
  console.warn(
    `no start-up snapshot (node --build-snapshot failed): ${snap.stderr.split("\n").slice(-3).join(" ")}`,
  );
}
const wrapper = join(outdir, "ioubpf");
// Shell built-ins only on the way to exec (no subshell, no stat process: each fork costs about
// a millisecond of a start-up measured in tens): the node on PATH is looked up with a loop,
// and it is the binary that built the blob when it is the same file as ioubpf.node (test -ef:
// device and inode) and not newer than the blob (test -nt: replaced in place).
writeFileSync(
  wrapper,
  `#!/bin/sh
# ioubpf: compile and check start from a V8 snapshot of the loaded, warmed-up compiler when the
# node on PATH is the binary that built it (ioubpf.node links to it); otherwise, and for every
# other command, the bundled ES module CLI.
p=$0
[ -L "$p" ] && p=$(readlink -f "$p")
case $p in */*) ;; *) p=./$p ;; esac
d=\${p%/*}
case "$1" in
  compile|check)
    n=
    o=$IFS
    IFS=:
    set -f
    for x in $PATH; do
      x=\${x:-.}/node
      if [ -f "$x" ] && [ -x "$x" ]; then n=$x; break; fi
    done
    set +f
    IFS=$o
    if [ -n "$n" ] && [ "$n" -ef "$d/ioubpf.node" ] && [ -f "$d/ioubpf.blob" ] && ! [ "$n" -nt "$d/ioubpf.blob" ]; then
      # compile and check open no TLS connection, and Node 20 parses every certificate of
      # NODE_EXTRA_CA_CERTS at start-up (a CA bundle: tens of ms), so they go without it.
      unset NODE_EXTRA_CA_CERTS
      exec "$n" ${SNAPSHOT_FLAGS.join(" ")} --snapshot-blob "$d/ioubpf.blob" -- "$@"
    fi ;;
esac
exec node "$d/ioubpf.js" "$@"
`,
);
chmodSync(wrapper, 0o755);
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(
  `${outdir}: ${Object.keys(result.metafile.outputs).length} files, ${(bytes / 1024).toFixed(0)} KiB, ${(performance.now() - started).toFixed(0)} ms`,
);
