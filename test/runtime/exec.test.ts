// `ioubpf exec` on THIS host: the examples compiled for linux-7.1 run with real I/O on a real
// io_uring of the running kernel. Without io_uring_bpf_ops (Linux < 7.1) that is emulation
// (loop_step in the VM); the result must be what the program computes either way.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { runCli } from "../../cli/main.js";
import type { CliIO } from "../../cli/io.js";
import { run, detectMode } from "../../src/runtime/index.js";
import { RuntimeCodes } from "../../src/runtime/codes.js";
import { setupRing } from "../../src/runtime/ring.js";
import { loadStepper } from "../../src/runtime/emulate.js";

const ROOT = join(import.meta.dirname, "..", "..");
const EXAMPLES: Record<string, string> = {
  "nop-pump": "examples/nop-pump/nop-pump.bpf.ts",
  copy: "examples/copy/copy.bpf.ts",
  ticker: "examples/ticker/ticker.bpf.ts",
  echo: "examples/echo/echo.bpf.ts",
  orc: "examples/open-read-close/orc.bpf.ts",
};
const BLOCK = 16 * 1024;

let work = "";
let skip: string | undefined;
const obj = (n: string): string => join(work, `${n}.o`);

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: CliIO = {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    color: false,
  };
  const code = await runCli(args, io);
  return { code, out, err };
}

interface ExecJson {
  ok: boolean;
  mode: string;
  stop: string;
  steps: number;
  elapsedMs: number;
  emits: { userData: string; res: number; flags: number }[];
  globals: Record<string, string>;
  diagnostics: { code: string; message: string }[];
}

async function exec(args: string[]): Promise<{ code: number; json: ExecJson }> {
  const r = await cli(["exec", ...args, "--json"]);
  return { code: r.code, json: JSON.parse(r.out) as ExecJson };
}

const fdCount = (): number => readdirSync("/proc/self/fd").length;
const ringMappings = (): string[] =>
  readFileSync("/proc/self/maps", "utf8")
    .split("\n")
    .filter((l) => /io_uring|bpf/.test(l));

