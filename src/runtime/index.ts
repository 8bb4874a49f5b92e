// `ioubpf/runtime`: run a linux-7.1 object with real I/O. Native on kernels that have
// io_uring_bpf_ops, emulated in the VM against a real ring elsewhere (docs/runtime.md).
// Bad input gives diagnostics, never an exception; every fd and mapping made here is
// released before run() returns.
import { closeSync, constants as FS, openSync } from "node:fs";
import type { Diagnostic } from "../diagnostics/index.js";
import { RuntimeCodes } from "./codes.js";
import { loadStepper, runEmulated } from "./emulate.js";
import { ioUringStructOps, kernelBtf } from "./kernel-btf.js";
import { runNative } from "./native.js";
import { openObject, rodataVars, type GlobalVar } from "./object.js";
import { registerFilesAsThemselves, setupRing, SETUP, type Ring } from "./ring.js";
import {
  closeFd,
  listenTcp,
  MAP_ANONYMOUS,
  MAP_PRIVATE,
  mmap,
  munmap,
  PROT_READ,
  PROT_WRITE,
  sysError,
  type Mapping,
} from "./sys.js";
import type { RunMode, RunOptions, RunResult } from "./types.js";
import { GEOMETRY_NAMES } from "../targets/linux-7.1/plumbing.js";

export * from "./types.js";
export { RuntimeCodes } from "./codes.js";
export { openObject, type OpenedObject } from "./object.js";

/** Ring geometry globals the loader fills (docs/linux-7.1.md, step 2). */
const GEOMETRY = GEOMETRY_NAMES;

function fits(v: GlobalVar, x: bigint): boolean {
  const bits = BigInt(v.size * 8);
  return x >= -(1n << (bits - 1n)) && x < 1n << bits;
}

/** Which mode `auto` picks on this kernel, and why. */
export function detectMode(): { mode: RunMode; why: string } {
  const k = kernelBtf();
  if (typeof k === "string") return { mode: "emulate", why: k };
  const info = ioUringStructOps(k);
  if (typeof info === "string") return { mode: "emulate", why: info };
  return { mode: "native", why: "the kernel has struct io_uring_bpf_ops" };
}

