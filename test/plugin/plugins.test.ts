// Real builds with each bundler (docs/plugins.md): an app importing an example builds, the
// bundle runs under Node and carries exactly the bytes `ioubpf compile` writes; a broken
// .bpf.ts fails the build at its location; warnings are bundler warnings; Vite and esbuild
// watch builds pick up an edit; `node --import ioubpf/register` gives the same module.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { DEAD_BRANCH, buildTestBundle, cliObject, removeDir, repo } from "./helpers.js";
import vitePlugin from "../../src/plugin/vite.js";
import rollupPlugin from "../../src/plugin/rollup.js";
import esbuildPlugin from "../../src/plugin/esbuild.js";
import webpackPlugin from "../../src/plugin/webpack.js";
import rspackPlugin from "../../src/plugin/rspack.js";

// Explicit target, not the default (linux-7.1): the iouring-v2 form of the copy example.
const OPTS = { target: "iouring-v2" } as const;
const EXAMPLE = join(repo, "examples/copy/v2/copy.bpf.ts");
const BROKEN = "export function onStart(): void {\n  let x: u32 = ;\n}\n";

let tmp = "";
let expected: Buffer;

/** An app that prints what it imported, as JSON. */
function writeApp(dir: string, bpf: string, name = "app.mjs"): string {
  const app = join(dir, name);
  writeFileSync(
    app,
    `import prog from ${JSON.stringify(bpf)};\n` +
      `console.log(JSON.stringify({ u8: prog.object instanceof Uint8Array, ` +
      `b64: Buffer.from(prog.object).toString("base64"), programs: prog.programs.map((p) => p.name), globals: prog.globals }));\n`,
  );
  return app;
}

