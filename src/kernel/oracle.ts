// The kernel oracle's API: verify an iouring-v1/v2 object with the real kernel verifier, or
// run it with BPF_PROG_TEST_RUN against scripted CQEs, by loading it as a
// BPF_PROG_TYPE_SYSCALL program whose io_uring helper calls go to recording shims.
//
// Modes: "strict" loads from a process without CAP_SYS_ADMIN and CAP_PERFMON (a child started
// through setpriv when this process has them), which is what an unprivileged io_uring user
// would face; "lenient" loads here with whatever capabilities this process has. Every result
// says which mode its verdict came from.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { ObjFile, ObjRelocation, ObjSection, ObjSymbol } from "../elf/types.js";
import { SHF, SHT, STB, STT } from "../elf/types.js";
import type { TargetName } from "../targets/targets.js";
import { currentMode, kernelOracleAvailable } from "./bpf.js";
import { executePlan, type ExecResult } from "./exec.js";
import { buildLoadPlan, type LoadPlan, type PlanLayout, type PlanOptions } from "./plan.js";
import {
  COPY_RECORD_SIZE,
  CQE_SIZE,
  cqScriptOffset,
  cqStateOffset,
  EMIT_RECORD_SIZE,
  pow2,
  STATE,
} from "./shim.js";
import type { Diagnostic } from "../diagnostics/index.js";

export type KernelVerdict = "accept" | "reject" | "unavailable";
export type OracleMode = "strict" | "lenient";

export interface KernelVerifyOptions {
  target: TargetName;
  /** Load without CAP_SYS_ADMIN/CAP_PERFMON (default true). */
  strict?: boolean;
  /** Program to load (section or function symbol); default the first program section. */
  program?: string;
  sleepable?: boolean;
  /** Verifier log level (1 default; 2 logs every instruction). */
  logLevel?: number;
  file?: string;
}

export interface KernelVerifyResult {
  verdict: KernelVerdict;
  /** The verifier log (may be empty for an accepted program with log level 0). */
  log: string;
  /** From the log's "processed N insns" line; includes the shims' instructions. */
  processedInsns?: number;
  mode: OracleMode;
  /**
   * Why the oracle could not run, the verifier's complaint on rejection, or (kernelRun,
   * accepted) why BPF_PROG_TEST_RUN failed; then there is no retval.
   */
  reason?: string;
  /** Diagnostics from preparing the object (unsupported relocations, …). */
  diagnostics: Diagnostic[];
  /** Instructions loaded: the program with reached subprograms, and the shims. */
  programInsns?: number;
  shimInsns?: number;
  /** Whether the io_uring program counts as sleepable (the SYSCALL shim always loads sleepable). */
  sleepable?: boolean;
  /** errno of a rejected load (EACCES 13 for verifier rejections, EINVAL 22 for malformed code). */
  errno?: number;
}

export interface ScriptedCqe {
  userData: bigint;
  res: number;
  flags?: number;
}

export interface EmittedCqe {
  cq: number;
  userData: bigint;
  res: number;
  flags: number;
}

export interface KernelRunOptions extends KernelVerifyOptions {
  /** The 16-byte io_uring_bpf_ctx (default zeroes). */
  ctx?: Uint8Array;
  /** Scripted CQEs per CQ index: cqes[q] is what reap_cqe(q) returns, in order. */
  cqes?: readonly (readonly ScriptedCqe[])[];
  /** Number of CQs (valid indices 0..nCq-1); default max(cqes.length, 4). */
  nCq?: number;
  /** Capacity of the SQE record (queue_sqe returns -EBUSY beyond it); default 64. */
  maxSqes?: number;
  maxEmits?: number;
}

