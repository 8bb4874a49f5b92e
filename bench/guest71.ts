// linux-7.1 on the real kernel (`npm run bench -- guest71`): for every example, our object and
// clang-19's object for the C version of the same logic (bench/c/linux-7.1, same loader
// contract), side by side in ONE boot of the Linux 7.x guest (docs/guest.md):
//  - instruction slots of the program section;
//  - the kernel verifier's "processed N insns";
//  - run time for the same work, both loaded by the same libbpf loader in the same boot:
//    nop-pump (1000 NOPs, 8 in flight), copy (8 MiB), ticker (20 ticks of 1 ms),
//    open-read-close (a 4 KiB file), each run REPEAT times, median.
// Ratios are ours / clang's: below 1 is better. The guest runs under TCG (no KVM), so
// absolute times are slow; both objects see the same machine.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compile } from "../src/codegen/index.js";
import { readElf } from "../src/elf/reader.js";
import {
  guestAvailability,
  libbpfLoaderPath,
  clangBpfArgs,
  parseLoaderJson,
  runGuestBatch,
  type GuestCommand,
  type GuestFile,
} from "../src/kernel/guest/index.js";

const ROOT = join(import.meta.dirname, "..");
const REPEAT = Number(process.env.IOUBPF_BENCH_REPEAT ?? 5);
const COPY_BYTES = 8 * 1024 * 1024;

interface Example {
  name: string;
  ts: string;
  c: string;
  args: string[];
  /** What one run does, for the throughput column. */
  work?: { unit: string; amount: number };
}

const EXAMPLES: Example[] = [
  {
    name: "nop-pump",
    ts: "examples/nop-pump/nop-pump.bpf.ts",
    c: "nop-pump.bpf.c",
    args: [],
    work: { unit: "NOPs/s", amount: 1000 },
  },
  {
    name: "copy",
    ts: "examples/copy/copy.bpf.ts",
    c: "copy.bpf.c",
    args: [
      "--fd",
      "IN_FD=/tmp/in:r",
      "--fd",
      "OUT_FD=/tmp/out:w",
      "--buf",
      "BUF=16384",
      "--set",
      `SIZE=${COPY_BYTES}`,
    ],
    work: { unit: "MB/s", amount: COPY_BYTES / 1e6 },
  },
  {
    name: "ticker",
    ts: "examples/ticker/ticker.bpf.ts",
    c: "ticker.bpf.c",
    // a __kernel_timespec of 1 ms
    args: ["--hex", `PERIOD_TS=${"00".repeat(8)}40420f0000000000`, "--set", "TICKS=20"],
  },
  {
    name: "orc",
    ts: "examples/open-read-close/orc.bpf.ts",
    c: "orc.bpf.c",
    args: ["--str", "PATH=/tmp/small", "--buf", "BUF=4096", "--set", "BUF_LEN=4096"],
    work: { unit: "runs/s", amount: 1 },
  },
  {
    name: "echo",
    ts: "examples/echo/echo.bpf.ts",
    c: "echo.bpf.c",
    args: [],
  },
];

function slotsOf(bytes: Uint8Array): number {
  const r = readElf(bytes, "x.o");
  const sec = r.object?.sections.find((s) => s.name.startsWith("struct_ops"));
  if (!sec) throw new Error("no struct_ops program section");
  return sec.data.length / 8;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : NaN;
};
const ratio = (a: number, b: number): string => (b > 0 ? (a / b).toFixed(2) : "-");
const geomean = (xs: number[]): number =>
  Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);