function runBundle(file: string): {
  u8: boolean;
  b64: string;
  programs: string[];
  globals: { name: string; section: string; offset: number; type: string }[];
} {
  const r = spawnSync(process.execPath, [file], { encoding: "utf8" });
  assert.equal(r.status, 0, `node ${file} failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function assertCarriesExample(out: ReturnType<typeof runBundle>): void {
  assert.equal(out.u8, true, "object is a Uint8Array");
  assert.ok(Buffer.from(out.b64, "base64").equals(expected), "object bytes equal ioubpf compile's");
  assert.deepEqual(out.programs, ["copy"]);
  const inFd = out.globals.find((g) => g.name === "IN_FD");
  assert.deepEqual(inFd, { name: "IN_FD", section: ".rodata", offset: 0, size: 4, type: "i32" });
  assert.ok(
    out.globals.some((g) => g.name === "offset" && g.section === ".bss" && g.type === "u64"),
  );
}

/** The first line of a compile error names the broken file, line 2. */
const LOCATED = /broken\.bpf\.ts:2:\d+: error E\d{4}/;

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), "ioubpf-plugin-"));
  writeFileSync(join(tmp, "broken.bpf.ts"), BROKEN);
  writeFileSync(join(tmp, "dead.bpf.ts"), DEAD_BRANCH);
  // Paths in line info are relative to the working directory, as for the CLI run from there.
  expected = await cliObject(relative(process.cwd(), EXAMPLE), ["--target", "iouring-v2"], tmp);
});
after(() => removeDir(tmp));

describe("vite", () => {
  test("build: the bundle carries the object; a broken file fails at its location", async () => {
    const { build } = await import("vite");
    const dir = mkdtempSync(join(tmp, "vite-"));
    const app = writeApp(dir, EXAMPLE);
    const common = { root: dir, configFile: false as const, logLevel: "silent" as const };
    await build({
      ...common,
      plugins: [vitePlugin(OPTS)],
      build: {
        ssr: app,
        outDir: join(dir, "out"),
        rollupOptions: { output: { entryFileNames: "app.mjs" } },
      },
    });
    assertCarriesExample(runBundle(join(dir, "out/app.mjs")));
    const bad = writeApp(dir, join(tmp, "broken.bpf.ts"), "bad.mjs");
    await assert.rejects(
      build({
        ...common,
        plugins: [vitePlugin(OPTS)],
        build: { ssr: bad, outDir: join(dir, "bad") },
      }),
      (e: Error) => LOCATED.test(e.message) && e.message.includes("let x: u32 = ;"),
    );
  });

  test("watch: editing the .bpf.ts rebuilds", async () => {
    const { build } = await import("vite");
    const dir = mkdtempSync(join(tmp, "vitew-"));
    const src = join(dir, "copy.bpf.ts");
    copyFileSync(EXAMPLE, src);
    const app = writeApp(dir, src);
    const watcher = (await build({
      root: dir,
      configFile: false,
      logLevel: "silent",
      plugins: [vitePlugin(OPTS)],
      build: {
        ssr: app,
        outDir: join(dir, "out"),
        watch: {},
        rollupOptions: { output: { entryFileNames: "app.mjs" } },
      },
    })) as import("rollup").RollupWatcher;
    try {
      await rebuilt(watcher);
      const first = runBundle(join(dir, "out/app.mjs")).b64;
      const next = rebuilt(watcher);
      writeFileSync(src, readFileSync(src, "utf8").replace("16 * 1024", "8 * 1024"));
      await next;
      const second = runBundle(join(dir, "out/app.mjs")).b64;
      assert.notEqual(second, first, "the edit changed the object");
      const edited = await cliObject(src, ["--target", "iouring-v2"], tmp);
      assert.ok(Buffer.from(second, "base64").equals(edited), "rebuilt bytes equal the CLI's");
    } finally {
      await watcher.close();
    }
  });
});

/** Resolves at the next successful end of a Rollup/Vite watch build. */
function rebuilt(w: import("rollup").RollupWatcher): Promise<void> {
  return new Promise((resolve, reject) => {
    const on = (e: import("rollup").RollupWatcherEvent): void => {
      if (e.code === "BUNDLE_END") void e.result.close();
      if (e.code === "END") {
        w.off("event", on);
        resolve();
      }
      if (e.code === "ERROR") {
        w.off("event", on);
        reject(e.error);
      }
    };
    w.on("event", on);
  });
}

describe("rollup", () => {
  test("build, warnings and a located error", async () => {
    const { rollup } = await import("rollup");
    const dir = mkdtempSync(join(tmp, "rollup-"));
    const bundle = await rollup({
      input: writeApp(dir, EXAMPLE),
      plugins: [rollupPlugin(OPTS)],
    });
    await bundle.write({ file: join(dir, "app.mjs"), format: "es" });
    await bundle.close();
    assertCarriesExample(runBundle(join(dir, "app.mjs")));
    // dead.bpf.ts has a branch the verifier finds dead: its E6008 warning reaches onwarn.
    const warnings: string[] = [];
    const warned = await rollup({
      input: writeApp(dir, join(tmp, "dead.bpf.ts"), "dead.mjs"),
      plugins: [rollupPlugin(OPTS)],
      onwarn: (w) => void warnings.push(w.message),
    });
    await warned.close();
    assert.ok(
      warnings.some((w) => /E6008/.test(w)),
      `warnings: ${warnings.join("\n")}`,
    );
    await assert.rejects(
      rollup({
        input: writeApp(dir, join(tmp, "broken.bpf.ts"), "bad.mjs"),
        plugins: [rollupPlugin(OPTS)],
      }),
      (e: Error & { loc?: { line: number } }) => LOCATED.test(e.message) && e.loc?.line === 2,
    );
  });
});

describe("esbuild", () => {
  test("build, warnings and a located error", async () => {
    const esbuild = await import("esbuild");
    const dir = mkdtempSync(join(tmp, "esbuild-"));
    const r = await esbuild.build({
      entryPoints: [writeApp(dir, EXAMPLE)],
      bundle: true,
      platform: "node",
      format: "esm",
      outfile: join(dir, "out.mjs"),
      plugins: [esbuildPlugin(OPTS)],
      logLevel: "silent",
    });
    assertCarriesExample(runBundle(join(dir, "out.mjs")));
    assert.deepEqual(r.warnings, [], "the example gives no warning");
    // dead.bpf.ts has a branch the verifier finds dead: its E6008 warning is an esbuild warning.
    const warned = await esbuild.build({
      entryPoints: [writeApp(dir, join(tmp, "dead.bpf.ts"), "dead.mjs")],
      bundle: true,
      platform: "node",
      format: "esm",
      outfile: join(dir, "dead.out.mjs"),
      plugins: [esbuildPlugin(OPTS)],
      logLevel: "silent",
    });
    assert.ok(
      warned.warnings.some((w) => /E6008/.test(w.text)),
      "the verifier's warning is an esbuild warning",
    );
    await assert.rejects(
      esbuild.build({
        entryPoints: [writeApp(dir, join(tmp, "broken.bpf.ts"), "bad.mjs")],
        bundle: true,
        platform: "node",
        outfile: join(dir, "bad.mjs"),
        plugins: [esbuildPlugin(OPTS)],
        logLevel: "silent",
      }),
      (e: { errors?: { text: string; location: { line: number } | null }[] }) =>
        e.errors?.some((m) => LOCATED.test(m.text) && m.location?.line === 2) === true,
    );
  });

  test("watch: editing the .bpf.ts rebuilds", async () => {
    const esbuild = await import("esbuild");
    const dir = mkdtempSync(join(tmp, "esbuildw-"));
    const src = join(dir, "copy.bpf.ts");
    copyFileSync(EXAMPLE, src);
    let notify: (() => void) | undefined;
    const ended = (): Promise<void> => new Promise((r) => (notify = r));
    let next = ended();
    const ctx = await esbuild.context({
      entryPoints: [writeApp(dir, src)],
      bundle: true,
      platform: "node",
      format: "esm",
      outfile: join(dir, "out.mjs"),
      logLevel: "silent",
      plugins: [
        esbuildPlugin(OPTS),
        { name: "ended", setup: (b) => void b.onEnd(() => notify?.()) },
      ],
    });
    try {
      await ctx.watch();
      await next;
      const first = runBundle(join(dir, "out.mjs")).b64;
      next = ended();
      writeFileSync(src, readFileSync(src, "utf8").replace("16 * 1024", "8 * 1024"));
      await next;
      const second = runBundle(join(dir, "out.mjs")).b64;
      assert.notEqual(second, first, "the edit changed the object");
      const edited = await cliObject(src, ["--target", "iouring-v2"], tmp);
      assert.ok(Buffer.from(second, "base64").equals(edited), "rebuilt bytes equal the CLI's");
    } finally {
      await ctx.dispose();
    }
  });
});

/** webpack and Rspack share the compiler API: run one build and return its stats. */
function runCompiler(compiler: {
  run(
    cb: (
      err: Error | null,
      stats?: { hasErrors(): boolean; toJson(o: unknown): { errors?: { message: string }[] } },
    ) => void,
  ): void;
  close(cb: () => void): void;
}): Promise<{ hasErrors: boolean; errors: string[] }> {
  return new Promise((resolve, reject) =>
    compiler.run((err, stats) => {
      compiler.close(() => {});
      if (err) return reject(err);
      const json = stats!.toJson({ all: false, errors: true });
      resolve({ hasErrors: stats!.hasErrors(), errors: (json.errors ?? []).map((e) => e.message) });
    }),
  );
}

for (const name of ["webpack", "rspack"] as const) {
  describe(name, () => {
    test("build and a located error", async () => {
      const make =
        name === "webpack"
          ? ((await import("webpack")).default as unknown as (
              o: object,
            ) => Parameters<typeof runCompiler>[0])
          : ((await import("@rspack/core")).rspack as unknown as (
              o: object,
            ) => Parameters<typeof runCompiler>[0]);
      const plugin = name === "webpack" ? webpackPlugin(OPTS) : rspackPlugin(OPTS);
      const dir = mkdtempSync(join(tmp, `${name}-`));
      const config = (entry: string, out: string): object => ({
        mode: "production",
        target: "node",
        context: dir,
        entry,
        output: { path: join(dir, out), filename: "app.cjs" },
        optimization: { minimize: false },
        plugins: [plugin],
        infrastructureLogging: { level: "none" },
      });
      const ok = await runCompiler(make(config(writeApp(dir, EXAMPLE), "out")));
      assert.equal(ok.hasErrors, false, ok.errors.join("\n"));
      assertCarriesExample(runBundle(join(dir, "out/app.cjs")));
      const bad = await runCompiler(
        make(config(writeApp(dir, join(tmp, "broken.bpf.ts"), "bad.mjs"), "bad")),
      );
      assert.equal(bad.hasErrors, true);
      assert.ok(
        bad.errors.some((m) => LOCATED.test(m)),
        bad.errors.join("\n"),
      );
    });
  });
}

describe("node --import ioubpf/register", () => {
  let bundle = "";
  before(() => (bundle = buildTestBundle("register")));
  after(() => removeDir(bundle));

  test("importing a .bpf.ts gives the same module without a bundler", () => {
    const dir = mkdtempSync(join(tmp, "register-"));
    const env = { ...process.env, IOUBPF_OPTIONS: JSON.stringify(OPTS) };
    const r = spawnSync(
      process.execPath,
      ["--import", join(bundle, "register.js"), writeApp(dir, EXAMPLE)],
      { encoding: "utf8", env, cwd: process.cwd() },
    );
    assert.equal(r.status, 0, r.stderr);
    assertCarriesExample(JSON.parse(r.stdout));
    const bad = spawnSync(
      process.execPath,
      [
        "--import",
        join(bundle, "register.js"),
        writeApp(dir, join(tmp, "broken.bpf.ts"), "bad.mjs"),
      ],
      { encoding: "utf8", env },
    );
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, LOCATED);
  });
});