export interface KernelRunResult extends KernelVerifyResult {
  /** r0 of the run, as a signed 32-bit value (BPF_PROG_TEST_RUN returns 32 bits). */
  retval?: number;
  /** The context after the run. */
  ctxOut?: Uint8Array;
  /** SQEs queued, 64 bytes each, in order. */
  sqes: Uint8Array[];
  emitted: EmittedCqe[];
  /** CQEs reaped (successful reap_cqe calls), in total and per CQ. */
  reaped: number;
  reapedPerCq: number[];
  /** copy_to_user calls: destination and size (the bytes are not recorded). */
  copies: { uptr: bigint; size: number }[];
  /** Writable global-data sections (.data, .bss, …) after the run, by section name. */
  globals: Record<string, Uint8Array>;
  /** Entries of the object's `.maps` maps after the run, by map name. */
  maps: Record<string, { key: Uint8Array; value: Uint8Array }[]>;
}

/** Whether strict mode can be had: already without the caps, or setpriv to drop them. */
function strictLauncher(): { argv: string[] } | { inProcess: true } | { error: string } {
  if (currentMode() === "strict") return { inProcess: true };
  const setpriv = ["/usr/bin/setpriv", "/bin/setpriv", "/usr/sbin/setpriv"].find((p) =>
    existsSync(p),
  );
  if (!setpriv)
    return { error: "strict mode needs util-linux setpriv to drop CAP_SYS_ADMIN and CAP_PERFMON" };
  const here = fileURLToPath(import.meta.url);
  const js = here.replace(/oracle\.(ts|js)$/, "child.js");
  const ts = here.replace(/oracle\.(ts|js)$/, "child.ts");
  let node: string[];
  if (here.endsWith(".js") && existsSync(js)) node = [process.execPath, js];
  else if (existsSync(ts)) {
    const tsx = createRequire(import.meta.url).resolve("tsx");
    node = [process.execPath, "--import", "file://" + tsx, ts];
  } else return { error: "cannot find the oracle's child script (child.js or child.ts)" };
  // Root regains every bounding-set capability on exec, so dropping them from the bounding
  // (and inheritable) sets is what removes them from the child's effective set.
  return {
    argv: [
      setpriv,
      "--inh-caps=-sys_admin,-perfmon",
      "--bounding-set=-sys_admin,-perfmon",
      "--",
      ...node,
    ],
  };
}

/**
 * The strict-mode child is kept running and serves one request per line, so a test suite
 * pays the process start once. It is unreferenced while idle, so it never keeps Node alive;
 * when this process exits, the child sees end of input and exits too.
 */
interface Worker {
  proc: ChildProcessWithoutNullStreams;
  pending: { resolve: (r: ExecResult) => void; timer: NodeJS.Timeout }[];
  buffer: string;
  stderr: string;
}
let worker: Worker | undefined;

const failed = (why: string): ExecResult => ({
  mode: "strict",
  loaded: false,
  errno: 0,
  log: "",
  setupError: why,
});

function setRef(w: Worker, on: boolean): void {
  const streams = [w.proc, w.proc.stdin, w.proc.stdout, w.proc.stderr] as unknown as {
    ref?: () => void;
    unref?: () => void;
  }[];
  for (const s of streams) (on ? s.ref : s.unref)?.call(s);
}

function startWorker(argv: string[]): Worker {
  const proc = spawn(argv[0]!, argv.slice(1), { stdio: ["pipe", "pipe", "pipe"] });
  const w: Worker = { proc, pending: [], buffer: "", stderr: "" };
  const finish = (why: string): void => {
    if (worker === w) worker = undefined;
    for (const p of w.pending.splice(0)) {
      clearTimeout(p.timer);
      p.resolve(failed(why));
    }
  };
  proc.stdout.setEncoding("utf8");
  proc.stdout.on("data", (chunk: string) => {
    w.buffer += chunk;
    let nl: number;
    while ((nl = w.buffer.indexOf("\n")) >= 0) {
      const line = w.buffer.slice(0, nl);
      w.buffer = w.buffer.slice(nl + 1);
      const p = w.pending.shift();
      if (!p) continue;
      clearTimeout(p.timer);
      try {
        p.resolve(JSON.parse(line) as ExecResult);
      } catch {
        p.resolve(
          failed(`strict-mode child answered something that is not JSON: ${line.slice(0, 200)}`),
        );
      }
      if (w.pending.length === 0) setRef(w, false);
    }
  });
  proc.stderr.setEncoding("utf8");
  proc.stderr.on("data", (c: string) => (w.stderr = (w.stderr + c).slice(-4000)));
  proc.on("error", (e) => finish(`cannot start the strict-mode child: ${e.message}`));
  proc.on("close", (code) =>
    finish(`strict-mode child exited with ${code}: ${w.stderr.trim() || "no output"}`),
  );
  return w;
}

