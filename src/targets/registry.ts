// One place per target: its fact table (src/targets/<name>/info.ts) and how the code
// generator (and, filled in by their owners, the VM and the verifier) treat it. Code asks the
// registry for a target's behaviour instead of comparing target names.
import type { TargetInfo, TargetName } from "./types.js";
import { IOURING_V1_TARGET } from "./iouring-v1/index.js";
import { IOURING_V2_TARGET } from "./iouring-v2/index.js";
import { LINUX_7_1_TARGET } from "./linux-7.1/index.js";

/** How one loop_step / one run of the program is built around its entry points. */
export type EntryPlumbing =
  /** The RFC program types: ctx in r1, onStart on the first run, reap loop (v2) or none (v1). */
  | "rfcRequest"
  /** linux-7.1 struct_ops: regions, CQ walk, one submit_sqes, cq_wait_idx (docs/linux-7.1.md). */
  | "structOpsLoop";

/** What the code generator needs to know of a target beyond its fact table. */
export interface TargetCodegen {
  readonly entry: EntryPlumbing;
  /** `submit.*`: a queue helper with a 64-byte stack SQE, or a store into the SQ region. */
  readonly submit: "queueHelper" | "sqRegion";
  /** The queue helper's return value meaning "queued" (queueHelper only). */
  readonly queuedResult?: number;
  /** `emit`: the target's emit helper, or a record in the `iou_emit` ring buffer. */
  readonly emit: "helper" | "ringbuf" | "none";
  /** The program's BTF FUNC_PROTO: `(ctx)` or `(struct iou_ctx *ctx, struct iou_loop_params *lp)`. */
  readonly funcProto: "ctx" | "structOps";
}

/** How the kernel oracle (src/kernel/plan.ts) loads a target's programs on this host. */
export interface TargetKernel {
  /** Why the host kernel cannot load it (undefined: it can, through the shim). */
  readonly unsupported?: string;
  /** Whether a program in `section` is loaded sleepable by default. */
  sleepable(section: string): boolean;
}

/**
 * Hooks the VM (src/vm) and the verifier (src/verifier) may register for a target; owned by
 * those areas, typed loosely here so the registry does not depend on them.
 */
export interface TargetHooks {
  vm?: unknown;
  verifier?: unknown;
}

export interface TargetEntry {
  readonly info: TargetInfo;
  readonly codegen: TargetCodegen;
  readonly kernel: TargetKernel;
  readonly hooks: TargetHooks;
}

const REGISTRY: Readonly<Record<TargetName, TargetEntry>> = {
  "iouring-v1": IOURING_V1_TARGET,
  "iouring-v2": IOURING_V2_TARGET,
  "linux-7.1": LINUX_7_1_TARGET,
};

export function targetEntry(t: TargetName | TargetInfo): TargetEntry {
  return REGISTRY[typeof t === "string" ? t : t.name];
}

export function targetCodegen(t: TargetName | TargetInfo): TargetCodegen {
  return targetEntry(t).codegen;
}

export function targetKernel(t: TargetName | TargetInfo): TargetKernel {
  return targetEntry(t).kernel;
}

/** Registers a VM or verifier hook for a target (their modules call this at load). */
export function registerTargetHook(t: TargetName, kind: keyof TargetHooks, hook: unknown): void {
  (REGISTRY[t].hooks as TargetHooks)[kind] = hook;
}