before(async () => {
  const r = setupRing(2, 4, true);
  if ("error" in r) skip = `no usable io_uring here: ${r.error}`;
  else r.ring.close();
  const st = await loadStepper();
  if (!skip && typeof st === "string" && detectMode().mode === "emulate") skip = st;
  work = mkdtempSync(join(tmpdir(), "ioubpf-exec-"));
  for (const [n, src] of Object.entries(EXAMPLES)) {
    const c = await cli(["compile", join(ROOT, src), "-o", obj(n)]);
    assert.equal(c.code, 0, `compile ${src}: ${c.err}`);
  }
});
after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function pseudoRandom(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

test("copy: 0, 1, BLOCK-1, BLOCK, BLOCK+1 and 1 MiB+7 bytes arrive byte-identical", async (t) => {
  if (skip) return t.skip(skip);
  for (const size of [0, 1, BLOCK - 1, BLOCK, BLOCK + 1, (1 << 20) + 7]) {
    const input = pseudoRandom(size, size + 11);
    const inPath = join(work, `in-${size}`);
    const outPath = join(work, `out-${size}`);
    writeFileSync(inPath, input);
    writeFileSync(outPath, "stale contents that :w must truncate");
    const { code, json } = await exec([
      obj("copy"),
      "--fd",
      `IN_FD=${inPath}`,
      "--fd",
      `OUT_FD=${outPath}:w`,
      "--buf",
      `BUF=${BLOCK}`,
      "--set",
      `SIZE=${size}`,
    ]);
    assert.equal(code, 0, `size ${size}: ${JSON.stringify(json.diagnostics)}`);
    assert.equal(json.stop, "stopped");
    assert.deepEqual(json.emits, [{ userData: "0x0", res: size, flags: 0 }], `size ${size}`);
    assert.equal(json.globals.offset, String(size));
    const out = readFileSync(outPath);
    assert.equal(out.length, size);
    assert.ok(out.equals(input), `size ${size}: output differs`);
    console.log(`# copy ${size} bytes: ${json.mode}, ${json.steps} steps, ${json.elapsedMs} ms`);
  }
});

test("nop-pump: 1000 NOP completions counted", async (t) => {
  if (skip) return t.skip(skip);
  const { code, json } = await exec([obj("nop-pump")]);
  assert.equal(code, 0, JSON.stringify(json.diagnostics));
  assert.equal(json.emits.length, 1);
  assert.equal(json.emits[0]!.res, 1000);
  assert.equal(json.globals.completed, "1000");
  assert.equal(json.globals.queued, "1000");
  // user_data is the elapsed time by bpf_ktime_get_ns: real, so positive.
  assert.ok(BigInt(json.emits[0]!.userData) > 0n);
  console.log(
    `# nop-pump: ${json.mode}, ${json.steps} steps, ${json.elapsedMs} ms, ktime ${BigInt(json.emits[0]!.userData)} ns`,
  );
});

test("ticker: K ticks, no sooner than K periods", async (t) => {
  if (skip) return t.skip(skip);
  const K = 4;
  const periodMs = 40;
  const t0 = Date.now();
  const { code, json } = await exec([
    obj("ticker"),
    "--timespec",
    `PERIOD_TS=${periodMs * 1e6}`,
    "--set",
    `TICKS=${K}`,
  ]);
  const wall = Date.now() - t0;
  assert.equal(code, 0, JSON.stringify(json.diagnostics));
  assert.deepEqual(
    json.emits.map((e) => BigInt(e.userData)),
    Array.from({ length: K }, (_, i) => BigInt(i + 1)),
  );
  assert.equal(json.globals.ticks, String(K));
  assert.ok(json.elapsedMs >= K * periodMs, `elapsed ${json.elapsedMs} ms < ${K} × ${periodMs} ms`);
  console.log(`# ticker: ${K} ticks of ${periodMs} ms in ${json.elapsedMs} ms (wall ${wall} ms)`);
});

test("echo: a TCP client on loopback gets each message back", async (t) => {
  if (skip) return t.skip(skip);
  const port = 20000 + (process.pid % 20000);
  const r = spawnSync(
    process.execPath,
    [
      join(ROOT, "test/runtime/echo-client.mjs"),
      join(ROOT, "cli/ioubpf.ts"),
      obj("echo"),
      String(port),
      "--timeout",
      "30",
    ],
    { encoding: "utf8", cwd: ROOT, timeout: 60_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  const res = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as {
    connected: boolean;
    echoed: boolean[];
    sent: number[];
    code: number;
    stdout: string;
  };
  assert.ok(res.connected, "could not connect");
  assert.deepEqual(res.echoed, [true, true, true]);
  assert.equal(res.code, 0, res.stdout);
  const json = JSON.parse(res.stdout) as ExecJson;
  const total = res.sent.reduce((a, b) => a + b, 0);
  assert.equal(json.globals.echoed, String(total));
  assert.equal(json.globals.served, "1");
  console.log(`# echo: ${json.mode}, ${total} bytes echoed in ${json.steps} steps`);
});

test("open-read-close: the bytes of a file read through the fd its open returned", async (t) => {
  if (skip) return t.skip(skip);
  const path = join(work, "small.txt");
  const text = "open, read, close: through io_uring\n";
  writeFileSync(path, text);
  const { code, json } = await exec([
    obj("orc"),
    "--str",
    `PATH=${path}`,
    "--buf",
    "BUF=4096",
    "--set",
    "BUF_LEN=4096",
  ]);
  assert.equal(code, 0, JSON.stringify(json.diagnostics));
  assert.equal(json.globals.result, String(text.length));
  assert.equal(json.emits.at(-1)!.res, text.length);
  const missing = await exec([
    obj("orc"),
    "--str",
    `PATH=${join(work, "nope")}`,
    "--buf",
    "BUF=4096",
    "--set",
    "BUF_LEN=4096",
  ]);
  assert.equal(missing.json.emits[0]!.res, -2, "open of a missing file reports -ENOENT");
});

test("bad input: diagnostics, exit 1, no fd or mapping left behind", async (t) => {
  if (skip) return t.skip(skip);
  // Warm up koffi and the kernel BTF cache so that their one-time fds are not counted.
  await exec([obj("nop-pump")]);
  const fds0 = fdCount();
  const maps0 = ringMappings().length;
  const foreign = join(work, "v2.o");
  assert.equal(
    (
      await cli([
        "compile",
        join(ROOT, EXAMPLES["nop-pump"]!),
        "--target",
        "iouring-v2",
        "-o",
        foreign,
      ])
    ).code,
    0,
  );
  const cases: [string, string[], string][] = [
    ["missing object", [join(work, "absent.o")], "E9001"],
    ["not an ELF file", [join(ROOT, "package.json")], "E5002"],
    ["foreign object", [foreign], RuntimeCodes.notLinux71],
    [
      "wrong --fd path",
      [
        obj("copy"),
        "--fd",
        `IN_FD=${join(work, "no", "such")}`,
        "--fd",
        `OUT_FD=${join(work, "o")}:w`,
        "--buf",
        "BUF=16",
        "--set",
        "SIZE=1",
      ],
      RuntimeCodes.badPath,
    ],
    ["unknown global", [obj("copy"), "--set", "NOPE=1"], RuntimeCodes.unknownGlobal],
    ["bad value", [obj("copy"), "--set", "IN_FD=banana"], RuntimeCodes.badValue],
    ["value too wide", [obj("copy"), "--set", "IN_FD=0x100000000"], RuntimeCodes.badValue],
    [
      "never stops",
      [obj("ticker"), "--timespec", "PERIOD_TS=20000000", "--set", "TICKS=0", "--timeout", "0.5"],
      RuntimeCodes.timeout,
    ],
  ];
  for (const [what, args, codeWanted] of cases) {
    const r = await cli(["exec", ...args, "--json"]);
    assert.equal(r.code, 1, `${what}: exit ${r.code}`);
    const json = JSON.parse(r.out) as ExecJson;
    assert.ok(
      json.diagnostics.some((d) => d.code === codeWanted),
      `${what}: expected ${codeWanted}, got ${JSON.stringify(json.diagnostics)}`,
    );
    assert.ok(!r.err.includes("    at "), `${what}: a stack trace`);
  }
  assert.equal(
    existsSync(join(work, "o")),
    false,
    "a failed run must not have created the output before the error",
  );
  assert.equal(fdCount(), fds0, "fds leaked");
  assert.equal(ringMappings().length, maps0, "mappings leaked");
});

test("run(): native asked for on a kernel without io_uring_bpf_ops is a diagnostic", async (t) => {
  if (skip) return t.skip(skip);
  if (detectMode().mode === "native") return t.skip("this kernel has io_uring_bpf_ops");
  const r = await run({ object: readFileSync(obj("nop-pump")), mode: "native" });
  assert.equal(r.ok, false);
  assert.equal(r.diagnostics[0]?.code, RuntimeCodes.noNative);
});
