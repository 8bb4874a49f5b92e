// Per-target facts (abi.md): program type, sections, context layout, helpers, entry points,
// builtins, opcode range, return rule, cpu features. Each target has its OWN literal table:
// the 2021 RFC numbers collide with numbers mainline later gave to other things, so no
// number table is shared between targets and a correction is one edit in one place.
// The checker, verifier, code generator and kernel oracle all read these through the
// accessors at the bottom; nothing else should hard-code a target number.

export type TargetName = "iouring-v1" | "iouring-v2" | "linux-7.1";
export const TARGET_NAMES: readonly TargetName[] = ["iouring-v1", "iouring-v2", "linux-7.1"];
export const DEFAULT_TARGET: TargetName = "linux-7.1";

export type Mcpu = "v1" | "v2" | "v3" | "v4";
export const MCPU_NAMES: readonly Mcpu[] = ["v1", "v2", "v3", "v4"];
export function mcpuLevel(m: Mcpu): number {
  return Number(m.slice(1));
}

/** What a helper argument must be (the kernel's ARG_* kinds, reduced to what we use). */
export type HelperArgKind =
  | "ctx" // the program's context pointer
  | "mapPtr" // a map (ld_imm64 map fd)
  | "mapKey" // pointer to an initialised key of the map's key size
  | "mapValue" // pointer to an initialised value of the map's value size
  | "mem" // pointer to initialised memory (size in the next const-size arg)
  | "uninitMem" // pointer to memory the helper fills
  | "constSize" // verifier-known constant size
  | "constSizeOrZero"
  | "anything" // any scalar
  | "string"; // pointer to a constant string (trace format)

export type HelperReturn = "integer" | "mapValueOrNull" | "void";

export interface HelperProto {
  /** Kernel name without the `bpf_` prefix. */
  readonly name: string;
  readonly id: number;
  readonly args: readonly HelperArgKind[];
  readonly ret: HelperReturn;
  readonly sleepableOnly: boolean;
  readonly gplOnly: boolean;
  /** A constant-size argument that must equal exactly this value (queue_sqe 64, reap 16). */
  readonly fixedSize?: number;
  /** Set when the number comes from enum position in posted patches (abi.md "derived"). */
  readonly derived?: boolean;
  /**
   * Offered only to a loader with CAP_PERFMON (the kernel's base helper set). Such a loader
   * also skips the verifier's Spectre-v1 speculative walk, which codegen relies on.
   */
  readonly perfmonOnly?: boolean;
}

/** A kfunc (linux-7.1): called by BTF id, resolved by name at load time. */
export interface KfuncProto {
  readonly name: string;
  readonly args: readonly HelperArgKind[];
  readonly ret: "integer" | "memOrNull";
  readonly sleepableOnly: boolean;
}

export interface ContextField {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  readonly readable: boolean;
  readonly writable: boolean;
  /** The kernel reads the field back after the run. */
  readonly readBack: boolean;
}

export type ContextLayout =
  | { readonly kind: "opaque" } // any load/store through ctx is invalid
  | {
      readonly kind: "struct";
      readonly name: string;
      readonly size: number;
      readonly fields: readonly ContextField[];
    }
  | {
      // struct_ops: the program receives BTF pointers as arguments
      readonly kind: "structOpsArgs";
      readonly args: readonly {
        readonly name: string;
        readonly btfType: string;
        readonly writableFields: readonly string[];
      }[];
    };

/** Builtins of ioubpf/lang whose availability depends on the target. */
export type TargetBuiltin =
  | "submit"
  | "emit"
  | "stop"
  | "ktime"
  | "random"
  | "trace"
  | "copyFromUser"
  | "copyToUser"
  | "RingBuf";

/** How a builtin is (un)available; `alternative` is the hint shown when it is not. */
export type BuiltinAvailability =
  | { readonly available: true; readonly sleepableOnly?: boolean }
  | { readonly available: false; readonly reason: string; readonly alternative: string };

export type EntryPointName = "onStart" | "onCompletion";

export type EntryAvailability =
  | { readonly available: true }
  | { readonly available: false; readonly reason: string; readonly alternative: string };

export type ReturnRule =
  | { readonly kind: "zero" } // the verifier accepts only the constant 0
  | { readonly kind: "values"; readonly values: Readonly<Record<string, number>> };

