// A real Linux 7.x kernel (Debian sid's cloud flavour, CONFIG_IO_URING_BPF_OPS=y) booted under
// qemu (TCG) with a generated initramfs, running a batch of commands in ONE boot (docs/guest.md).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { constants } from "node:os";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GuestCodes, GuestError } from "./errors.js";
import { fetchGuestParts } from "./fetch.js";
import { baseSegment, batchSegment, nodeSegment, projectSegment } from "./initramfs.js";
import type { GuestBatch, GuestCommandResult, GuestRun } from "./types.js";
import { lastLines, needTool, runAsync, which } from "./util.js";

export type { GuestBatch, GuestCommand, GuestCommandResult, GuestFile, GuestRun } from "./types.js";
export { GuestCodes, GuestError } from "./errors.js";
export { libbpfLoaderPath } from "./loader.js";
export { clangBpfArgs, parseLoaderJson, type LoaderJson } from "./loader-output.js";
export { fetchGuestParts, sidBpftool } from "./fetch.js";

/** Host-side time spent per phase of the last runGuestBatch (for docs/guest.md's figures). */
export interface GuestTimings {
  fetchMs: number;
  initramfsMs: number;
  qemuMs: number;
}
export let lastGuestTimings: GuestTimings | undefined;

/** Whether a guest can boot here; `why` says what is missing. Fetches (and caches) the kernel. */
export async function guestAvailability(): Promise<{ ok: true } | { ok: false; why: string }> {
  try {
    needTool("qemu-system-x86_64", "qemu-system-x86");
    for (const [tool, pkg] of [
      ["cpio", "cpio"],
      ["gzip", "gzip"],
      ["zstd", "zstd"],
      ["gcc", "gcc libc6-dev"],
    ] as const)
      needTool(tool, pkg);
    if (!existsSync("/bin/busybox") && !existsSync("/usr/bin/busybox"))
      return { ok: false, why: "no /bin/busybox (apt-get install busybox-static)" };
    fetchGuestParts();
    return { ok: true };
  } catch (e) {
    return { ok: false, why: e instanceof GuestError ? e.why : String(e) };
  }
}

const FRAME = "@@IOUBPF:";

function signalName(n: number): string {
  for (const [name, v] of Object.entries(constants.signals)) if (v === n) return name;
  return `SIG${n}`;
}

/** Boots the kernel once, runs every command in order, returns their results. */
export async function runGuestBatch(batch: GuestBatch): Promise<GuestRun> {
  const qemu = needTool("qemu-system-x86_64", "qemu-system-x86");
  const t0 = Date.now();
  const parts = fetchGuestParts();
  const t1 = Date.now();
  const segments = [baseSegment()];
  if (batch.withNode || batch.withProject) segments.push(nodeSegment());
  if (batch.withProject) segments.push(projectSegment());
  const work = mkdtempSync(join(tmpdir(), "ioubpf-boot-"));
  try {
    const batchCpio = join(work, "batch.cpio.gz");
    batchSegment(batch.commands, batch.files ?? [], batchCpio);
    segments.push(batchCpio);
    const initrd = join(work, "initrd");
    writeFileSync(initrd, Buffer.concat(segments.map((s) => readFileSync(s))));
    const t2 = Date.now();
    const commandsMs = batch.commands.reduce((s, c) => s + (c.timeoutMs ?? 60_000), 0);
    const timeoutMs =
      batch.timeoutMs ?? 60_000 + commandsMs + (batch.withNode || batch.withProject ? 60_000 : 0);
    const args = [
      "-m",
      String(batch.memoryMb ?? 2048),
      "-smp",
      "2",
      "-nographic",
      "-no-reboot",
      "-nodefaults",
      "-serial",
      "stdio",
      "-monitor",
      "none",
      "-kernel",
      parts.vmlinuz,
      "-initrd",
      initrd,
      "-append",
      "console=ttyS0 quiet panic=-1",
    ];
    let q;
    try {
      q = await runAsync(qemu, args, timeoutMs);
    } catch (e) {
      throw new GuestError(
        GuestCodes.bootFailed,
        `qemu-system-x86_64 did not start: ${(e as Error).message}`,
      );
    }
    const bootMs = Date.now() - t2;
    lastGuestTimings = { fetchMs: parts.fetchMs || t1 - t0, initramfsMs: t2 - t1, qemuMs: bootMs };
    const parsed = parseConsole(q.out, batch);
    if (!parsed.done) {
      const what = q.timedOut
        ? `the guest did not finish within ${timeoutMs} ms`
        : `qemu exited (${q.status ?? q.signal}) before the guest finished`;
      const panic = /Kernel panic[^\r\n]*/.exec(q.out)?.[0];
      const err = new GuestError(
        GuestCodes.bootFailed,
        `${what}${panic ? ` (${panic.trim()})` : ""}: ${lastLines(stripFrames(q.out), 6)}`,
      );
      err.console = q.out;
      throw err;
    }
    return {
      kernelVersion: parsed.release,
      packageVersion: parts.packageVersion,
      bootMs,
      results: parsed.results,
      console: q.out,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function stripFrames(out: string): string {
  return out
    .split("\n")
    .filter((l) => !l.includes(FRAME))
    .join("\n");
}

function parseConsole(
  out: string,
  batch: GuestBatch,
): { release: string; done: boolean; results: GuestCommandResult[] } {
  const stdout = new Map<number, string[]>();
  const stderr = new Map<number, string[]>();
  const results: GuestCommandResult[] = [];
  let release = "";
  let done = false;
  for (const raw of out.split("\n")) {
    const at = raw.indexOf(FRAME);
    if (at < 0) continue;
    const line = raw.slice(at + FRAME.length).replace(/\r$/, "");
    const [tag, ...rest] = line.split(" ");
    if (tag === "U") release = rest.join(" ");
    else if (tag === "DONE") done = true;
    else if (tag === "O" || tag === "E") {
      const m = tag === "O" ? stdout : stderr;
      const i = Number(rest[0]);
      if (!m.has(i)) m.set(i, []);
      m.get(i)!.push(rest[1] ?? "");
    } else if (tag === "R") {
      const [i, exit, sig, ms, to] = rest.map(Number) as [number, number, number, number, number];
      const cmd = batch.commands[i];
      const decode = (m: Map<number, string[]>): string =>
        Buffer.concat((m.get(i) ?? []).map((c) => Buffer.from(c, "base64"))).toString("utf8");
      results.push({
        id: cmd?.id ?? String(i),
        exitCode: exit < 0 ? null : exit,
        ...(sig > 0 ? { signal: signalName(sig) } : {}),
        stdout: decode(stdout),
        stderr: decode(stderr),
        ms,
        timedOut: to === 1,
      });
    }
  }
  return { release, done, results };
}

/** True when a qemu binary is on PATH (cheap; does not fetch anything). */
export function haveQemu(): boolean {
  return which("qemu-system-x86_64") !== undefined;
}
