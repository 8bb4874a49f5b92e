// Runs an object against a scenario: BPF requests (IORING_OP_BPF SQEs) run their program in
// the VM, SQEs the program queues complete as the scenario scripts (or by per-opcode
// defaults), and on iouring-v2 a request whose run leaves `wait_nr != 0` runs again once CQ
// `wait_idx` holds at least `wait_nr` CQEs (abi.md). Time advances in steps: a completion
// scripted `after: N` posts its CQE N steps after its SQE was submitted. Everything that
// happens is recorded as events (see trace.ts for the text form).
import type { Diagnostic } from "../diagnostics/index.js";
import type { ObjFile } from "../elf/types.js";
import { getTarget, type TargetInfo, type TargetName } from "../targets/targets.js";
import { VmCodes } from "./codes.js";
import { type HelperEvent, makeHelpers } from "./helpers.js";
import { findProgram, loadObject, type LoadedObject, type ProgramInfo } from "./loader.js";
import { Errno } from "./maps.js";
import { setGlobals } from "./globals.js";
import type { Region } from "./memory.js";
import {
  CompletionQueue,
  type Cqe,
  decodeSqe,
  encodeSqe,
  IOSQE,
  type SqeView,
  UserMemory,
} from "./ring.js";
import { type CompletionRule, IORING_OP_BPF, type Scenario } from "./scenario.js";
import type { Kfunc71Event } from "./linux71.js";
import { isStructOpsObject, simulate71 } from "./simulate71.js";
import { targetEntry } from "../targets/registry.js";

export type SimEvent = { step: number; run?: number } & (
  | { type: "submit"; seq: number; by: string; sqe: SqeView }
  | {
      type: "run";
      seq: number;
      program: string;
      ctx?: { userData: bigint; waitNr: number; waitIdx: number };
    }
  | {
      type: "exit";
      r0: bigint;
      insns: number;
      ctxWrites: Record<string, [number | bigint, number | bigint]>;
    }
  | { type: "fault"; pc: number; message: string }
  | { type: "wait"; seq: number; cq: number; nr: number }
  | { type: "cqe"; cq: number; seq?: number; cqe: Cqe; note?: string }
  | HelperEvent
  // linux-7.1 (simulate71.ts): `run` is the loop_step number, `step` the time step.
  | { type: "step"; head: number; tail: number }
  | {
      type: "step_exit";
      ret: number;
      insns: number;
      head: [number, number];
      consumed: number;
      cqWaitIdx: number;
    }
  | { type: "sleep"; waitIdx: number; tail: number; need: number }
  | { type: "stop"; reason: string }
  | { type: "emit71"; userData: bigint; res: number; flags: number }
  | Kfunc71Event
);

export interface SimResult {
  events: SimEvent[];
  diagnostics: Diagnostic[];
  /** Set when the object could be loaded and the simulation ran. */
  final?: {
    cqs: {
      index: number;
      entries: number;
      posted: number;
      reaped: number;
      cqes: Cqe[];
      overflow: number;
    }[];
    maps: Record<string, Record<string, string>>;
    userMemory: { addr: bigint; data: string }[];
    /** linux-7.1: global variables after the run (decimal), requests still in flight. */
    globals?: Record<string, string>;
    inflight?: number;
  };
  /** "loop71" for a linux-7.1 struct_ops loop (trace wording differs). */
  kind?: "loop71";
  stats: { runs: number; steps: number; insns: number; sqes: number };
}

export interface SimOptions {
  target?: TargetName;
  /** Program (symbol or section name) the default BPF request runs. */
  program?: string;
  file?: string;
}

interface Req {
  seq: number;
  sqe: SqeView;
  by: string;
  next?: Req;
  hard: boolean;
  completeAt: number;
  res: number;
  flags: number;
  bpf?: { program: ProgramInfo; waitNr: number; waitIdx: number; ctx: Region };
}

/** Default result of an opcode nobody scripted (docs/vm.md lists these). */
export function defaultResult(sqe: SqeView, nextFd: () => number): number {
  switch (sqe.opName) {
    case "READ":
    case "WRITE":
    case "READ_FIXED":
    case "WRITE_FIXED":
    case "SEND":
    case "RECV":
      return sqe.len;
    case "TIMEOUT":
      return -62; // -ETIME: the timeout expired
    case "ASYNC_CANCEL":
      return -Errno.ENOENT;
    case "POLL_ADD":
      return sqe.opFlags & 0xffff; // every requested event is ready
    case "OPENAT":
    case "OPENAT2":
    case "ACCEPT":
    case "SOCKET":
      return nextFd();
    default:
      return 0;
  }
}

