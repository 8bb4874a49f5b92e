// `ioubpf run` / `ioubpf test` for linux-7.1 objects: the io_uring_bpf_ops loop over a
// simulated ring (ring71.ts), one loop_step at a time through the step model (linux71.ts).
// The kernel's loop (abi.md): loop_step runs; STOP (1) ends the io_uring_enter; CONTINUE (0)
// sleeps until the CQ tail reaches `cq_wait_idx` (at once if it already has). SQEs the
// program submits complete as the scenario scripts, in the same vocabulary as the RFC
// targets (completion rules, per-opcode defaults, `after: N` time steps, links).
import type { Diagnostic } from "../diagnostics/index.js";
import type { ObjFile } from "../elf/types.js";
import { getTarget } from "../targets/targets.js";
import { VmCodes } from "./codes.js";
import {
  EMIT_MAP,
  createStepper71FromObject,
  DEFAULT_GEOMETRY71,
  Fault71,
  GEOMETRY_GLOBALS,
  geometryRodata,
} from "./linux71.js";
import { Errno } from "./maps.js";
import { encodeSqe, decodeSqe, IOSQE, type SqeView } from "./ring.js";
import { SimRing71 } from "./ring71.js";
import type { CompletionRule, Scenario } from "./scenario.js";
import {
  defaultResult,
  eventRecorder,
  type SimEvent,
  type SimOptions,
  type SimResult,
} from "./simulate.js";

interface Req71 {
  seq: number;
  sqe: SqeView;
  next?: Req71;
  hard: boolean;
  completeAt: number;
  res: number;
  flags: number;
}

/** Whether an object is a linux-7.1 (struct_ops) object, judged from its sections. */
export function isStructOpsObject(obj: ObjFile): boolean {
  return obj.sections.some(
    (s) => s.name.startsWith("struct_ops") || s.name.startsWith(".struct_ops"),
  );
}