function runChild(argv: string[], plan: LoadPlan): Promise<ExecResult> {
  if (!worker) worker = startWorker(argv);
  const w = worker;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      // A hung load: kill the child; every pending request fails through "close".
      w.proc.kill("SIGKILL");
    }, 120_000);
    w.pending.push({ resolve, timer });
    setRef(w, true);
    w.proc.stdin.write(JSON.stringify(plan) + "\n");
  });
}

async function execute(
  plan: LoadPlan,
  strict: boolean,
): Promise<ExecResult | { unavailable: string; mode: OracleMode }> {
  const avail = kernelOracleAvailable();
  if (!avail.ok) return { unavailable: avail.reason, mode: strict ? "strict" : currentMode() };
  if (!strict) return executePlan(plan);
  const launcher = strictLauncher();
  if ("error" in launcher) return { unavailable: launcher.error, mode: "strict" };
  if ("inProcess" in launcher) return executePlan(plan);
  return runChild(launcher.argv, plan);
}

export function parseProcessedInsns(log: string): number | undefined {
  const all = [...log.matchAll(/processed (\d+) insns/g)];
  const last = all[all.length - 1];
  return last ? Number(last[1]) : undefined;
}

/** The verifier's complaint: the last log line that is not a state dump or the statistics. */
export function rejectionReason(
  log: string,
  layout: Pick<PlanLayout, "traps" | "shims"> = { traps: new Map(), shims: [] },
): string {
  const lines = log.split("\n").filter((l) => l.trim() !== "");
  const statsAt = lines.findIndex((l) => l.startsWith("processed "));
  const body = statsAt >= 0 ? lines.slice(0, statsAt) : lines;
  // State dumps (instruction lines, register states, frame headers) are not the complaint.
  const dump =
    /^(\d+: |\s|(cur|old) state:|frame\d|caller:|callee:|to caller|from \d+ to \d+|last_idx|regs=|mark_precise|parent (didn't )?|propagating|verification time|stack depth|processed \d+|max_states_per_insn|func#\d+ @|live regs|Validating|; )/;
  let message =
    [...body].reverse().find((l) => !dump.test(l)) ??
    body[body.length - 1] ??
    "rejected with an empty log";
  // The last instruction the verifier printed: where the complaint is.
  let insn: number | undefined;
  for (let i = body.length - 1; i >= 0; i--) {
    const m = /^(\d+): \(/.exec(body[i]!);
    if (m) {
      insn = Number(m[1]);
      break;
    }
  }
  if (insn !== undefined) {
    const trap = layout.traps.get(insn);
    if (trap) message = `${trap} (${message})`;
    else {
      const shim = layout.shims.find((s) => insn! >= s.start && insn! < s.end);
      if (shim) message = `${message} [inside the ${shim.kind} shim, instruction ${insn}]`;
      else message = `${message} [instruction ${insn}]`;
    }
  }
  return message;
}

function planFor(
  obj: ObjFile,
  o: KernelRunOptions,
  run: boolean,
): ReturnType<typeof buildLoadPlan> {
  const perCq = Math.max(1, ...(o.cqes ?? []).map((l) => l.length));
  const planOptions: PlanOptions = {
    target: o.target,
    ...(o.program !== undefined ? { program: o.program } : {}),
    ...(o.sleepable !== undefined ? { sleepable: o.sleepable } : {}),
    ...(o.logLevel !== undefined ? { logLevel: o.logLevel } : {}),
    ...(o.file !== undefined ? { file: o.file } : {}),
    ...(run
      ? {
          nCq: o.nCq ?? Math.max(o.cqes?.length ?? 0, 4),
          perCq,
          ...(o.maxSqes !== undefined ? { maxSqes: o.maxSqes } : {}),
          ...(o.maxEmits !== undefined ? { maxEmits: o.maxEmits } : {}),
        }
      : {}),
  };
  return buildLoadPlan(obj, planOptions);
}

function verdictOf(
  r: ExecResult | { unavailable: string; mode: OracleMode },
  layout: PlanLayout,
  plan: LoadPlan,
  diagnostics: Diagnostic[],
): KernelVerifyResult {
  const programInsns = layout.programEnd;
  const shimInsns = Buffer.from(plan.insns, "base64").length / 8 - programInsns;
  const common = { diagnostics, programInsns, shimInsns, sleepable: layout.sleepable };
  if ("unavailable" in r)
    return { verdict: "unavailable", log: "", mode: r.mode, reason: r.unavailable, ...common };
  if (r.setupError)
    return { verdict: "unavailable", log: r.log, mode: r.mode, reason: r.setupError, ...common };
  const processed = parseProcessedInsns(r.log);
  const base = {
    log: r.log,
    mode: r.mode,
    ...(processed !== undefined ? { processedInsns: processed } : {}),
    ...common,
  };
  if (r.loaded)
    return { verdict: "accept", ...base, ...(r.runError ? { reason: r.runError } : {}) };
  return { verdict: "reject", errno: r.errno, reason: rejectionReason(r.log, layout), ...base };
}

/** Loads `obj`'s program and reports the kernel verifier's verdict. */
export async function kernelVerify(
  obj: ObjFile,
  options: KernelVerifyOptions,
): Promise<KernelVerifyResult> {
  const strict = options.strict ?? true;
  const { plan, layout, diagnostics } = planFor(obj, options, false);
  if (!plan || !layout)
    return {
      verdict: "unavailable",
      log: "",
      mode: strict ? "strict" : currentMode(),
      reason: diagnostics[0]?.message ?? "cannot prepare the object",
      diagnostics,
    };
  return verdictOf(await execute(plan, strict), layout, plan, diagnostics);
}

const u32 = (b: Uint8Array, off: number): number =>
  new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(off, true);

function cqeBytes(c: ScriptedCqe): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, BigInt.asUintN(64, c.userData), true);
  v.setInt32(8, c.res, true);
  v.setUint32(12, (c.flags ?? 0) >>> 0, true);
  return b;
}

/** Loads and runs `obj`'s program once with BPF_PROG_TEST_RUN, returning what its helpers did. */
export async function kernelRun(obj: ObjFile, options: KernelRunOptions): Promise<KernelRunResult> {
  const strict = options.strict ?? true;
  const empty = {
    sqes: [],
    emitted: [],
    reaped: 0,
    reapedPerCq: [],
    copies: [],
    globals: {},
    maps: {},
  };
  const { plan, layout, diagnostics } = planFor(obj, options, true);
  if (!plan || !layout)
    return {
      verdict: "unavailable",
      log: "",
      mode: strict ? "strict" : currentMode(),
      reason: diagnostics[0]?.message ?? "cannot prepare the object",
      diagnostics,
      ...empty,
    };
  const ctx = options.ctx ?? new Uint8Array(16);
  plan.run = { ctx: Buffer.from(ctx).toString("base64") };
  const sm = layout.shimMaps;
  const cqes = options.cqes ?? [];
  if (sm.cq_state !== undefined && sm.cq_script !== undefined) {
    // Both are one-value maps (shim.ts, shimMaps): the per-CQ tables live at fixed offsets.
    const cfg = layout.shimConfig;
    const st = Buffer.alloc(8 * pow2(cfg.nCq));
    const script = Buffer.alloc(CQE_SIZE * pow2(cfg.nCq) * pow2(cfg.perCq));
    cqes.forEach((list, q) => {
      if (q >= cfg.nCq) return;
      st.writeUInt32LE(list.length, cqStateOffset(q) + 4);
      list.forEach((c, i) => script.set(cqeBytes(c), cqScriptOffset(cfg, q, i)));
    });
    const key0 = Buffer.alloc(4).toString("base64");
    plan.maps[sm.cq_state!]!.init.push({ key: key0, value: st.toString("base64") });
    plan.maps[sm.cq_script!]!.init.push({ key: key0, value: script.toString("base64") });
  }
  const r = await execute(plan, strict);
  const verdict = verdictOf(r, layout, plan, diagnostics);
  if ("unavailable" in r || !r.run) return { ...verdict, ...empty };
  const dump = (name: string): Uint8Array[] => {
    const i = sm[name];
    if (i === undefined) return [];
    return (r.run!.maps[i] ?? []).map((e) => new Uint8Array(Buffer.from(e.value, "base64")));
  };
  const state = dump("state")[0] ?? new Uint8Array(STATE.size);
  const nsqe = u32(state, STATE.nsqe);
  const nemit = u32(state, STATE.nemit);
  const ncopy = u32(state, STATE.ncopy);
  const emitted = dump("emits")
    .slice(0, nemit)
    .map((b) => {
      const v = new DataView(b.buffer, b.byteOffset, EMIT_RECORD_SIZE);
      return {
        cq: v.getUint32(0, true),
        userData: v.getBigUint64(8, true),
        res: v.getInt32(16, true),
        flags: v.getUint32(20, true),
      };
    });
  const copies = dump("copies")
    .slice(0, ncopy)
    .map((b) => {
      const v = new DataView(b.buffer, b.byteOffset, COPY_RECORD_SIZE);
      return { uptr: v.getBigUint64(0, true), size: v.getUint32(8, true) };
    });
  const cqState = dump("cq_state")[0] ?? new Uint8Array(0);
  const reapedPerCq = Array.from({ length: layout.shimConfig.nCq }, (_, q) =>
    cqState.length >= cqStateOffset(q) + 4 ? u32(cqState, cqStateOffset(q)) : 0,
  );
  const globals: Record<string, Uint8Array> = {};
  const maps: Record<string, { key: Uint8Array; value: Uint8Array }[]> = {};
  const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "base64"));
  plan.maps.forEach((m, i) => {
    const entries = r.run!.maps[i];
    if (!entries) return;
    if ("section" in m.source && entries[0]) globals[m.source.section] = bytes(entries[0].value);
    if ("btfMap" in m.source)
      maps[m.source.btfMap] = entries.map((e) => ({ key: bytes(e.key), value: bytes(e.value) }));
  });
  return {
    ...verdict,
    retval: r.run.retval | 0,
    ctxOut: new Uint8Array(Buffer.from(r.run.ctx, "base64")),
    sqes: dump("sqes").slice(0, nsqe),
    emitted,
    reaped: u32(state, STATE.nreap),
    reapedPerCq,
    copies,
    globals,
    maps,
  };
}