/**
 * The trace, kept to `limits.events` entries: a long simulation's events are counted past the
 * limit, not stored, so memory and `--json` output stay bounded. `finish` reports the cut.
 */
export function eventRecorder(limit: number) {
  const events: SimEvent[] = [];
  let cut = 0;
  return {
    events,
    ev(e: SimEvent) {
      if (events.length < limit) events.push(e);
      else cut++;
    },
    finish(diag: (severity: Diagnostic["severity"], code: string, message: string) => void) {
      if (cut)
        diag(
          "warning",
          VmCodes.simLimit,
          `limits.events: the trace keeps the first ${limit} events; ${cut} later event(s) not recorded`,
        );
    },
  };
}

export function simulate(obj: ObjFile, scenario: Scenario, options: SimOptions = {}): SimResult {
  const { events, ev, finish: finishEvents } = eventRecorder(scenario.limits.events);
  const diagnostics: Diagnostic[] = [];
  const stats = { runs: 0, steps: 0, insns: 0, sqes: 0 };
  const file = options.file;
  const diag = (severity: Diagnostic["severity"], code: string, message: string) =>
    diagnostics.push({ code, severity, message, ...(file ? { file } : {}) });
  // Without a target, a struct_ops object is a linux-7.1 one; others default to iouring-v2.
  const target: TargetInfo = getTarget(
    options.target ?? scenario.target ?? (isStructOpsObject(obj) ? "linux-7.1" : "iouring-v2"),
  );
  // The registry says how a target's programs run: struct_ops loop_step loops (not requests).
  if (targetEntry(target).codegen.entry === "structOpsLoop")
    return simulate71(obj, scenario, options);

  // Scenario `globals`: what a loader writes into .rodata/.data/.bss before loading.
  const withGlobals = setGlobals(obj, scenario.globals);
  if ("error" in withGlobals) {
    const range = scenario.globals.find((g) => g.name === withGlobals.name)?.range;
    diagnostics.push({
      code: VmCodes.badScenario,
      severity: "error",
      message: withGlobals.error,
      ...(range ? { range } : file ? { file } : {}),
    });
    return { events, diagnostics, stats };
  }
  const { loaded, diagnostics: loadDiags } = loadObject(withGlobals.object, {
    maps: scenario.maps,
    maxInsns: scenario.limits.insnsPerRun,
    ...(file ? { file } : {}),
  });
  diagnostics.push(...loadDiags);
  if (!loaded) return { events, diagnostics, stats };
  const L: LoadedObject = loaded;

  // The registered program table that a BPF SQE's `off` indexes.
  const table: ProgramInfo[] = [];
  for (const name of scenario.programs ?? L.programs.map((p) => p.name)) {
    const p = findProgram(L, name);
    if (!p)
      diag("error", VmCodes.noProgram, `program ${name} (scenario programs) is not in the object`);
    else table.push(p);
  }
  const selectedName = options.program ?? scenario.program;
  const selected = findProgram(L, selectedName);
  if (!selected)
    diag(
      "error",
      VmCodes.noProgram,
      `no program named ${selectedName} (the object has: ${L.programs.map((p) => p.name).join(", ")})`,
    );
  if (diagnostics.some((d) => d.severity === "error")) return { events, diagnostics, stats };
  let selectedIdx = table.indexOf(selected!);
  if (selectedIdx < 0) {
    table.push(selected!);
    selectedIdx = table.length - 1;
  }

  for (const init of scenario.mapInit) {
    const m = L.maps.get(init.map);
    if (!m) {
      diag("error", VmCodes.badScenario, `maps.${init.map}: the object has no such map`);
      continue;
    }
    let key: Uint8Array;
    if (typeof init.key === "number") {
      key = new Uint8Array(m.def.keySize);
      new DataView(key.buffer).setUint32(0, init.key >>> 0, true);
    } else key = init.key;
    const value = new Uint8Array(m.def.valueSize);
    value.set(init.value.subarray(0, m.def.valueSize));
    if (key.length !== m.def.keySize)
      diag("error", VmCodes.badScenario, `maps.${init.map}: key must be ${m.def.keySize} bytes`);
    else if (m.update(key, value, 0) < 0)
      diag(
        "error",
        VmCodes.badScenario,
        `maps.${init.map}: cannot store an entry (full or index out of range)`,
      );
  }
  if (diagnostics.some((d) => d.severity === "error")) return { events, diagnostics, stats };

  const cqs = scenario.cqEntries.map((n, i) => new CompletionQueue(i, n));
  const nCq = target.sqeCqField ? cqs.length : 1;
  for (const c of scenario.cqes)
    cqs[c.cq]!.post({ userData: c.userData, res: c.res, flags: c.flags });
  const user = new UserMemory();
  for (const seg of scenario.userMemory) user.map(seg.addr, seg.bytes);

  let step = 0;
  let runNo = 0;
  let seq = 0;
  let fd = 3;
  let halted = false;
  let badReturnReported = false;
  const inflight: Req[] = [];
  const ready: Req[] = [];
  const waiting: Req[] = [];
  const rules = scenario.completions.map((r) => ({ rule: r, left: r.times ?? Infinity }));
  let batch: { raw: Uint8Array; by: string }[] = [];
  let currentProgram: ProgramInfo | undefined;
  const warnedSleepable = new Set<string>();
  let currentCtx: Region = L.vm.mem.add("ctx (none)", 0, { readable: false, writable: false });

  const env = {
    target,
    mem: L.vm.mem,
    mapList: L.mapList,
    cqs: cqs.slice(0, nCq),
    user,
    ctx: () => currentCtx,
    clock: { now: scenario.clock.start, step: scenario.clock.step },
    rng: { state: scenario.seed >>> 0 },
    queueSqe: (raw: Uint8Array) => {
      if (batch.length >= scenario.sqEntries) return -Errno.EBUSY;
      batch.push({ raw, by: `run ${runNo}` });
      return seq + batch.length - 1;
    },
    event: (e: HelperEvent) => ev({ step, run: runNo, ...e }),
    sleepable: () => currentProgram?.sleepable ?? false,
    warnSleepable: (helper: string) => {
      if (warnedSleepable.has(helper)) return;
      warnedSleepable.add(helper);
      diag(
        "warning",
        VmCodes.notSleepable,
        `${currentProgram?.name} calls ${helper}, which the kernel allows only in sleepable programs (section ${target.sections.sleepable ?? "?"}…); it is in ${currentProgram?.section}`,
      );
    },
  };
  L.vm.setHelpers(makeHelpers(env));

  const findRule = (r: Req): CompletionRule | undefined => {
    for (const x of rules) {
      const m = x.rule.match;
      if (x.left <= 0) continue;
      if (m.userData !== undefined && m.userData !== r.sqe.userData) continue;
      if (m.opcode !== undefined && m.opcode !== r.sqe.opcode) continue;
      if (m.seq !== undefined && m.seq !== r.seq) continue;
      x.left--;
      return x.rule;
    }
    return undefined;
  };

  const post = (r: Req, res: number, flags: number, note?: string) => {
    let cq = target.sqeCqField ? r.sqe.cq : 0;
    if (cq >= nCq) {
      cq = 0;
      res = -Errno.EINVAL;
      note = `cq ${r.sqe.cq} does not exist`;
    }
    if (res >= 0 && r.sqe.flags & IOSQE.CQE_SKIP_SUCCESS) return;
    const cqe = { userData: r.sqe.userData, res, flags };
    cqs[cq]!.post(cqe);
    ev({ step, type: "cqe", cq, seq: r.seq, cqe, ...(note ? { note } : {}) });
  };

  const complete = (r: Req, res: number, flags = 0, note?: string): void => {
    post(r, res, flags, note);
    const next = r.next;
    if (!next) return;
    if (res < 0 && !r.hard) {
      // A failed link cancels the rest of its chain.
      for (let n: Req | undefined = next; n; n = n.next)
        post(n, -Errno.ECANCELED, 0, "link cancelled");
      return;
    }
    start(next);
  };

  const start = (r: Req): void => {
    if (r.sqe.opcode === IORING_OP_BPF) {
      const program = table[Number(r.sqe.off)];
      if (r.sqe.off >= BigInt(table.length) || !program)
        return complete(r, -Errno.EINVAL, 0, `no program at table index ${r.sqe.off}`);
      // abi.md: a BPF request's ioprio, len, op flags and addr must be 0.
      if (r.sqe.ioprio || r.sqe.len || r.sqe.opFlags || r.sqe.addr)
        return complete(
          r,
          -Errno.EINVAL,
          0,
          "IORING_OP_BPF needs ioprio, len, op_flags and addr 0",
        );
      const ctxSize = target.context.kind === "struct" ? target.context.size : 0;
      const ctx = L.vm.mem.add(`ctx of #${r.seq}`, ctxSize, {
        readable: ctxSize > 0,
        writable: ctxSize > 0,
      });
      const w = scenario.waitIdx;
      const waitIdx = typeof w === "number" ? w : (w?.[program.name] ?? 0);
      r.bpf = { program, waitNr: 0, waitIdx, ctx };
      ready.push(r);
      return;
    }
    if (r.sqe.opcode > target.maxOpcode)
      return complete(r, -Errno.EINVAL, 0, `opcode ${r.sqe.opcode} is unknown to ${target.name}`);
    const rule = findRule(r);
    r.res = rule?.res ?? defaultResult(r.sqe, () => fd++);
    r.flags = rule?.flags ?? 0;
    const after = rule?.after ?? scenario.defaultAfter;
    if (after === 0) return complete(r, r.res, r.flags);
    r.completeAt = step + after;
    inflight.push(r);
  };

  const submitBatch = (items: { raw: Uint8Array; by: string }[]): void => {
    const reqs: Req[] = items.map(({ raw, by }) => {
      const sqe = decodeSqe(raw, target.constants.IORING_OP_BPF);
      const r: Req = {
        seq: seq++,
        sqe,
        by,
        hard: (sqe.flags & IOSQE.HARDLINK) !== 0,
        completeAt: 0,
        res: 0,
        flags: 0,
      };
      stats.sqes++;
      ev({ step, type: "submit", seq: r.seq, by, sqe });
      return r;
    });
    for (let i = 0; i + 1 < reqs.length; i++)
      if (reqs[i]!.sqe.flags & (IOSQE.LINK | IOSQE.HARDLINK)) reqs[i]!.next = reqs[i + 1];
    const held = new Set(reqs.map((r) => r.next).filter((x): x is Req => x !== undefined));
    for (const r of reqs) if (!held.has(r)) start(r);
  };

  const runBpf = (r: Req): void => {
    const b = r.bpf!;
    runNo++;
    stats.runs++;
    currentCtx = b.ctx;
    currentProgram = b.program;
    const v = b.ctx.view;
    const hasCtx = b.ctx.bytes.length >= 16;
    if (hasCtx) {
      v.setBigUint64(0, r.sqe.userData, true);
      v.setUint32(8, b.waitNr, true);
      v.setUint32(12, b.waitIdx, true);
    }
    ev({
      step,
      run: runNo,
      type: "run",
      seq: r.seq,
      program: b.program.name,
      ...(hasCtx
        ? { ctx: { userData: r.sqe.userData, waitNr: b.waitNr, waitIdx: b.waitIdx } }
        : {}),
    });
    batch = [];
    const res = L.vm.run(b.program.slot, [L.vm.mem.addressOf(b.ctx)]);
    stats.insns += res.insns;
    if (res.fault) {
      // pc = instruction index in its code section, as llvm-objdump numbers it.
      const where = L.locate(res.fault.pc);
      const pc = where?.index ?? res.fault.pc;
      const inSection = where && where.section !== b.program.section ? ` in ${where.section}` : "";
      ev({ step, run: runNo, type: "fault", pc, message: res.fault.message });
      diag(
        "error",
        res.fault.kind === "limit" ? VmCodes.insnLimit : VmCodes.fault,
        `run ${runNo} of ${b.program.name}: ${res.fault.kind === "limit" ? "" : "fault "}at pc ${pc}${inSection}: ${res.fault.message}`,
      );
      halted = true;
      return;
    }
    const ctxWrites: Record<string, [number | bigint, number | bigint]> = {};
    if (hasCtx) {
      const ud = v.getBigUint64(0, true);
      const nr = v.getUint32(8, true);
      const idx = v.getUint32(12, true);
      if (ud !== r.sqe.userData) ctxWrites.user_data = [r.sqe.userData, ud];
      if (nr !== b.waitNr) ctxWrites.wait_nr = [b.waitNr, nr];
      if (idx !== b.waitIdx) ctxWrites.wait_idx = [b.waitIdx, idx];
      b.waitNr = nr;
      b.waitIdx = idx;
    }
    ev({ step, run: runNo, type: "exit", r0: res.r0, insns: res.insns, ctxWrites });
    if (res.r0 !== 0n && target.returnRule.kind === "zero" && !badReturnReported) {
      badReturnReported = true;
      diag(
        "warning",
        VmCodes.badReturn,
        `run ${runNo} of ${b.program.name} returned ${BigInt.asIntN(64, res.r0)}; ${target.name} programs must return 0 (the kernel verifier rejects any other value)`,
      );
    }
    const queued = batch;
    batch = [];
    if (queued.length) submitBatch(queued);
    if (target.name === "iouring-v2" && b.waitNr !== 0) {
      if (b.waitIdx >= nCq)
        return complete(r, -Errno.EINVAL, 0, `wait_idx ${b.waitIdx} names no CQ`);
      ev({ step, run: runNo, type: "wait", seq: r.seq, cq: b.waitIdx, nr: b.waitNr });
      waiting.push(r);
      return;
    }
    complete(r, 0);
  };

  const initial = scenario.submit ?? [
    { opcode: IORING_OP_BPF, off: BigInt(selectedIdx), userData: scenario.userData },
  ];
  submitBatch(initial.map((s) => ({ raw: encodeSqe(s), by: "user" })));

  outer: for (;;) {
    let progress = true;
    while (progress && !halted) {
      progress = false;
      const due = inflight
        .filter((r) => r.completeAt <= step)
        .sort((a, b) => a.completeAt - b.completeAt || a.seq - b.seq);
      for (const r of due) {
        inflight.splice(inflight.indexOf(r), 1);
        complete(r, r.res, r.flags);
        progress = true;
      }
      while (ready.length && !halted) {
        if (stats.runs >= scenario.limits.runs) {
          diag("warning", VmCodes.simLimit, `stopped after ${stats.runs} runs (limits.runs)`);
          break outer;
        }
        if (stats.insns >= scenario.limits.insns) {
          diag(
            "warning",
            VmCodes.simLimit,
            `stopped after ${stats.runs} runs and ${stats.insns} instructions (limits.insns)`,
          );
          break outer;
        }
        runBpf(ready.shift()!);
        progress = true;
      }
      for (let i = 0; i < waiting.length; i++) {
        const w = waiting[i]!;
        if (cqs[w.bpf!.waitIdx]!.count >= w.bpf!.waitNr) {
          waiting.splice(i--, 1);
          ready.push(w);
          progress = true;
        }
      }
    }
    if (halted) break;
    if (inflight.length === 0) {
      for (const w of waiting)
        diag(
          "note",
          VmCodes.stuck,
          `BPF request #${w.seq} still waits for ${w.bpf!.waitNr} CQE(s) on CQ ${w.bpf!.waitIdx}, which has ${cqs[w.bpf!.waitIdx]!.count}; nothing else can complete`,
        );
      break;
    }
    step = Math.min(...inflight.map((r) => r.completeAt));
    if (step > scenario.limits.steps) {
      diag("warning", VmCodes.simLimit, `stopped at step ${step} (limits.steps)`);
      break;
    }
  }
  stats.steps = step;
  finishEvents(diag);

  const maps: Record<string, Record<string, string>> = {};
  for (const m of L.mapList) maps[m.def.name] = m.dump();
  return {
    events,
    diagnostics,
    final: {
      cqs: cqs.map((q) => ({
        index: q.index,
        entries: q.entries,
        posted: q.posted,
        reaped: q.reaped,
        cqes: [...q.cqes, ...q.overflowList],
        overflow: q.overflowList.length,
      })),
      maps,
      userMemory: user.segments.map((s) => ({
        addr: s.addr,
        data: Buffer.from(s.bytes).toString("hex"),
      })),
    },
    stats,
  };
}