export async function run(opts: RunOptions): Promise<RunResult> {
  const file = opts.file ?? "<object>";
  const diagnostics: Diagnostic[] = [];
  const err = (code: string, message: string, extra: Partial<RunResult> = {}): RunResult => {
    diagnostics.push({ code, severity: "error", message, file });
    return { ok: false, emits: [], globals: {}, diagnostics, ...extra };
  };
  const opened = openObject(opts.object, file);
  if (!opened.object) return { ok: false, emits: [], globals: {}, diagnostics: opened.diagnostics };
  const o = opened.object;
  // The program and its struct_ops map.
  let prog = opts.program
    ? o.programs.find((p) => p.name === opts.program || p.section === opts.program)
    : undefined;
  if (opts.program && !prog)
    return err(
      RuntimeCodes.noProgram,
      `no program '${opts.program}' (the object has: ${o.programs.map((p) => p.name).join(", ")})`,
    );
  if (!prog) {
    if (o.programs.length > 1)
      return err(
        RuntimeCodes.noProgram,
        `the object has several programs (${o.programs.map((p) => p.name).join(", ")}); name one`,
      );
    prog = o.programs[0]!;
  }
  const so = o.structOps.find((s) => s.program === prog!.name);
  if (!so)
    return err(RuntimeCodes.notLinux71, `no '.struct_ops.link' map points to '${prog.name}'`);

  // Globals the caller sets must be .rodata variables.
  const ro = new Map(rodataVars(o).map((v) => [v.name, v]));
  const named = [
    ...Object.keys(opts.set ?? {}),
    ...Object.keys(opts.fds ?? {}),
    ...Object.keys(opts.bufs ?? {}),
    ...Object.keys(opts.data ?? {}),
    ...Object.keys(opts.listen ?? {}),
  ];
  for (const n of named)
    if (!ro.has(n) || GEOMETRY.includes(n))
      return err(
        RuntimeCodes.unknownGlobal,
        `'${n}' is not a 'declare const' of this program${ro.size ? ` (settable: ${[...ro.keys()].filter((k) => !GEOMETRY.includes(k)).join(", ") || "none"})` : ""}`,
      );
  const rodata = new Map<string, bigint>();
  for (const [n, x] of Object.entries(opts.set ?? {})) {
    const v = BigInt(x);
    if (!fits(ro.get(n)!, v))
      return err(RuntimeCodes.badValue, `${n} = ${v} does not fit in its ${ro.get(n)!.size} bytes`);
    rodata.set(n, v);
  }
  const sq = opts.sq ?? 16;
  const cq = opts.cq ?? 64;
  for (const [what, n] of [
    ["--sq", sq],
    ["--cq", cq],
  ] as const)
    if (!Number.isInteger(n) || n < 1 || n > 32768)
      return err(RuntimeCodes.badValue, `${what} ${n}: expected 1..32768 entries`);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  if (!(timeoutMs > 0))
    return err(RuntimeCodes.badValue, `timeout ${timeoutMs} ms: expected a positive time`);
  const why = sysError();
  if (why) return err(RuntimeCodes.ringSetup, why);

  // Mode.
  let mode: RunMode;
  let modeReason: string;
  const k = kernelBtf();
  const info = typeof k === "string" ? k : ioUringStructOps(k);
  if (opts.mode === "native") {
    if (typeof info === "string")
      return err(RuntimeCodes.noNative, `native mode is unavailable: ${info}`);
    mode = "native";
    modeReason = "asked for";
  } else if (opts.mode === "emulate" || typeof info === "string") {
    mode = "emulate";
    modeReason = opts.mode === "emulate" ? "asked for" : (info as string);
  } else {
    mode = "native";
    modeReason = "the kernel has struct io_uring_bpf_ops";
  }
  const stepper = mode === "emulate" ? await loadStepper() : undefined;
  if (typeof stepper === "string")
    return err(RuntimeCodes.noEmulation, stepper, { mode, modeReason });

  // Resources, all released in finally.
  const fds: number[] = [];
  const sockets: number[] = [];
  const mappings: Mapping[] = [];
  const memory: { addr: bigint; bytes: Uint8Array }[] = [];
  let ring: Ring | undefined;
  const t0 = Date.now();
  try {
    for (const [n, spec] of Object.entries(opts.fds ?? {})) {
      const access = spec.access ?? "r";
      const flags =
        access === "r"
          ? FS.O_RDONLY
          : access === "w"
            ? FS.O_WRONLY | FS.O_CREAT | FS.O_TRUNC
            : FS.O_RDWR | FS.O_CREAT;
      let fd: number;
      try {
        fd = openSync(spec.path, flags, 0o644);
      } catch (e) {
        return err(
          RuntimeCodes.badPath,
          `${n}: cannot open '${spec.path}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
        );
      }
      fds.push(fd);
      rodata.set(n, BigInt(fd));
    }
    for (const [n, port] of Object.entries(opts.listen ?? {})) {
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        return err(RuntimeCodes.badValue, `${n}: port ${port} is not 0..65535`);
      const fd = listenTcp(port);
      if (fd < 0)
        return err(
          RuntimeCodes.badValue,
          `${n}: cannot listen on 127.0.0.1:${port} (errno ${-fd})`,
        );
      sockets.push(fd);
      rodata.set(n, BigInt(fd));
    }
    const buffer = (n: string, size: number, init?: Uint8Array): RunResult | undefined => {
      if (!Number.isInteger(size) || size < 1 || size > 1 << 30)
        return err(RuntimeCodes.badValue, `${n}: buffer size ${size} is not 1..1 GiB`);
      const m = mmap(size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (typeof m === "number")
        return err(RuntimeCodes.badValue, `${n}: cannot map ${size} bytes (errno ${-m})`);
      mappings.push(m);
      if (init) m.bytes.set(init);
      memory.push({ addr: m.addr, bytes: m.bytes });
      rodata.set(n, m.addr);
      return undefined;
    };
    for (const [n, size] of Object.entries(opts.bufs ?? {})) {
      const e = buffer(n, size);
      if (e) return e;
    }
    for (const [n, d] of Object.entries(opts.data ?? {})) {
      const bytes = typeof d === "string" ? new TextEncoder().encode(d + "\0") : d;
      const e = buffer(n, Math.max(1, bytes.length), bytes);
      if (e) return e;
    }
    const r = setupRing(sq, cq, mode === "emulate");
    if ("error" in r)
      return err(RuntimeCodes.ringSetup, `cannot set up the ring: ${r.error}`, {
        mode,
        modeReason,
      });
    ring = r.ring;
    const notes: string[] = [];
    if (!ring.sqRewind)
      notes.push(
        "the kernel refused IORING_SETUP_SQ_REWIND (Linux 7.1+): the ring uses its SQ array (no NO_SQARRAY), and each submission points slots head..head+n-1 at SQEs 0..n-1",
      );
    const files = [...fds, ...sockets];
    if (files.length) {
      const reg = registerFilesAsThemselves(ring, files);
      if (reg < 0)
        notes.push(
          `registering the files as fixed files failed (errno ${-reg}); fixedFile requests will fail`,
        );
    }
    const g = ring.geometry;
    const geo: Record<string, number> = {
      iou_cq_head_off: g.cqOff.head,
      iou_cq_tail_off: g.cqOff.tail,
      iou_cqes_off: g.cqOff.cqes,
      iou_cq_entries: g.cqEntries,
      iou_sq_entries: g.sqEntries,
    };
    for (const [n, x] of Object.entries(geo)) if (ro.has(n)) rodata.set(n, BigInt(x));
    opts.onReady?.({ mode, ringFd: ring.fd });
    const common = { mode, modeReason, ringFlags: ring.flags, ringNotes: notes };

    if (mode === "native") {
      const out = runNative({
        object: o,
        program: prog,
        structOps: so.name,
        kernel: k as Exclude<typeof k, string>,
        info: info as Exclude<typeof info, string>,
        ring,
        rodata,
        timeoutMs,
      });
      const stepsVar = out.globals[`${prog.name}__iou_steps`];
      const res: RunResult = {
        ok: out.stop === "stopped",
        ...common,
        stop: out.stop,
        emits: out.emits,
        globals: out.globals,
        ...(out.processed !== undefined ? { processed: out.processed } : {}),
        ...(stepsVar !== undefined ? { steps: Number(stepsVar) } : {}),
        elapsedMs: Date.now() - t0,
        verifierLog: out.verifierLog,
        diagnostics,
      };
      if (out.failure)
        diagnostics.push({
          code: out.failure.code,
          severity: "error",
          message:
            out.failure.message +
            (out.verifierLog && out.stop === "error" ? `\n${tail(out.verifierLog)}` : ""),
          file,
        });
      if (out.stop === "timeout")
        diagnostics.push({
          code: RuntimeCodes.timeout,
          severity: "error",
          message: `'${prog.name}' did not stop within ${timeoutMs} ms`,
          file,
        });
      return res;
    }
    const out = runEmulated(stepper as Exclude<typeof stepper, string | undefined>, {
      bytes: opts.object,
      object: o,
      program: prog.name,
      ring,
      rodata,
      memory,
      timeoutMs,
      trace: opts.trace ?? false,
    });
    diagnostics.push(...out.diagnostics);
    if (out.failure)
      diagnostics.push({
        code: out.failure.code,
        severity: "error",
        message: out.failure.message,
        file,
      });
    if (out.stop === "timeout")
      diagnostics.push({
        code: RuntimeCodes.timeout,
        severity: "error",
        message: `'${prog.name}' did not stop within ${timeoutMs} ms`,
        file,
      });
    return {
      ok: out.stop === "stopped",
      ...common,
      stop: out.stop,
      emits: out.emits,
      globals: out.globals,
      steps: out.steps,
      elapsedMs: Date.now() - t0,
      ...(out.trace ? { trace: out.trace } : {}),
      diagnostics,
    };
  } catch (e) {
    // A bug here must still release everything and come back as a diagnostic.
    return err(
      RuntimeCodes.runFailed,
      `internal error in the runtime: ${(e as Error)?.stack ?? String(e)}`,
    );
  } finally {
    ring?.close();
    for (const fd of fds) closeSync(fd);
    for (const fd of sockets) closeFd(fd);
    for (const m of mappings) munmap(m);
  }
}

function tail(log: string, lines = 12): string {
  return log.trimEnd().split("\n").slice(-lines).join("\n");
}

export { SETUP };
