// Emulation mode for kernels with io_uring but without io_uring_bpf_ops: the object's
// loop_step runs in our VM (src/vm/linux71.ts, createStepper71), one step at a time, against
// the REAL ring: the CQ and SQ regions are views on the kernel's mmap'd memory,
// bpf_io_uring_submit_sqes is a real io_uring_enter, and between steps the loop sleeps in
// io_uring_enter until cq_wait_idx is reached, as the kernel's loop does.
import type { Diagnostic } from "../diagnostics/index.js";
import { RuntimeCodes } from "./codes.js";
import { resultVars, type OpenedObject } from "./object.js";
import type { Ring } from "./ring.js";
import type { EmitRecord, RunFailure, TraceStep } from "./types.js";

/** Interface 3 (src/vm/linux71.ts), restated so this file builds before that module exists. */
interface Ring71 {
  readonly cq: Uint8Array;
  readonly sq: Uint8Array;
  submit(nr: number): number;
}
interface Step71Result {
  ret: number;
  cqWaitIdx: number;
  insns: number;
}
interface Stepper71 {
  step(): Step71Result;
  globals(): Record<string, bigint | number>;
  emits(): { userData: bigint; res: number; flags: number }[];
}
type CreateStepper71 = (
  obj: Uint8Array,
  opts: {
    program?: string;
    ring: Ring71;
    rodata: Record<string, bigint | number>;
    memory?: { addr: bigint; bytes: Uint8Array }[];
    clock?: { now: bigint; step: bigint };
  },
) => Stepper71 | { diagnostics: Diagnostic[] };

let stepperModule: CreateStepper71 | string | undefined;

/** The VM's step model, or why it is unavailable. */
export async function loadStepper(): Promise<CreateStepper71 | string> {
  if (stepperModule !== undefined) return stepperModule;
  // A computed specifier: the module is another area's and may be absent from this build.
  // IOUBPF_VM71_MODULE (a path) points at another build of it, for development.
  const spec = process.env.IOUBPF_VM71_MODULE ?? ["..", "vm", "linux71.js"].join("/");
  try {
    const m = (await import(spec)) as { createStepper71?: CreateStepper71 };
    stepperModule = m.createStepper71 ?? "src/vm/linux71 has no createStepper71";
  } catch (e) {
    stepperModule = `the VM's linux-7.1 step model is not available: ${(e as Error).message.split("\n")[0]}`;
  }
  return stepperModule;
}

export interface EmulateOutcome {
  stop: "stopped" | "timeout" | "error";
  steps: number;
  emits: EmitRecord[];
  globals: Record<string, bigint>;
  trace?: TraceStep[];
  failure?: RunFailure;
  diagnostics: Diagnostic[];
}

const ETIME = 62;
const EINTR = 4;

export function runEmulated(
  create: CreateStepper71,
  inp: {
    bytes: Uint8Array;
    object: OpenedObject;
    program: string;
    ring: Ring;
    rodata: Map<string, bigint>;
    memory: { addr: bigint; bytes: Uint8Array }[];
    timeoutMs: number;
    trace: boolean;
  },
): EmulateOutcome {
  const { ring } = inp;
  const submitted: number[] = [];
  const made = create(inp.bytes, {
    program: inp.program,
    ring: {
      cq: ring.cq,
      sq: ring.sq,
      submit: (nr) => {
        const r = ring.submit(nr);
        submitted.push(r);
        return r;
      },
    },
    rodata: Object.fromEntries(inp.rodata),
    memory: inp.memory,
    // bpf_ktime_get_ns is CLOCK_MONOTONIC, as in the kernel (elapsed times are real).
    clock: {
      get now() {
        return process.hrtime.bigint();
      },
      set now(_v: bigint) {},
      step: 0n,
    },
  });
  const base = { steps: 0, emits: [] as EmitRecord[], globals: {} as Record<string, bigint> };
  if ("diagnostics" in made)
    return {
      ...base,
      stop: "error",
      diagnostics: made.diagnostics,
      failure: { code: RuntimeCodes.noEmulation, message: "the VM cannot run this object" },
    };
  const stepper = made;
  const trace: TraceStep[] = [];
  const t0 = Date.now();
  const deadline = t0 + inp.timeoutMs;
  let steps = 0;
  let stop: EmulateOutcome["stop"] = "error";
  let failure: RunFailure | undefined;
  const diagnostics: Diagnostic[] = [];
  outer: for (;;) {
    // Completions of DEFER_TASKRUN rings reach the CQ only when the task runs its work.
    const w = ring.wait(0, 0);
    if (w < 0 && w !== -EINTR && w !== -ETIME) {
      failure = {
        code: RuntimeCodes.runFailed,
        message: `io_uring_enter(GETEVENTS) failed: errno ${-w}`,
      };
      break;
    }
    if (Date.now() >= deadline) {
      stop = "timeout";
      break;
    }
    let r: Step71Result;
    try {
      r = stepper.step();
    } catch (e) {
      const d = e as Partial<Diagnostic> & { diagnostic?: Diagnostic; diagnostics?: Diagnostic[] };
      const ds =
        d.diagnostics ??
        (d.diagnostic ? [d.diagnostic] : d.code && d.message ? [d as Diagnostic] : []);
      diagnostics.push(...ds);
      failure = {
        code: RuntimeCodes.runFailed,
        message: `loop_step faulted in the VM at step ${steps + 1}: ${ds[0]?.message ?? (e as Error)?.message ?? String(e)}`,
      };
      break;
    }
    steps++;
    if (inp.trace)
      trace.push({
        step: steps,
        ret: r.ret,
        cqWaitIdx: r.cqWaitIdx >>> 0,
        insns: r.insns,
        cqTail: ring.cqTail(),
      });
    if (r.ret === 1) {
      stop = "stopped";
      break;
    }
    if (r.ret !== 0) {
      failure = {
        code: RuntimeCodes.runFailed,
        message: `loop_step returned ${r.ret} (only 0 CONTINUE and 1 STOP are valid; the kernel fails the call with EINVAL)`,
      };
      break;
    }
    // Sleep until the CQ tail reaches cq_wait_idx (wrapping u32 arithmetic).
    for (;;) {
      const want = (r.cqWaitIdx - ring.cqTail()) | 0;
      if (want <= 0) break;
      const left = deadline - Date.now();
      if (left <= 0) {
        stop = "timeout";
        break outer;
      }
      // min_complete counts CQEs in the ring (tail - head): the tail reaches cq_wait_idx
      // when cq_wait_idx - head of them are there.
      const e = ring.wait((r.cqWaitIdx - ring.cqHead()) | 0, Math.min(left, 1000));
      if (e < 0 && e !== -ETIME && e !== -EINTR) {
        failure = {
          code: RuntimeCodes.runFailed,
          message: `io_uring_enter(GETEVENTS, ${want}) failed: errno ${-e}`,
        };
        break outer;
      }
    }
  }
  const globals: Record<string, bigint> = {};
  let emits: EmitRecord[] = [];
  try {
    const g = stepper.globals();
    for (const v of resultVars(inp.object))
      if (g[v.name] !== undefined) globals[v.name] = BigInt(g[v.name]!);
    emits = stepper
      .emits()
      .map((e) => ({ userData: BigInt(e.userData), res: e.res, flags: e.flags }));
  } catch {
    // A VM that faulted may not give its state back; the failure already says why.
  }
  return {
    stop: failure ? "error" : stop,
    steps,
    emits,
    globals,
    ...(inp.trace ? { trace } : {}),
    ...(failure ? { failure } : {}),
    diagnostics,
  };
}
