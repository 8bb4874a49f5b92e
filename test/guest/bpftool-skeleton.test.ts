// `bpftool gen skeleton` accepts every linux-7.1 object we make (issue 10): sid's bpftool
// (which knows `.struct_ops.link`; bookworm's 7.1 skips it), fetched with the guest's private
// apt state and run through sid's own dynamic loader. Every example at -O0/-O2 × v3/v4 and
// every valid or realistic program that linux-7.1 can express, at -O2.
// Skips, saying why, where the Debian mirror cannot be reached, except under CI.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compile } from "../../src/codegen/index.js";
import { fetchGuestParts, sidBpftool } from "../../src/kernel/guest/index.js";

const ROOT = join(import.meta.dirname, "..", "..");

test("bpftool gen skeleton (sid's bpftool) accepts every linux-7.1 object", (t) => {
  let bpftool: string[];
  try {
    fetchGuestParts(); // the private apt state's package lists
    bpftool = sidBpftool();
  } catch (e) {
    const why = `sid's bpftool unavailable: ${(e as Error).message.split("\n")[0]}`;
    if (process.env.CI) assert.fail(why);
    console.log(`skipped: ${why}`);
    t.skip(why);
    return;
  }
  const version = spawnSync(bpftool[0]!, [...bpftool.slice(1), "version"], { encoding: "utf8" });
  assert.equal(version.status, 0, version.stderr);
  console.log(version.stdout.trim().split("\n").slice(0, 2).join("; "));
  const jobs: { id: string; path: string; opt: 0 | 2; mcpu: "v3" | "v4" }[] = [];
  for (const dir of ["copy", "echo", "nop-pump", "open-read-close", "ticker"])
    for (const f of readdirSync(join(ROOT, "examples", dir)).filter((n) => n.endsWith(".bpf.ts")))
      for (const opt of [0, 2] as const)
        for (const mcpu of ["v3", "v4"] as const)
          jobs.push({ id: `${f}@O${opt}${mcpu}`, path: join(ROOT, "examples", dir, f), opt, mcpu });
  for (const dir of ["test/programs/valid", "test/programs/realistic"])
    for (const f of readdirSync(join(ROOT, dir)).filter((n) => n.endsWith(".bpf.ts")))
      jobs.push({ id: f, path: join(ROOT, dir, f), opt: 2, mcpu: "v4" });
  const work = mkdtempSync(join(tmpdir(), "ioubpf-skel71-"));
  let accepted = 0;
  let inexpressible = 0;
  try {
    for (const j of jobs) {
      const r = compile(
        { path: j.path, text: readFileSync(j.path, "utf8") },
        { target: "linux-7.1", opt: j.opt, mcpu: j.mcpu },
      );
      if (!r.bytes) {
        // Only target errors may stop a program here (it cannot be expressed on linux-7.1).
        const codes = r.diagnostics.filter((d) => d.severity === "error").map((d) => d.code);
        assert.ok(codes.length > 0 && codes.every((c) => /^E30\d\d$/.test(c)), `${j.id}: ${codes}`);
        inexpressible++;
        continue;
      }
      const obj = join(work, "x.o");
      writeFileSync(obj, r.bytes);
      const g = spawnSync(bpftool[0]!, [...bpftool.slice(1), "gen", "skeleton", obj], {
        encoding: "utf8",
        maxBuffer: 64 << 20,
      });
      assert.equal(g.status, 0, `${j.id}: ${g.stderr}`);
      const program = r.programs![0]!.name;
      assert.match(g.stdout, new RegExp(`struct bpf_map \\*${program}_ops;`), j.id);
      assert.match(g.stdout, new RegExp(`struct bpf_program \\*${program};`), j.id);
      accepted++;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  console.log(
    `bpftool gen skeleton: ${accepted} objects accepted, 0 refused (${inexpressible} programs linux-7.1 cannot express)`,
  );
  assert.ok(accepted >= 100, `only ${accepted}`);
});