export interface TargetInfo {
  readonly name: TargetName;
  readonly description: string;
  /** BPF_PROG_TYPE_* number. */
  readonly progType: number;
  readonly progTypeName: string;
  readonly progTypeDerived: boolean;
  /** ELF section of the program: plain and sleepable. `<name>` is replaced by the program name. */
  readonly sections: {
    readonly normal?: string;
    readonly sleepable?: string;
    readonly structOpsMap?: string;
  };
  /** The program must be loaded sleepable for submit to work. */
  readonly submitNeedsSleepable: boolean;
  readonly context: ContextLayout;
  readonly helpers: Readonly<Record<string, HelperProto>>;
  readonly kfuncs: Readonly<Record<string, KfuncProto>>;
  readonly entryPoints: Readonly<Record<EntryPointName, EntryAvailability>>;
  readonly builtins: Readonly<Record<TargetBuiltin, BuiltinAvailability>>;
  /** SQE `cq` field (completion-queue index, u16 @48) exists. */
  readonly sqeCqField: boolean;
  /** Highest io_uring opcode the target's kernel knows (inclusive). */
  readonly maxOpcode: number;
  /** The kernel version the target's patches were based on, for messages. */
  readonly kernelBase: string;
  readonly returnRule: ReturnRule;
  /** Highest cpu version the target's kernel verifier accepts, and the default --mcpu. */
  readonly maxMcpu: Mcpu;
  readonly defaultMcpu: Mcpu;
  readonly requiresBtf: boolean;
  readonly requiresGplLicense: boolean;
  /** Code generation exists for this target (checking alone works for all). */
  readonly codegenSupported: boolean;
  /** Extra constants of the target (register opcodes, IORING_OP_BPF, …). */
  readonly constants: Readonly<Record<string, number>>;
}

// ---------------------------------------------------------------------------------------
// iouring-v1: Feb 2021 RFC ("add BPF-driven requests"), based on 5.12.

/** The kernel's base helpers, the same on every target (the target tables add theirs). */
const BASE_HELPERS: Readonly<Record<string, HelperProto>> = {
  map_lookup_elem: {
    name: "map_lookup_elem",
    id: 1,
    args: ["mapPtr", "mapKey"],
    ret: "mapValueOrNull",
    sleepableOnly: false,
    gplOnly: false,
  },
  map_update_elem: {
    name: "map_update_elem",
    id: 2,
    args: ["mapPtr", "mapKey", "mapValue", "anything"],
    ret: "integer",
    sleepableOnly: false,
    gplOnly: false,
  },
  map_delete_elem: {
    name: "map_delete_elem",
    id: 3,
    args: ["mapPtr", "mapKey"],
    ret: "integer",
    sleepableOnly: false,
    gplOnly: false,
  },
  ktime_get_ns: {
    name: "ktime_get_ns",
    id: 5,
    args: [],
    ret: "integer",
    sleepableOnly: false,
    gplOnly: false,
  },
  trace_printk: {
    name: "trace_printk",
    id: 6,
    args: ["string", "constSize"], // the kernel declares only these two; r3–r5 are not checked
    ret: "integer",
    sleepableOnly: false,
    gplOnly: true,
    perfmonOnly: true,
  },
  get_prandom_u32: {
    name: "get_prandom_u32",
    id: 7,
    args: [],
    ret: "integer",
    sleepableOnly: false,
    gplOnly: false,
  },
  ringbuf_output: {
    name: "ringbuf_output",
    id: 130,
    args: ["mapPtr", "mem", "constSizeOrZero", "anything"],
    ret: "integer",
    sleepableOnly: false,
    gplOnly: false,
  },
};

const IOURING_V1: TargetInfo = {
  name: "iouring-v1",
  description: "Feb 2021 RFC: BPF_PROG_TYPE_IOURING, opaque context, helper 163",
  progType: 31,
  progTypeName: "BPF_PROG_TYPE_IOURING",
  progTypeDerived: true,
  sections: { normal: "iouring" },
  submitNeedsSleepable: false,
  context: { kind: "opaque" },
  helpers: {
    ...BASE_HELPERS,
    iouring_queue_sqe: {
      name: "iouring_queue_sqe",
      id: 163,
      args: ["ctx", "mem", "constSize"],
      ret: "integer",
      sleepableOnly: false,
      gplOnly: false,
      fixedSize: 64,
      derived: true,
    },
  },
  kfuncs: {},
  entryPoints: {
    onStart: { available: true },
    onCompletion: {
      available: false,
      reason: "iouring-v1 cannot observe completion results",
      alternative: "link the BPF request after the request instead, or use --target iouring-v2",
    },
  },
  builtins: {
    submit: { available: true },
    emit: {
      available: false,
      reason: "iouring-v1 has no helper that posts a completion",
      alternative:
        "submit a NOP with the wanted userData (submit.nop({ userData })), or use --target iouring-v2",
    },
    stop: { available: true },
    ktime: { available: true },
    random: { available: true },
    trace: { available: true },
    copyFromUser: {
      available: false,
      reason:
        "iouring-v1 programs are not sleepable, and bpf_copy_from_user needs a sleepable program",
      alternative: "use --target iouring-v2, whose programs can be sleepable",
    },
    copyToUser: {
      available: false,
      reason: "iouring-v1 has no bpf_copy_to_user helper",
      alternative: "use --target iouring-v2",
    },
    RingBuf: { available: true },
  },
  sqeCqField: false,
  maxOpcode: 36,
  kernelBase: "5.12",
  returnRule: { kind: "zero" },
  maxMcpu: "v3",
  defaultMcpu: "v3",
  requiresBtf: false,
  requiresGplLicense: false,
  codegenSupported: true,
  constants: { IORING_ATTACH_BPF: 13, IORING_OP_BPF: 37, maxProgs: 100 },
};

