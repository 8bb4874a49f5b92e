// `ioubpf exec` NATIVE on a real Linux 7.x kernel (the guest harness, src/kernel/guest), one
// boot: every linux-7.1 example compiled by ioubpf runs in the kernel with real I/O (copy of
// 0, 100,003 and 1 MiB+7 bytes compared with cmp, nop-pump, ticker, echo over loopback,
// open-read-close, a program that never stops ended by the timeout), and each native result
// is compared with the emulated run of the same object on this host. The libbpf loader runs
// nop-pump and copy too, as a second opinion on the same objects, and every example's C
// skeleton (test/runtime/skel/*-main.c, gcc + libbpf) does the same work with real I/O.
// Skips without the harness.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { runCli } from "../../cli/main.js";
import type { CliIO } from "../../cli/io.js";
import {
  fetchGuestParts,
  guestAvailability,
  libbpfLoaderPath,
  runGuestBatch,
  type GuestCommand,
} from "../../src/kernel/guest/index.js";

const ROOT = join(import.meta.dirname, "..", "..");
const EXAMPLES: Record<string, string> = {
  "nop-pump": "examples/nop-pump/nop-pump.bpf.ts",
  copy: "examples/copy/copy.bpf.ts",
  ticker: "examples/ticker/ticker.bpf.ts",
  echo: "examples/echo/echo.bpf.ts",
  orc: "examples/open-read-close/orc.bpf.ts",
};
/** Globals whose values differ between two correct runs (times, fd numbers). */
const VOLATILE = new Set(["startNs", "start_ns", "fd"]);
const COPY_SIZES = [0, 100_003, (1 << 20) + 7];
// The guest's clock runs unevenly under TCG on a loaded host: generous limits.
const LONG = 1_800_000;

interface ExecJson {
  ok: boolean;
  mode: string;
  stop: string;
  steps: number | null;
  processed: number | null;
  elapsedMs: number;
  emits: { userData: string; res: number; flags: number }[];
  globals: Record<string, string>;
  diagnostics: { code: string; message: string }[];
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: CliIO = {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    color: false,
  };
  return { code: await runCli(args, io), out, err };
}

function pseudoRandom(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 131 + (i >> 8) * 7 + 3) & 0xff;
  return b;
}

/** FNV-1a (32 bits), as test/runtime/skel/orc-main.c computes it over the bytes it read. */
function fnv1a(b: Buffer): number {
  let h = 2166136261;
  for (const x of b) h = Math.imul(h ^ x, 16777619) >>> 0;
  return h;
}

/** A skeleton main's output: one JSON object a line, emits first, the result last. */
function skelOutput(
  id: string,
  stdout: string,
): { emits: { userData: number; res: number }[]; last: Record<string, number> } {
  let lines: Record<string, unknown>[];
  try {
    lines = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  } catch {
    assert.fail(`${id}: output is not JSON lines:\n${stdout}`);
  }
  return {
    emits: lines.flatMap((l) => (l.emit ? [l.emit as { userData: number; res: number }] : [])),
    last: (lines.at(-1) ?? {}) as Record<string, number>,
  };
}

function comparable(j: ExecJson, name: string): unknown {
  return {
    stop: j.stop,
    emits: j.emits.map((e) => ({
      ...e,
      userData: name === "nop-pump" ? "(elapsed ns)" : e.userData,
    })),
    // How many loop_step calls a run takes depends on when completions arrive (the kernel
    // also steps on wake-ups), so the step counter is reported, not compared.
    globals: Object.fromEntries(
      Object.entries(j.globals).filter(([k]) => !VOLATILE.has(k) && !k.endsWith("__iou_steps")),
    ),
  };
}