export interface RawProgram {
  /** Encoded instructions (8 bytes per slot). */
  insns: Uint8Array;
  /** Program section name (default `iouring.s/prog`). */
  section?: string;
  /** Relocations against the program section (offsets in bytes). */
  relocations?: ObjRelocation[];
  /** Extra sections (global data `.data`/`.rodata`/`.bss`, `.text` subprograms, …). */
  sections?: ObjSection[];
  /** Extra symbols (global variables, functions). */
  symbols?: ObjSymbol[];
  license?: string;
}

/** An ObjFile around raw instructions, so hand-written code goes through the same path. */
export function objectFromInsns(p: RawProgram): ObjFile {
  const section = p.section ?? "iouring.s/prog";
  const license = new TextEncoder().encode((p.license ?? "GPL") + "\0");
  return {
    sections: [
      {
        name: section,
        type: SHT.PROGBITS,
        flags: SHF.ALLOC | SHF.EXECINSTR,
        data: p.insns,
        addralign: 8,
      },
      ...(p.sections ?? []),
      {
        name: "license",
        type: SHT.PROGBITS,
        flags: SHF.ALLOC | SHF.WRITE,
        data: license,
        addralign: 1,
      },
    ],
    symbols: [
      { name: "prog", section, value: 0, size: p.insns.length, type: STT.FUNC, bind: STB.GLOBAL },
      ...(p.symbols ?? []),
    ],
    relocations: new Map(p.relocations ? [[section, p.relocations]] : []),
  };
}