async function main(): Promise<void> {
  const avail = await guestAvailability();
  if (!avail.ok) {
    console.log(`guest71: skipped: ${avail.why}`);
    return;
  }
  const work = mkdtempSync(join(tmpdir(), "ioubpf-bench71-"));
  try {
    const files: GuestFile[] = [
      { guestPath: "/bin/iou-libbpf-loader", hostPath: await libbpfLoaderPath(), mode: 0o755 },
      { guestPath: "/tmp/small", data: Buffer.alloc(4096, 0x61) },
    ];
    const commands: GuestCommand[] = [
      // The copy input, made in the guest (8 MiB need not cross the initramfs).
      { id: "mkin", argv: ["sh", "-c", `head -c ${COPY_BYTES} /dev/urandom > /tmp/in`] },
    ];
    const slots: Record<string, { ours: number; clang: number }> = {};
    for (const ex of EXAMPLES) {
      const ours = compile(
        { path: ex.ts, text: readFileSync(join(ROOT, ex.ts), "utf8") },
        { target: "linux-7.1", opt: 2, mcpu: "v3" },
      );
      if (!ours.bytes) throw new Error(`${ex.name}: ${ours.diagnostics.map((d) => d.message)}`);
      const oursPath = join(work, `${ex.name}.ours.o`);
      writeFileSync(oursPath, ours.bytes);
      const clangPath = join(work, `${ex.name}.clang.o`);
      const cc = spawnSync(
        "clang-19",
        clangBpfArgs(join(ROOT, "bench/c/linux-7.1", ex.c), clangPath),
        { encoding: "utf8" },
      );
      if (cc.status !== 0) throw new Error(`clang-19 ${ex.c}: ${cc.stderr}`);
      slots[ex.name] = { ours: slotsOf(ours.bytes), clang: slotsOf(readFileSync(clangPath)) };
      for (const [who, path] of [
        ["ours", oursPath],
        ["clang", clangPath],
      ] as const) {
        const g = `/root/${ex.name}.${who}.o`;
        files.push({ guestPath: g, hostPath: path });
        commands.push({
          id: `load:${ex.name}:${who}`,
          argv: ["iou-libbpf-loader", g, "--load-only", "--log-level", "4"],
          timeoutMs: 120_000,
        });
        if (ex.work)
          for (let i = 0; i < REPEAT; i++)
            commands.push({
              id: `run:${ex.name}:${who}:${i}`,
              argv: ["iou-libbpf-loader", g, "--log-level", "4", "--timeout", "60", ...ex.args],
              timeoutMs: 120_000,
            });
      }
    }
    const run = await runGuestBatch({ files, commands });
    const json = (id: string): Record<string, unknown> | undefined => {
      const out = run.results.find((r) => r.id === id)?.stdout ?? "";
      return parseLoaderJson(out) as Record<string, unknown> | undefined;
    };
    console.log(
      `guest kernel ${run.kernelVersion} (Debian ${run.packageVersion}); ${REPEAT} runs each, median; TCG`,
    );
    console.log(
      "example  | slots ours | clang | ratio | processed ours | clang | ratio | run ours | clang | ratio (time)",
    );
    const slotRatios: number[] = [];
    const procRatios: number[] = [];
    const timeRatios: number[] = [];
    for (const ex of EXAMPLES) {
      const s = slots[ex.name]!;
      const po = Number(json(`load:${ex.name}:ours`)?.processed ?? NaN);
      const pc = Number(json(`load:${ex.name}:clang`)?.processed ?? NaN);
      const times = (who: string): number[] =>
        Array.from({ length: ex.work ? REPEAT : 0 }, (_, i) => json(`run:${ex.name}:${who}:${i}`))
          .filter((j) => j?.stop === "stopped")
          .map((j) => Number(j!.elapsedNs));
      const to = median(times("ours"));
      const tc = median(times("clang"));
      slotRatios.push(s.ours / s.clang);
      if (po > 0 && pc > 0) procRatios.push(po / pc);
      if (to > 0 && tc > 0) timeRatios.push(to / tc);
      const fmt = (ns: number): string =>
        !ex.work || !(ns > 0)
          ? "-"
          : `${((ex.work.amount * 1e9) / ns).toFixed(ex.work.unit === "MB/s" ? 1 : 0)} ${ex.work.unit}`;
      console.log(
        `${ex.name.padEnd(8)} | ${String(s.ours).padStart(10)} | ${String(s.clang).padStart(5)} | ${ratio(s.ours, s.clang).padStart(5)} | ` +
          `${String(po).padStart(14)} | ${String(pc).padStart(5)} | ${ratio(po, pc).padStart(5)} | ` +
          `${fmt(to).padStart(8)} | ${fmt(tc).padStart(5)} | ${ex.work ? ratio(to, tc) : "-"}`,
      );
    }
    console.log(
      `geomean  | slots ${geomean(slotRatios).toFixed(2)} | processed ${geomean(procRatios).toFixed(2)} | time ${timeRatios.length ? geomean(timeRatios).toFixed(2) : "-"}`,
    );
    const larger = EXAMPLES.filter((e) => slots[e.name]!.ours > slots[e.name]!.clang);
    console.log(
      larger.length === 0
        ? "bar met: no program larger than clang's"
        : `bar missed: larger than clang's: ${larger.map((e) => e.name).join(", ")}`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