// ---------------------------------------------------------------------------------------
// iouring-v2: May 2021 RFC v2 ("io_uring BPF requests"), based on 5.12.

const IOURING_V2: TargetInfo = {
  name: "iouring-v2",
  description: "May 2021 RFC v2: BPF_PROG_TYPE_IOURING, 16-byte context, helpers 164-167",
  progType: 31,
  progTypeName: "BPF_PROG_TYPE_IOURING",
  progTypeDerived: true,
  sections: { normal: "iouring/", sleepable: "iouring.s/" },
  submitNeedsSleepable: true,
  context: {
    kind: "struct",
    name: "io_uring_bpf_ctx",
    size: 16,
    fields: [
      { name: "user_data", offset: 0, size: 8, readable: true, writable: true, readBack: false },
      { name: "wait_nr", offset: 8, size: 4, readable: true, writable: true, readBack: true },
      { name: "wait_idx", offset: 12, size: 4, readable: true, writable: true, readBack: true },
    ],
  },
  helpers: {
    ...BASE_HELPERS,
    copy_from_user: {
      name: "copy_from_user",
      id: 148,
      args: ["uninitMem", "constSizeOrZero", "anything"],
      ret: "integer",
      sleepableOnly: true,
      gplOnly: false,
      perfmonOnly: true,
    },
    iouring_queue_sqe: {
      name: "iouring_queue_sqe",
      id: 164,
      args: ["ctx", "mem", "constSize"],
      ret: "integer",
      sleepableOnly: true,
      gplOnly: false,
      fixedSize: 64,
      derived: true,
    },
    iouring_emit_cqe: {
      name: "iouring_emit_cqe",
      id: 165,
      args: ["ctx", "anything", "anything", "anything", "anything"],
      ret: "integer",
      sleepableOnly: false,
      gplOnly: false,
      derived: true,
    },
    iouring_reap_cqe: {
      name: "iouring_reap_cqe",
      id: 166,
      args: ["ctx", "anything", "uninitMem", "constSize"],
      ret: "integer",
      sleepableOnly: false,
      gplOnly: false,
      fixedSize: 16,
      derived: true,
    },
    copy_to_user: {
      name: "copy_to_user",
      id: 167,
      args: ["anything", "mem", "constSizeOrZero"],
      ret: "integer",
      sleepableOnly: true,
      gplOnly: false,
      derived: true,
    },
  },
  kfuncs: {},
  entryPoints: { onStart: { available: true }, onCompletion: { available: true } },
  builtins: {
    submit: { available: true, sleepableOnly: true },
    emit: { available: true },
    stop: { available: true },
    ktime: { available: true },
    random: { available: true },
    trace: { available: true },
    copyFromUser: { available: true, sleepableOnly: true },
    copyToUser: { available: true, sleepableOnly: true },
    RingBuf: { available: true },
  },
  sqeCqField: true,
  maxOpcode: 36,
  kernelBase: "5.12",
  returnRule: { kind: "zero" },
  maxMcpu: "v3",
  defaultMcpu: "v3",
  requiresBtf: false,
  requiresGplLicense: false,
  codegenSupported: true,
  constants: {
    IORING_REGISTER_BPF: 15,
    IORING_UNREGISTER_BPF: 16,
    IORING_OP_BPF: 37,
    reapEnoent: -2,
  },
};

// ---------------------------------------------------------------------------------------
// linux-7.1: mainline io_uring_bpf_ops struct_ops (Linux 7.1, 2026).

