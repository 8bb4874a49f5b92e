// `-MD` depfiles with real make and ninja (rebuild exactly when an input of the object
// changes), `--out-dir` (one object per input, one process) and `--watch` (rebuild on change,
// keep the last good output). The language has no imports between programs, so an object's
// dependencies are its inputs: the build files below name only the first one, and only the
// depfile tells the tool about the second.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildTestBundle, removeDir, repo } from "./helpers.js";

let bundle = "";
let cli = "";
before(() => {
  bundle = buildTestBundle("depfile");
  cli = join(bundle, "ioubpf.js");
});
after(() => removeDir(bundle));

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * A directory with ping + pong (one object) and an unrelated ticker program: the iouring-v2
 * forms (ping-pong exists only for that target), so every compile below says --target iouring-v2.
 */
function project(): string {
  const dir = mkdtempSync(join(repo, ".out", "mdproj-"));
  copyFileSync(join(repo, "examples/ping-pong/v2/ping.bpf.ts"), join(dir, "ping.bpf.ts"));
  copyFileSync(join(repo, "examples/ping-pong/v2/pong.bpf.ts"), join(dir, "pong.bpf.ts"));
  copyFileSync(join(repo, "examples/ticker/v2/ticker.bpf.ts"), join(dir, "ticker.bpf.ts"));
  return dir;
}

/** Appends a comment: a real edit with a new mtime (after a pause longer than a clock tick). */
async function edit(file: string): Promise<void> {
  await sleep(30);
  writeFileSync(file, readFileSync(file, "utf8") + "// edited\n");
}

function tool(cmd: string, dir: string): { out: string; ran: boolean } {
  const r = spawnSync(cmd, [], { cwd: dir, encoding: "utf8" });
  assert.equal(r.status, 0, `${cmd}: ${r.stdout}${r.stderr}`);
  // Both tools echo the command they run; the object is rebuilt iff ours ran.
  return { out: r.stdout, ran: r.stdout.includes(" compile ") };
}

const haveMake = spawnSync("make", ["--version"]).status === 0;
const haveNinja = spawnSync("ninja", ["--version"]).status === 0;

describe("-MD depfiles", () => {
  test(
    "make rebuilds exactly when an input changes",
    { skip: haveMake ? false : "make is not installed" },
    async () => {
      const dir = project();
      writeFileSync(
        join(dir, "Makefile"),
        `pp.o: ping.bpf.ts\n\t${process.execPath} ${cli} compile ping.bpf.ts pong.bpf.ts -o pp.o -MD --target iouring-v2\n-include pp.d\n`,
      );
      assert.equal(tool("make", dir).ran, true, "first build");
      assert.equal(readFileSync(join(dir, "pp.d"), "utf8"), "pp.o: ping.bpf.ts pong.bpf.ts\n");
      assert.equal(tool("make", dir).ran, false, "nothing changed");
      await edit(join(dir, "pong.bpf.ts"));
      assert.equal(tool("make", dir).ran, true, "pong changed: known only from the depfile");
      assert.equal(tool("make", dir).ran, false, "up to date again");
      await edit(join(dir, "ticker.bpf.ts"));
      assert.equal(tool("make", dir).ran, false, "an unrelated file changed");
      await edit(join(dir, "ping.bpf.ts"));
      assert.equal(tool("make", dir).ran, true, "ping changed");
      removeDir(dir);
    },
  );

  test(
    "ninja rebuilds exactly when an input changes",
    { skip: haveNinja ? false : "ninja is not installed" },
    async () => {
      const dir = project();
      writeFileSync(
        join(dir, "build.ninja"),
        [
          "rule bpf",
          `  command = ${process.execPath} ${cli} compile $in $extra -o $out -MD --target iouring-v2`,
          "  depfile = $stem.d",
          "  deps = gcc",
          "build pp.o: bpf ping.bpf.ts",
          "  extra = pong.bpf.ts",
          "  stem = pp",
          "",
        ].join("\n"),
      );
      const ninja = (): { out: string; ran: boolean } => {
        const r = spawnSync("ninja", ["-v"], { cwd: dir, encoding: "utf8" });
        assert.equal(r.status, 0, r.stdout + r.stderr);
        return { out: r.stdout, ran: r.stdout.includes(" compile ") };
      };
      assert.equal(ninja().ran, true, "first build");
      assert.equal(ninja().ran, false, "nothing changed");
      await edit(join(dir, "pong.bpf.ts"));
      assert.equal(ninja().ran, true, "pong changed: known only from the depfile");
      assert.equal(ninja().ran, false, "up to date again");
      await edit(join(dir, "ticker.bpf.ts"));
      assert.equal(ninja().ran, false, "an unrelated file changed");
      await edit(join(dir, "ping.bpf.ts"));
      assert.equal(ninja().ran, true, "ping changed");
      removeDir(dir);
    },
  );
});