test("native on Linux 7.x: every example with real I/O, same results as emulated here", async (t) => {
  const avail = await guestAvailability();
  if (!avail.ok) return t.skip(`no guest: ${avail.why}`);
  const work = mkdtempSync(join(tmpdir(), "ioubpf-rt-guest-"));
  try {
    const obj = (n: string): string => join(work, `${n}.o`);
    for (const [n, src] of Object.entries(EXAMPLES)) {
      const c = await cli(["compile", join(ROOT, src), "-o", obj(n)]);
      assert.equal(c.code, 0, c.err);
    }
    const inputs = COPY_SIZES.map((size) => ({ size, data: pseudoRandom(size) }));
    const text = "read through io_uring in the guest\n";
    // open-read-close through the C skeleton reads a file of known length and content.
    const orcData = pseudoRandom(3000);
    const ticks = { n: 5, periodNs: 50_000_000 };
    // The argument lists, shared by the host (emulated) and the guest (native) runs.
    const args = (dir: string, tmp: string): Record<string, string[]> => ({
      "nop-pump": [`${dir}/nop-pump.o`],
      ticker: [`${dir}/ticker.o`, "--timespec", "PERIOD_TS=50000000", "--set", "TICKS=5"],
      orc: [
        `${dir}/orc.o`,
        "--str",
        `PATH=${tmp}/small.txt`,
        "--buf",
        "BUF=4096",
        "--set",
        "BUF_LEN=4096",
      ],
      ...Object.fromEntries(
        inputs.map(({ size }) => [
          `copy-${size}`,
          [
            `${dir}/copy.o`,
            "--fd",
            `IN_FD=${tmp}/in-${size}`,
            "--fd",
            `OUT_FD=${tmp}/out-${size}:w`,
            "--buf",
            "BUF=16384",
            "--set",
            `SIZE=${size}`,
          ],
        ]),
      ),
    });

    // Emulated, on this host.
    for (const { size, data } of inputs) writeFileSync(join(work, `in-${size}`), data);
    writeFileSync(join(work, "small.txt"), text);
    const emulated: Record<string, ExecJson> = {};
    for (const [id, a] of Object.entries(args(work, work))) {
      const r = await cli(["exec", ...a, "--emulate", "--json"]);
      emulated[id] = JSON.parse(r.out) as ExecJson;
      assert.equal(r.code, 0, `emulated ${id}: ${r.out}`);
    }

    // The C skeleton of every example, linked statically with libbpf 1.7 (as the libbpf
    // loader is), runs in the same boot.
    const lib = join(fetchGuestParts().libbpfRoot, "usr");
    const skel: Record<string, string> = {};
    for (const n of Object.keys(EXAMPLES)) {
      const h = await cli([
        "gen",
        "skeleton",
        obj(n),
        "-o",
        join(work, `${n.replace("-", "_")}.skel.h`),
      ]);
      assert.equal(h.code, 0, h.err);
      skel[n] = join(work, `${n}-skel`);
      const c = spawnSync(
        "gcc",
        [
          "-O2",
          "-static",
          "-Wall",
          "-Werror",
          "-I",
          work,
          "-I",
          join(lib, "include"),
          "-o",
          skel[n]!,
          join(ROOT, "test/runtime/skel", `${n}-main.c`),
          join(ROOT, "src/kernel/guest/c/isoc23-shim.c"),
          join(lib, "lib/x86_64-linux-gnu/libbpf.a"),
          "-lelf",
          "-lz",
          "-lzstd",
        ],
        { encoding: "utf8" },
      );
      assert.equal(c.status, 0, `gcc ${n} skeleton: ${c.stderr}`);
    }

    // Native, in the guest: one boot for everything.
    const loader = await libbpfLoaderPath();
    const node = "/usr/bin/node";
    const ioubpf = "/ioubpf/dist/cli/ioubpf.js";
    const commands: GuestCommand[] = [
      { id: "uname", argv: ["uname", "-r"] },
      ...Object.entries(args("/t", "/tmp")).map(([id, a]) => ({
        id,
        argv: [node, ioubpf, "exec", ...a, "--native", "--json", "--timeout", "600"],
        timeoutMs: LONG,
      })),
      ...inputs.map(({ size }) => ({
        id: `cmp-${size}`,
        argv: ["cmp", `/tmp/in-${size}`, `/tmp/out-${size}`],
      })),
      {
        id: "echo",
        argv: [
          node,
          "/t/echo-client.mjs",
          ioubpf,
          "/t/echo.o",
          "7777",
          "--native",
          "--timeout",
          "600",
        ],
        timeoutMs: LONG,
      },
      {
        id: "never-stops",
        argv: [
          node,
          ioubpf,
          "exec",
          "/t/ticker.o",
          "--timespec",
          "PERIOD_TS=50000000",
          "--set",
          "TICKS=0",
          "--native",
          "--json",
          "--timeout",
          "3",
        ],
        timeoutMs: LONG,
      },
      {
        id: "libbpf-nop-pump",
        argv: ["/t/iou-libbpf-loader", "/t/nop-pump.o", "--timeout", "600"],
        timeoutMs: LONG,
      },
      {
        id: "libbpf-copy",
        argv: [
          "/t/iou-libbpf-loader",
          "/t/copy.o",
          "--fd",
          "IN_FD=/tmp/in-100003:r",
          "--fd",
          "OUT_FD=/tmp/lb-out:w",
          "--buf",
          "BUF=16384",
          "--set",
          "SIZE=100003",
          "--timeout",
          "600",
        ],
        timeoutMs: LONG,
      },
      { id: "libbpf-cmp", argv: ["cmp", "/tmp/in-100003", "/tmp/lb-out"] },
      { id: "skel-nop-pump", argv: ["/t/nop-pump-skel"], timeoutMs: LONG },
      {
        id: "skel-copy",
        argv: ["/t/copy-skel", "/tmp/in-1048583", "/tmp/skel-out"],
        timeoutMs: LONG,
      },
      { id: "skel-cmp", argv: ["cmp", "/tmp/in-1048583", "/tmp/skel-out"] },
      {
        id: "skel-ticker",
        argv: ["/t/ticker-skel", String(ticks.n), String(ticks.periodNs)],
        timeoutMs: LONG,
      },
      { id: "skel-orc", argv: ["/t/orc-skel", "/tmp/orc-3000"], timeoutMs: LONG },
      {
        id: "skel-echo",
        argv: [node, "/t/echo-client.mjs", "--bin", "/t/echo-skel", "7778"],
        timeoutMs: LONG,
      },
    ];
    const run = await runGuestBatch({
      withNode: true,
      withProject: true,
      timeoutMs: 3_600_000,
      files: [
        ...Object.keys(EXAMPLES).map((n) => ({ guestPath: `/t/${n}.o`, hostPath: obj(n) })),
        ...inputs.map(({ size, data }) => ({ guestPath: `/tmp/in-${size}`, data })),
        { guestPath: "/tmp/small.txt", data: text },
        { guestPath: "/t/echo-client.mjs", hostPath: join(ROOT, "test/runtime/echo-client.mjs") },
        { guestPath: "/t/iou-libbpf-loader", hostPath: loader, mode: 0o755 },
        { guestPath: "/tmp/orc-3000", data: orcData },
        ...Object.entries(skel).map(([n, hostPath]) => ({
          guestPath: `/t/${n}-skel`,
          hostPath,
          mode: 0o755,
        })),
      ],
      commands,
    });
    const res = Object.fromEntries(run.results.map((r) => [r.id, r]));
    console.log(`# guest kernel ${res.uname?.stdout.trim()} (boot ${run.bootMs} ms)`);
    for (const id of Object.keys(args("/t", "/tmp"))) {
      const r = res[id];
      assert.ok(r, `${id}: no result`);
      assert.equal(r.exitCode, 0, `${id} native: exit ${r.exitCode}\n${r.stdout}\n${r.stderr}`);
      const native = JSON.parse(r.stdout) as ExecJson;
      assert.equal(native.mode, "native");
      console.log(
        `# ${id}: native ${native.stop}, ${native.steps} steps, verifier processed ${native.processed} insns, ${native.emits.length} emits | emulated ${emulated[id]!.stop}, ${emulated[id]!.steps} steps`,
      );
      assert.deepEqual(
        comparable(native, id),
        comparable(emulated[id]!, id),
        `${id}: native and emulated differ`,
      );
    }
    for (const { size } of inputs)
      assert.equal(res[`cmp-${size}`]?.exitCode, 0, `copy ${size}: output differs`);
    for (const { size } of inputs) {
      const out = readFileSync(join(work, `out-${size}`));
      assert.ok(
        out.equals(inputs.find((i) => i.size === size)!.data),
        `emulated copy ${size} differs`,
      );
    }
    const nop = JSON.parse(res["nop-pump"]!.stdout) as ExecJson;
    assert.equal(nop.emits[0]?.res, 1000);
    const ticker = JSON.parse(res.ticker!.stdout) as ExecJson;
    assert.ok(ticker.elapsedMs >= 5 * 50, `ticker: ${ticker.elapsedMs} ms for 5 × 50 ms`);

    const echo = JSON.parse(res.echo!.stdout.trim().split("\n").at(-1)!) as {
      connected: boolean;
      echoed: boolean[];
      code: number;
      stdout: string;
    };
    assert.ok(echo.connected, `echo: no connection\n${res.echo!.stderr}`);
    assert.deepEqual(echo.echoed, [true, true, true]);
    assert.equal(echo.code, 0, echo.stdout);
    const hostEcho = spawnSync(
      process.execPath,
      [
        join(ROOT, "test/runtime/echo-client.mjs"),
        join(ROOT, "cli/ioubpf.ts"),
        obj("echo"),
        String(21000 + (process.pid % 20000)),
        "--emulate",
      ],
      { encoding: "utf8", cwd: ROOT, timeout: 120_000 },
    );
    const hostEchoJson = JSON.parse(hostEcho.stdout.trim().split("\n").at(-1)!) as {
      stdout: string;
    };
    assert.deepEqual(
      comparable(JSON.parse(echo.stdout) as ExecJson, "echo"),
      comparable(JSON.parse(hostEchoJson.stdout) as ExecJson, "echo"),
      "echo: native and emulated differ",
    );
    console.log(`# echo: 3 messages echoed natively over the guest's loopback`);

    const never = res["never-stops"]!;
    assert.equal(
      never.exitCode,
      1,
      `never-stops: exit ${never.exitCode}\n${never.stdout}\n${never.stderr}`,
    );
    const neverJson = JSON.parse(never.stdout) as ExecJson;
    assert.equal(neverJson.stop, "timeout");
    assert.ok(neverJson.diagnostics.some((d) => d.code === "E9130"));
    console.log(
      `# never-stops: timeout after ${neverJson.elapsedMs} ms (guest clock), ${neverJson.emits.length} ticks`,
    );

    for (const id of ["libbpf-nop-pump", "libbpf-copy"]) {
      const r = res[id]!;
      const j = JSON.parse(r.stdout) as {
        loaded: boolean;
        stop: string;
        emits: { res: number }[];
        processed: number | null;
      };
      assert.equal(j.stop, "stopped", `${id}: ${r.stdout.slice(0, 2000)}`);
      console.log(
        `# ${id}: libbpf loaded and ran it, processed ${j.processed} insns, emit res ${j.emits[0]?.res}`,
      );
    }
    assert.equal(res["libbpf-cmp"]?.exitCode, 0);

    const sn = res["skel-nop-pump"]!;
    assert.equal(sn.exitCode, 0, `skeleton nop-pump: ${sn.stdout}${sn.stderr}`);
    assert.match(sn.stdout, /"res":1000\b/);
    assert.match(sn.stdout, /"completed":1000\b/);
    const sc = res["skel-copy"]!;
    assert.equal(sc.exitCode, 0, `skeleton copy: ${sc.stdout}${sc.stderr}`);
    assert.match(sc.stdout, new RegExp(`"offset":${(1 << 20) + 7}\\b`));
    assert.equal(res["skel-cmp"]?.exitCode, 0, "skeleton copy: output differs");

    // ticker: TICKS emits numbered 1..TICKS, and the run lasted at least TICKS periods.
    const st = res["skel-ticker"]!;
    assert.equal(st.exitCode, 0, `skeleton ticker: ${st.stdout}${st.stderr}`);
    const stOut = skelOutput("skeleton ticker", st.stdout);
    assert.deepEqual(
      stOut.emits,
      Array.from({ length: ticks.n }, (_, i) => ({ userData: i + 1, res: 0 })),
    );
    assert.equal(stOut.last.ticks, ticks.n);
    assert.ok(
      stOut.last.elapsedNs! >= ticks.n * ticks.periodNs,
      `skeleton ticker: ${stOut.last.elapsedNs} ns for ${ticks.n} × ${ticks.periodNs} ns`,
    );

    // open-read-close: the read's byte count (user_data 2 = the read step) and the bytes.
    const so = res["skel-orc"]!;
    assert.equal(so.exitCode, 0, `skeleton orc: ${so.stdout}${so.stderr}`);
    const soOut = skelOutput("skeleton orc", so.stdout);
    assert.deepEqual(soOut.emits, [{ userData: 2, res: orcData.length }]);
    assert.equal(soOut.last.result, orcData.length);
    assert.equal(soOut.last.fnv, fnv1a(orcData), "skeleton orc: the bytes read differ");

    // echo: the client's messages came back over loopback; one connection served.
    const se = JSON.parse(res["skel-echo"]!.stdout.trim().split("\n").at(-1)!) as {
      connected: boolean;
      echoed: boolean[];
      sent: number[];
      code: number;
      stdout: string;
      stderr: string;
    };
    assert.ok(se.connected, `skeleton echo: no connection\n${se.stderr}`);
    assert.deepEqual(se.echoed, [true, true, true]);
    assert.equal(se.code, 0, `skeleton echo: ${se.stdout}${se.stderr}`);
    const seOut = skelOutput("skeleton echo", se.stdout);
    const sent = se.sent.reduce((a, b) => a + b, 0);
    assert.deepEqual(seOut.emits, [{ userData: sent, res: 1 }]);
    assert.deepEqual(seOut.last, { served: 1, echoed: sent });

    const lastLine = (out: string): string | undefined => out.trim().split("\n").at(-1);
    console.log(
      `# C skeletons (gcc -Wall -Werror + libbpf 1.7): nop-pump ${lastLine(sn.stdout)}, copy ${lastLine(sc.stdout)}, ticker ${lastLine(st.stdout)}, orc ${lastLine(so.stdout)}, echo ${lastLine(se.stdout)} (${se.echoed.length} messages echoed)`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