const LINUX_7_1: TargetInfo = {
  name: "linux-7.1",
  description: "mainline io_uring_bpf_ops struct_ops with kfuncs (needs BTF)",
  progType: 27,
  progTypeName: "BPF_PROG_TYPE_STRUCT_OPS",
  progTypeDerived: false,
  sections: { sleepable: "struct_ops.s/<name>", structOpsMap: ".struct_ops.link" },
  submitNeedsSleepable: true,
  context: {
    kind: "structOpsArgs",
    args: [
      { name: "ctx", btfType: "io_ring_ctx", writableFields: [] },
      { name: "lp", btfType: "iou_loop_params", writableFields: ["cq_wait_idx"] },
    ],
  },
  helpers: {
    ...BASE_HELPERS,
  },
  kfuncs: {
    bpf_io_uring_submit_sqes: {
      name: "bpf_io_uring_submit_sqes",
      args: ["ctx", "anything"],
      ret: "integer",
      sleepableOnly: true,
    },
    bpf_io_uring_get_region: {
      name: "bpf_io_uring_get_region",
      args: ["ctx", "anything", "constSize"],
      ret: "memOrNull",
      sleepableOnly: false,
    },
  },
  entryPoints: { onStart: { available: true }, onCompletion: { available: true } },
  builtins: {
    submit: { available: true, sleepableOnly: true },
    // A 16-byte CQE-shaped record into the ring buffer map `iou_emit` (docs/linux-7.1.md).
    emit: { available: true },
    stop: { available: true },
    ktime: { available: true },
    random: { available: true },
    trace: { available: true },
    copyFromUser: {
      available: false,
      reason: "io_uring_bpf_ops programs may call only the base helpers",
      alternative: "pass the data through a map or the MEM region, or use --target iouring-v2",
    },
    copyToUser: {
      available: false,
      reason: "io_uring_bpf_ops programs may call only the base helpers",
      alternative: "pass the data through a map or the MEM region, or use --target iouring-v2",
    },
    RingBuf: { available: true },
  },
  sqeCqField: false,
  maxOpcode: 64,
  kernelBase: "7.1",
  returnRule: { kind: "values", values: { IOU_LOOP_CONTINUE: 0, IOU_LOOP_STOP: 1 } },
  maxMcpu: "v4",
  defaultMcpu: "v4",
  requiresBtf: true,
  requiresGplLicense: true,
  codegenSupported: true,
  constants: {
    regionMem: 0,
    regionCq: 1,
    regionSq: 2,
    opsLoopStepOffset: 0,
    opsRingFdOffset: 8,
    opsPrivOffset: 16,
    loopParamsCqWaitIdxOffset: 0,
  },
};

const TARGETS: Readonly<Record<TargetName, TargetInfo>> = {
  "iouring-v1": IOURING_V1,
  "iouring-v2": IOURING_V2,
  "linux-7.1": LINUX_7_1,
};

// ---------------------------------------------------------------------------------------
// Accessors

export function isTargetName(s: string): s is TargetName {
  return (TARGET_NAMES as readonly string[]).includes(s);
}

export function isMcpu(s: string): s is Mcpu {
  return (MCPU_NAMES as readonly string[]).includes(s);
}

export function getTarget(name: TargetName): TargetInfo {
  return TARGETS[name];
}

/** The target for a user-supplied name, or undefined (callers report E9004 / E3001). */
export function findTarget(name: string): TargetInfo | undefined {
  return isTargetName(name) ? TARGETS[name] : undefined;
}

export function helperProto(target: TargetInfo, name: string): HelperProto | undefined {
  return Object.prototype.hasOwnProperty.call(target.helpers, name)
    ? target.helpers[name]
    : undefined;
}

export function helperById(target: TargetInfo, id: number): HelperProto | undefined {
  return Object.values(target.helpers).find((h) => h.id === id);
}

export function builtinAvailability(target: TargetInfo, name: TargetBuiltin): BuiltinAvailability {
  return target.builtins[name];
}

export function opcodeAllowed(target: TargetInfo, opcode: number): boolean {
  return Number.isInteger(opcode) && opcode >= 0 && opcode <= target.maxOpcode;
}

/** The context field of a struct context, or undefined (opaque contexts have none). */
export function contextField(target: TargetInfo, name: string): ContextField | undefined {
  return target.context.kind === "struct"
    ? target.context.fields.find((f) => f.name === name)
    : undefined;
}

/** Signed division and modulo (BPF_SDIV/BPF_SMOD) need cpu v4. */
export function hasSignedDivision(mcpu: Mcpu): boolean {
  return mcpuLevel(mcpu) >= 4;
}