describe("--out-dir", () => {
  test("one object per input, each equal to its own compile", async () => {
    const dir = project();
    const r = spawnSync(
      process.execPath,
      [
        cli,
        "compile",
        "ping.bpf.ts",
        "pong.bpf.ts",
        "ticker.bpf.ts",
        "--out-dir",
        "out",
        "-MD",
        "--target",
        "iouring-v2",
      ],
      { cwd: dir, encoding: "utf8" },
    );
    assert.equal(r.status, 0, r.stderr);
    for (const name of ["ping", "pong", "ticker"]) {
      const own = spawnSync(
        process.execPath,
        [cli, "compile", `${name}.bpf.ts`, "-o", `${name}.o`, "--target", "iouring-v2"],
        { cwd: dir },
      );
      assert.equal(own.status, 0);
      assert.ok(
        readFileSync(join(dir, "out", `${name}.o`)).equals(readFileSync(join(dir, `${name}.o`))),
        name,
      );
      assert.equal(
        readFileSync(join(dir, "out", `${name}.d`), "utf8"),
        `out/${name}.o: ${name}.bpf.ts\n`,
      );
    }
    const clash = spawnSync(
      process.execPath,
      [cli, "compile", "ping.bpf.ts", "./ping.bpf.ts", "--out-dir", "out"],
      { cwd: dir, encoding: "utf8" },
    );
    assert.equal(clash.status, 2);
    assert.match(clash.stderr, /would both be written to/);
    const both = spawnSync(
      process.execPath,
      [cli, "compile", "ping.bpf.ts", "-o", "x.o", "--out-dir", "out"],
      { cwd: dir, encoding: "utf8" },
    );
    assert.equal(both.status, 2);
    removeDir(dir);
  });
});

describe("--watch", () => {
  test("recompiles on change, reports errors, keeps the last good output", async () => {
    const dir = project();
    const src = join(dir, "ticker.bpf.ts");
    const out = join(dir, "ticker.o");
    const child = spawn(
      process.execPath,
      [cli, "compile", "ticker.bpf.ts", "-o", "ticker.o", "--watch", "--target", "iouring-v2"],
      { cwd: dir },
    );
    let stderr = "";
    const waitFor = async (n: number, what: RegExp): Promise<void> => {
      for (let i = 0; i < 200; i++) {
        if ((stderr.match(new RegExp(what.source, "g")) ?? []).length >= n) return;
        await sleep(25);
      }
      assert.fail(`timed out waiting for ${what} #${n}; stderr:\n${stderr}`);
    };
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    try {
      await waitFor(1, /\[watch\] built/);
      const good = readFileSync(out);
      await edit(src);
      writeFileSync(
        src,
        readFileSync(src, "utf8").replace(
          "export function onStart(): void {",
          "export function onStart(): void {\n  let x: u32 = ;",
        ),
      );
      await waitFor(1, /\[watch\] build failed/);
      assert.match(
        stderr,
        /ticker\.bpf\.ts:\d+:\d+: error E\d{4}/,
        "the diagnostic is printed with its location",
      );
      assert.ok(readFileSync(out).equals(good), "the last good output is kept");
      writeFileSync(
        src,
        readFileSync(join(repo, "examples/ticker/v2/ticker.bpf.ts"), "utf8").replace(
          "res: 0 });",
          "res: 7 });",
        ),
      );
      await waitFor(2, /\[watch\] built/);
      // Line info carries the path as given: compile the same relative path for comparison.
      const rel = spawnSync(
        process.execPath,
        [cli, "compile", "ticker.bpf.ts", "-o", "check.o", "--target", "iouring-v2"],
        { cwd: dir },
      );
      assert.equal(rel.status, 0);
      assert.ok(
        readFileSync(out).equals(readFileSync(join(dir, "check.o"))),
        "the rebuilt output is the new program's",
      );
      assert.ok(!readFileSync(out).equals(good), "and differs from the first");
    } finally {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    }
    assert.ok(existsSync(out));
    removeDir(dir);
  });
});