export function simulate71(obj: ObjFile, scenario: Scenario, options: SimOptions = {}): SimResult {
  const { events, ev, finish: finishEvents } = eventRecorder(scenario.limits.events);
  const diagnostics: Diagnostic[] = [];
  const stats = { runs: 0, steps: 0, insns: 0, sqes: 0 };
  const file = options.file;
  const diag = (severity: Diagnostic["severity"], code: string, message: string) =>
    diagnostics.push({ code, severity, message, ...(file ? { file } : {}) });
  const target = getTarget("linux-7.1");

  const ring = new SimRing71({
    sqEntries: scenario.ringGiven?.sq ? scenario.sqEntries : DEFAULT_GEOMETRY71.sqEntries,
    cqEntries: scenario.ringGiven?.cq ? scenario.cqEntries[0]! : DEFAULT_GEOMETRY71.cqEntries,
  });
  if (scenario.cqEntries.length > 1 && scenario.ringGiven?.cq)
    diag("error", VmCodes.badScenario, "ring.cq_entries: linux-7.1 rings have one CQ");
  for (const c of scenario.cqes)
    if (c.cq !== 0)
      diag(
        "error",
        VmCodes.badScenario,
        `cqes: CQ ${c.cq} does not exist (linux-7.1 has CQ 0 only)`,
      );

  // .rodata: the geometry (what the loader fills from io_uring_params), then scenario globals.
  const rodata: Record<string, bigint | number> = geometryRodata(ring.geometry);
  for (const g of scenario.globals) {
    if (!obj.symbols.some((s) => s.name === g.name && s.section !== undefined)) {
      diagnostics.push({
        code: VmCodes.badScenario,
        severity: "error",
        message: `globals.${g.name}: the object has no such symbol`,
        ...(g.range ? { range: g.range } : file ? { file } : {}),
      });
      continue;
    }
    rodata[g.name] = g.value;
  }
  if (diagnostics.some((d) => d.severity === "error")) return { events, diagnostics, stats };

  const made = createStepper71FromObject(obj, {
    ring,
    rodata,
    maxInsns: scenario.limits.insnsPerRun,
    maps: scenario.maps,
    memory: scenario.userMemory,
    ...((options.program ?? scenario.program) !== undefined
      ? { program: (options.program ?? scenario.program)! }
      : {}),
    ...(file ? { file } : {}),
  });
  if ("diagnostics" in made)
    return { events, diagnostics: [...diagnostics, ...made.diagnostics], stats };
  const stepper = made;
  const L = stepper.loaded;
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
    if (key.length !== m.def.keySize || m.update(key, value, 0) < 0)
      diag("error", VmCodes.badScenario, `maps.${init.map}: cannot store this entry`);
  }
  if (diagnostics.some((d) => d.severity === "error")) return { events, diagnostics, stats };

  let tick = 0;
  let stepNo = 0;
  let seq = 0;
  let fd = 3;
  const inflight: Req71[] = [];
  const rules = scenario.completions.map((r) => ({ rule: r, left: r.times ?? Infinity }));
  const findRule = (r: Req71): CompletionRule | undefined => {
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
  const post = (r: Req71, res: number, flags: number, note?: string) => {
    if (res >= 0 && r.sqe.flags & IOSQE.CQE_SKIP_SUCCESS) return;
    const cqe = { userData: r.sqe.userData, res, flags };
    const where = ring.post(cqe);
    ev({
      step: tick,
      type: "cqe",
      cq: 0,
      seq: r.seq,
      cqe,
      ...(note || where === "overflow"
        ? {
            note: [note, where === "overflow" ? "CQ full: overflow" : ""]
              .filter(Boolean)
              .join(", "),
          }
        : {}),
    });
  };
  const complete = (r: Req71, res: number, flags = 0, note?: string): void => {
    post(r, res, flags, note);
    const next = r.next;
    if (!next) return;
    if (res < 0 && !r.hard) {
      for (let n: Req71 | undefined = next; n; n = n.next)
        post(n, -Errno.ECANCELED, 0, "link cancelled");
      return;
    }
    start(next);
  };
  const start = (r: Req71): void => {
    if (r.sqe.opcode > target.maxOpcode)
      return complete(r, -Errno.EINVAL, 0, `opcode ${r.sqe.opcode} is unknown to ${target.name}`);
    const rule = findRule(r);
    r.res = rule?.res ?? defaultResult(r.sqe, () => fd++);
    r.flags = rule?.flags ?? 0;
    const after = rule?.after ?? scenario.defaultAfter;
    if (after === 0) return complete(r, r.res, r.flags);
    r.completeAt = tick + after;
    inflight.push(r);
  };
  const submitBatch = (sqes: { sqe: SqeView }[], by: string): void => {
    const reqs: Req71[] = sqes.map(({ sqe }) => {
      const r: Req71 = {
        seq: seq++,
        sqe,
        hard: (sqe.flags & IOSQE.HARDLINK) !== 0,
        completeAt: 0,
        res: 0,
        flags: 0,
      };
      stats.sqes++;
      ev({
        step: tick,
        ...(by !== "user" ? { run: stepNo } : {}),
        type: "submit",
        seq: r.seq,
        by,
        sqe,
      });
      return r;
    });
    for (let i = 0; i + 1 < reqs.length; i++)
      if (reqs[i]!.sqe.flags & (IOSQE.LINK | IOSQE.HARDLINK)) reqs[i]!.next = reqs[i + 1];
    const held = new Set(reqs.map((r) => r.next).filter((x): x is Req71 => x !== undefined));
    for (const r of reqs) if (!held.has(r)) start(r);
  };
  let submitSqesCalled = false; // seen here, not searched in the trace (which may be cut)
  const flushDetail = () => {
    for (const e of stepper.drainEvents()) {
      if (e.type === "submit_sqes") submitSqesCalled = true;
      ev({ step: tick, run: stepNo, ...e } as SimEvent);
    }
  };
  ring.onSubmit = (sqes) => {
    flushDetail(); // helper lines before this submission keep their order
    submitBatch(sqes, `step ${stepNo}`);
  };
  const deliverDue = (): void => {
    inflight.sort((a, b) => a.completeAt - b.completeAt || a.seq - b.seq);
    while (inflight.length && inflight[0]!.completeAt <= tick) {
      const r = inflight.shift()!;
      complete(r, r.res, r.flags);
    }
  };

  for (const c of scenario.cqes) {
    const cqe = { userData: c.userData, res: c.res, flags: c.flags };
    ring.post(cqe);
    ev({ step: tick, type: "cqe", cq: 0, cqe, note: "scenario" });
  }
  if (scenario.submit)
    submitBatch(
      scenario.submit.map((s) => ({ sqe: decodeSqe(encodeSqe(s)) })),
      "user",
    );

  let warnedSleepable = false;
  for (;;) {
    deliverDue();
    ring.flushOverflow();
    if (stepNo >= scenario.limits.runs) {
      diag("warning", VmCodes.simLimit, `limits.runs: stopped after ${stepNo} loop_step call(s)`);
      break;
    }
    if (stats.insns >= scenario.limits.insns) {
      diag(
        "warning",
        VmCodes.simLimit,
        `limits.insns: stopped after ${stepNo} loop_step call(s) and ${stats.insns} instructions`,
      );
      break;
    }
    stepNo++;
    stats.runs++;
    const head0 = ring.head;
    ev({ step: tick, run: stepNo, type: "step", head: head0, tail: ring.tail });
    let r;
    try {
      r = stepper.step();
    } catch (e) {
      if (!(e instanceof Fault71)) throw e;
      flushDetail();
      ev({ step: tick, run: stepNo, type: "fault", pc: e.pc, message: e.message });
      diagnostics.push({
        ...e.diagnostic,
        message: `step ${stepNo} of ${e.diagnostic.message}`,
      });
      break;
    }
    flushDetail();
    stats.insns += r.insns;
    const head1 = ring.head;
    ev({
      step: tick,
      run: stepNo,
      type: "step_exit",
      ret: r.ret,
      insns: r.insns,
      head: [head0, head1],
      consumed: (head1 - head0) >>> 0,
      cqWaitIdx: r.cqWaitIdx,
    });
    for (const m of stepper.emits()) ev({ step: tick, run: stepNo, type: "emit71", ...m });
    if (!stepper.program.sleepable && !warnedSleepable && submitSqesCalled) {
      warnedSleepable = true;
      diag(
        "warning",
        VmCodes.notSleepable,
        `${stepper.program.name} calls bpf_io_uring_submit_sqes, which the kernel allows only in sleepable programs (section struct_ops.s/…); it is in ${stepper.program.section}`,
      );
    }
    if (r.ret === 1) {
      ev({ step: tick, run: stepNo, type: "stop", reason: "loop_step returned IOU_LOOP_STOP" });
      break;
    }
    if (r.ret !== 0) {
      diag(
        "warning",
        VmCodes.badReturn,
        `step ${stepNo} of ${stepper.program.name} returned ${r.ret}; loop_step must return 0 (CONTINUE) or 1 (STOP): the kernel fails io_uring_enter with -EINVAL`,
      );
      ev({
        step: tick,
        run: stepNo,
        type: "stop",
        reason: `loop_step returned ${r.ret} (-EINVAL)`,
      });
      break;
    }
    // CONTINUE: sleep until the tail reaches cq_wait_idx (u32 ring arithmetic).
    const need = () => (r.cqWaitIdx - ring.tail) | 0;
    if (need() <= 0) continue;
    ev({
      step: tick,
      run: stepNo,
      type: "sleep",
      waitIdx: r.cqWaitIdx,
      tail: ring.tail,
      need: need(),
    });
    let stuck = false;
    while (need() > 0) {
      if (!inflight.length) {
        stuck = true;
        break;
      }
      tick = Math.max(tick + 1, Math.min(...inflight.map((q) => q.completeAt)));
      if (tick > scenario.limits.steps) break;
      deliverDue();
      ring.flushOverflow();
    }
    if (stuck) {
      diag(
        "note",
        VmCodes.stuck,
        `after step ${stepNo}, loop_step waits for the CQ tail to reach ${r.cqWaitIdx} (it is ${ring.tail}) with nothing in flight: the kernel would sleep until the loader's timeout`,
      );
      ev({ step: tick, run: stepNo, type: "stop", reason: "waits forever (nothing in flight)" });
      break;
    }
    if (tick > scenario.limits.steps) {
      diag("warning", VmCodes.simLimit, `limits.steps: stopped at time step ${tick}`);
      break;
    }
  }
  stats.steps = tick;
  finishEvents(diag);

  const globals: Record<string, string> = {};
  for (const [k, v] of Object.entries(stepper.globals()))
    if (!(GEOMETRY_GLOBALS as readonly string[]).includes(k)) globals[k] = String(v);
  const maps: Record<string, Record<string, string>> = {};
  for (const m of L.mapList) if (m.def.name !== EMIT_MAP) maps[m.def.name] = m.dump();
  return {
    events,
    diagnostics,
    kind: "loop71",
    final: {
      cqs: [
        {
          index: 0,
          entries: ring.geometry.cqEntries,
          posted: ring.tail,
          reaped: ring.head,
          cqes: ring.pending(),
          overflow: ring.overflow.length,
        },
      ],
      maps,
      userMemory: [],
      globals,
      inflight: inflight.length,
    },
    stats,
  };
}
